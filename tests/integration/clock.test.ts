/**
 * One clock (src/platform/clock.ts), moved from a test: the real built server, a CLI and the
 * server's import worker all run at the offset in MANABI_CLOCK_FILE, so a test moves time
 * forward (a session outliving its lifetime) without sleeping or editing rows by hand.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/platform/db.server.ts';
import { databaseEnv, addUser, tempDb, type TempDb, reopenDb, sqlRows } from '../helpers/db.ts';
import { afterPost, get, signIn } from '../helpers/http.ts';
import { clockOffset, moveClock, startServer, type RunningServer } from '../helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;

let t: TempDb;
let clockFile: string;
let server: RunningServer;
let db: Db;

beforeAll(async () => {
  t = tempDb();
  clockFile = path.join(t.dir, 'clock.json');
  await addUser(t.db, { email: 'learner@example.com', password: PASSWORD });
  await addUser(t.db, { email: 'admin@example.com', password: PASSWORD, role: 'admin', department: 'IT' });
  void t.db.close();
  // Only the absolute lifetime (7 days, the default) can end a session here: the idle limit is 30 days.
  server = await startServer({ databasePath: t.file, clockFile, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
  db = reopenDb(t.file);
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

/** users.created_at of one user (ms). */
async function createdAt(email: string): Promise<number> {
  return Number((await sqlRows<{ n: number | Date }>(db, 'select created_at n from users where email = ?', email))[0]!.n);
}

/** Expects a time read through the moved clock: now plus the file's offset, give or take a minute. */
function expectOnMovedClock(ms: number): void {
  const expected = Date.now() + clockOffset(clockFile);
  expect(Math.abs(ms - expected), `${new Date(ms).toISOString()} vs ${new Date(expected).toISOString()}`).toBeLessThan(60_000);
}

describe('MANABI_CLOCK_FILE moves the time of the running server', () => {
  it('ends a session once the clock passes the absolute lifetime (SESSION_MAX_HOURS, 7 days)', async () => {
    const { cookie } = await signIn(server.url, 'learner@example.com', PASSWORD);
    expect(cookie).not.toBeNull();
    expect((await get(server.url, '/home', cookie)).status).toBe(200);

    moveClock(clockFile, 6);
    expect((await get(server.url, '/home', cookie)).status, 'six days on: inside the lifetime').toBe(200);

    moveClock(clockFile, 2);
    const response = await get(server.url, '/home', cookie);
    expect(response.status, 'eight days on: past the lifetime').toBe(302);
    expect(response.headers.get('location')).toBe('/login?next=%2Fhome');
  });

  it('dates what the import worker writes on the moved clock too', async () => {
    expect(clockOffset(clockFile)).toBe(8 * DAY);
    const { cookie } = await signIn(server.url, 'admin@example.com', PASSWORD);
    const form = new FormData();
    form.set('file', new File(['email,name,department,role\nimported@example.com,Imported,営業部,learner\n'], 'users.csv', { type: 'text/csv' }));
    const posted = await fetch(`${server.url}/admin/users?_action=admin.importUsers`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookie!, origin: server.url },
      body: form,
    });
    expect((await afterPost(server.url, posted, cookie)).status).toBe(200);
    expectOnMovedClock(await createdAt('imported@example.com'));
  });

  it('dates what a CLI writes on the moved clock (user:create)', async () => {
    const result = spawnSync(process.execPath, ['src/cli/user-create.ts', '--email', 'cli@example.com', '--name', 'CLI', '--department', '営業部', '--password-stdin'], {
      cwd: ROOT,
      input: 'a password from the command line\n',
      encoding: 'utf8',
      env: { ...process.env, ...databaseEnv(t.file), MANABI_CLOCK_FILE: clockFile },
    });
    expect(result.status, result.stderr).toBe(0);
    expectOnMovedClock(await createdAt('cli@example.com'));
  });
});
