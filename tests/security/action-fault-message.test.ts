/**
 * A form action that fails for a reason nobody planned for (here: the audit log's update guard
 * gone, so the erasure's redaction refuses to run) answers a plain sentence in the reader's
 * language, never the error's own message (SQL, table and trigger names, file paths), and
 * changes nothing. Astro would put `error.message` into the action's result, which the page
 * then shows (src/actions/define.ts). On SQLite and, in security-pg, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, sqlRows } from '../helpers/db.ts';
import { signIn } from '../helpers/http.ts';
import { type App, PASSWORD, startApp, submit } from './support.ts';

const EMAIL = 'leaving@example.com';
const INTERNALS = [/audit_log/i, /trigger/i, /Failed query/i, /sqlite_master|pg_trigger/i, /migrations/i, /\.ts:\d+/];

let app: App;

beforeAll(async () => {
  app = await startApp({ users: { ada: { role: 'admin' }, leaving: { name: 'Leaving Person' } } });
  // An audit row that names her (her sign-in): the erasure must redact it, which needs the guard.
  expect((await signIn(app.url, EMAIL, PASSWORD)).cookie).not.toBeNull();
  await sqlRows(app.db, onPostgres ? 'drop trigger audit_log_no_update on audit_log' : 'drop trigger audit_log_no_update');
});

afterAll(async () => {
  await app?.stop();
});

const stored = async (): Promise<unknown[]> => sqlRows(app.db, 'select email, display_name, active, erased_at from users where id = ?', app.ids.leaving);

describe('an unexpected fault in a form action', () => {
  for (const [prefix, sentence] of [
    ['', 'サーバーで問題が発生しました。'],
    ['/en', 'Something went wrong on the server.'],
  ] as const) {
    it(`answers a plain sentence, no internals, and changes nothing (${prefix || '/'})`, async () => {
      const before = await stored();
      const auditBefore = await sqlRows(app.db, 'select cast(count(*) as integer) n from audit_log');
      const response = await submit(app.url, `${prefix}/admin/users/${app.ids.leaving}?_action=admin.eraseUser`, app.cookies.ada, {
        userId: String(app.ids.leaving),
        confirmEmail: EMAIL,
      });
      expect(response.status).toBe(500);
      const html = await response.text();
      expect(html).toContain(sentence);
      for (const internal of INTERNALS) expect(html, String(internal)).not.toMatch(internal);
      // Nothing of the erasure was kept: she is as she was, and the log has no erasure row.
      expect(await stored()).toEqual(before);
      expect(await sqlRows(app.db, 'select cast(count(*) as integer) n from audit_log')).toEqual(auditBefore);
      // The operator still learns what happened: the server's log has the error.
      expect(app.server.output()).toMatch(/"msg":"action failed"/);
    });
  }
});
