/**
 * Setting line managers (issue 19 item 4) through the real built server over HTTP, as an admin
 * does: on a user's page by the manager's e-mail (shown with name, link and direct reports,
 * refused with a message naming the address for an unknown, deactivated or erased manager, the
 * user themself or a cycle, nothing changed then), cleared with an empty field, audited before/after;
 * and with the users CSV's manager column from the browser, its problems on the page.
 */
import { and, eq } from 'drizzle-orm';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '../../db/schema/index.ts';
import { rawDrizzle, type Db } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { afterPost, get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { first } from '../../src/platform/query.ts';

const PASSWORD = 'line manager test password';
let t: TempDb;
let server: RunningServer;
let db: Db;
let cookie: string;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = tempDb();
  ids.ada = await addUser(t.db, { email: 'ada@example.com', password: PASSWORD, role: 'admin', name: 'Ada Admin' });
  for (const [key, name] of [
    ['boss', 'Bea Boss'],
    ['rep', 'Ren Report'],
    ['gone', 'Goro Gone'],
    ['erased', 'Emi Erased'],
  ] as const)
    ids[key] = await addUser(t.db, { email: `${key}@example.com`, name });
  await rawDrizzle(t.db).update(users).set({ active: false }).where(eq(users.id, ids.gone!));
  await rawDrizzle(t.db)
    .update(users)
    .set({ erasedAt: new Date(0) })
    .where(eq(users.id, ids.erased!));
  void t.db.close();
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  db = reopenDb(t.file);
  cookie = (await signIn(server.url, 'ada@example.com', PASSWORD)).cookie!;
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

const text = (node: Element | null | undefined): string => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
/** The section's facts as "label: value". */
const facts = (section: Element): string[] => [...section.querySelectorAll('dl > div')].map((d) => `${text(d.querySelector('dt'))}: ${text(d.querySelector('dd'))}`);
const managerIdOf = async (key: string): Promise<number | null> => first(await rawDrizzle(db).select({ m: users.managerId }).from(users).where(eq(users.id, ids[key]!)))!.m;
const changes = async (key: string) =>
  await rawDrizzle(db)
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'user.updated'), eq(auditLog.targetId, String(ids[key]))));

/** Posts the page's form and follows the redirect, as a browser does; the section of the answer. */
async function setManager(key: string, managerEmail: string, prefix = ''): Promise<{ status: number; section: Element }> {
  const page = `${prefix}/admin/users/${ids[key]}`;
  const response = await afterPost(server.url, await postForm(server.url, `${page}?_action=admin.setManager`, cookie, { userId: String(ids[key]), managerEmail }), cookie);
  const { document } = parseHTML(await response.text());
  return { status: response.status, section: document.querySelector('section[aria-labelledby="manager-heading"]')! };
}

describe('the admin sets a line manager on the user page', () => {
  it('shows no manager and no reports at first, with a form for the e-mail', async () => {
    const { document } = parseHTML(await (await get(server.url, `/admin/users/${ids.rep}`, cookie)).text());
    const section = document.querySelector('section[aria-labelledby="manager-heading"]')!;
    expect(facts(section)).toEqual(['現在の上長: 設定されていません', '直属の部下: 0人']);
    expect(section.querySelector('label[for="manager-email"]')).not.toBeNull();
    expect(section.querySelector('input[name="managerEmail"]')!.getAttribute('value')).toBe('');
  });

  it('sets the manager by e-mail (any case), shows name, address and link, and counts the report on the manager', async () => {
    const { status, section } = await setManager('rep', '  BOSS@Example.com ');
    expect(status).toBe(200);
    expect(text(section)).toContain('上長を保存しました。');
    const link = section.querySelector(`a[href="/admin/users/${ids.boss}"]`)!;
    expect(text(link)).toBe('Bea Boss (boss@example.com)');
    expect(section.querySelector('input[name="managerEmail"]')!.getAttribute('value')).toBe('boss@example.com');
    expect(await managerIdOf('rep')).toBe(ids.boss);
    expect((await changes('rep')).map((r) => [r.actorUserId, r.details])).toEqual([[ids.ada, { before: { manager: null }, after: { manager: 'boss@example.com' } }]]);
    const { document } = parseHTML(await (await get(server.url, `/en/admin/users/${ids.boss}`, cookie)).text());
    expect(facts(document.querySelector('section[aria-labelledby="manager-heading"]')!)).toEqual(['Current line manager: None set', 'Direct reports: 1 person']);
  });

  it('refuses, naming the address, an unknown, erased or deactivated manager and the user themself; changes nothing', async () => {
    const cases: [string, string, string][] = [
      ['nobody@example.com', '', 'メールアドレス nobody@example.com のユーザーはいません。'],
      ['erased@example.com', '', 'メールアドレス erased@example.com のユーザーはいません。'],
      ['gone@example.com', '', 'gone@example.com は無効化されています。'],
      ['rep@example.com', '', 'rep@example.com はこのユーザー自身のアドレスです。'],
      ['nobody@example.com', '/en', 'Could not do that: no user has the e-mail nobody@example.com.'],
      ['not an address', '/en', 'Enter an e-mail address such as name@example.com'],
    ];
    for (const [email, prefix, message] of cases) {
      const { status, section } = await setManager('rep', email, prefix);
      expect(status, email).toBe(400);
      expect(text(section.querySelector('[role="alert"]')), email).toContain(message);
    }
    expect(await managerIdOf('rep')).toBe(ids.boss);
    expect(await changes('rep')).toHaveLength(1);
  });

  it('refuses a manager that would close a reporting cycle, naming the chain', async () => {
    const { status, section } = await setManager('boss', 'rep@example.com');
    expect(status).toBe(400);
    expect(text(section.querySelector('[role="alert"]'))).toContain('boss@example.com → rep@example.com → boss@example.com');
    expect(await managerIdOf('boss')).toBeNull();
  });

  it('clears the manager with an empty field, audited; saving the same again writes nothing', async () => {
    const { status, section } = await setManager('rep', '');
    expect(status).toBe(200);
    expect(text(section)).toContain('設定されていません');
    expect(await managerIdOf('rep')).toBeNull();
    expect((await changes('rep')).at(-1)!.details).toEqual({ before: { manager: 'boss@example.com' }, after: { manager: null } });
    await setManager('rep', '');
    expect(await changes('rep')).toHaveLength(2);
  });

  it('answers 404 for a user that does not exist', async () => {
    const response = await postForm(server.url, `/_actions/admin.setManager`, cookie, { userId: '99999', managerEmail: 'boss@example.com' });
    expect(response.status).toBe(404);
  });
});

describe('the users CSV manager column from the browser', () => {
  async function upload(content: string): Promise<{ status: number; body: string }> {
    const form = new FormData();
    form.set('file', new File([content], 'users.csv', { type: 'text/csv' }));
    form.set('update', 'on');
    const posted = await fetch(`${server.url}/admin/users?_action=admin.importUsers`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: server.url }, body: form });
    const response = await afterPost(server.url, posted, cookie);
    return { status: response.status, body: text(parseHTML(await response.text()).document.body) };
  }

  // The users CSV import is SQLite-only for now (README: not yet on PostgreSQL).
  it('names the bad lines and writes nothing, then imports a file whose managers come later in it', async () => {
    const bad = await upload(
      'email,name,department,role,manager\nnew@example.com,New,営業部,learner,later@example.com\nboss@example.com,Bea Boss,営業部,learner,new@example.com\n',
    );
    expect(bad.body).toContain('2行目：上長 later@example.com は登録済みのユーザーでも、このファイルにある人でもありません');
    expect(await rawDrizzle(db).select().from(users).where(eq(users.email, 'new@example.com'))).toEqual([]);
    const good = await upload(
      'email,name,department,role,manager\nnew@example.com,New,営業部,learner,later@example.com\nlater@example.com,Later,営業部,learner,boss@example.com\n',
    );
    expect(good.status).toBe(200);
    const later = first(await rawDrizzle(db).select().from(users).where(eq(users.email, 'later@example.com')))!;
    expect(later.managerId).toBe(ids.boss);
    expect(first(await rawDrizzle(db).select().from(users).where(eq(users.email, 'new@example.com')))!.managerId).toBe(later.id);
    const { document } = parseHTML(await (await get(server.url, `/admin/users/${later.id}`, cookie)).text());
    expect(text(document.querySelector('section[aria-labelledby="manager-heading"]'))).toContain('Bea Boss (boss@example.com)');
  });
});
