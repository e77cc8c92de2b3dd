/**
 * Running the programme over real HTTP against the fixture build: user management with
 * immediate session end on deactivation, one-time sign-in links, the audit log (append-only,
 * one row per change naming the admin), assignments with due dates, the monthly check-in,
 * help-desk and users CSV imports (all or nothing), CSV exports.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, auditLog, checkins, helpdeskInquiries, loginTokens, sessions, users } from '../../db/schema/index.ts';
import { type Db, rawDrizzle } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb, sqlRows } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { afterPost, get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { first } from '../../src/platform/query.ts';

const PASSWORD = 'programme password';
let t: TempDb;
let server: RunningServer;
let db: Db;
const ids: Record<string, number> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = tempDb();
  ids.admin = await addUser(t.db, { email: 'admin@example.com', password: PASSWORD, role: 'admin', department: 'IT' });
  ids.learner = await addUser(t.db, { email: 'learner@example.com', password: PASSWORD, department: 'Sales' });
  ids.leaver = await addUser(t.db, { email: 'leaver@example.com', password: PASSWORD, department: 'Sales' });
  void t.db.close();
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  db = reopenDb(t.file);
  for (const who of ['admin', 'learner', 'leaver']) cookies[who] = (await signIn(server.url, `${who}@example.com`, PASSWORD)).cookie!;
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

const admin = (path: string, action: string, fields: Record<string, string> | [string, string][]) =>
  postForm(server.url, `${path}?_action=admin.${action}`, cookies.admin!, fields);
/** The page the admin sees after a post: post/redirect/get shows the answer (and its status) there. */
const shown = async (posted: Promise<Response>, cookie: string | null = cookies.admin!) => afterPost(server.url, await posted, cookie);

/** Uploads a CSV on an admin page; the report is on the page the post's 303 leads to. */
async function upload(path: string, action: string, name: string, content: string, extra: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.set('file', new File([content], name, { type: 'text/csv' }));
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  return shown(fetch(`${server.url}${path}?_action=admin.${action}`, { method: 'POST', redirect: 'manual', headers: { cookie: cookies.admin!, origin: server.url }, body: form }));
}

describe('audit log', () => {
  it('records a role change once, naming the admin, and refuses UPDATE and DELETE', async () => {
    const before = (await rawDrizzle(db).select().from(auditLog).where(eq(auditLog.action, 'user.updated'))).length;
    const response = await admin('/admin/users', 'updateUser', { userId: String(ids.learner), role: 'champion', departmentId: '' });
    expect(response.status).toBe(303);
    const rows = await rawDrizzle(db).select().from(auditLog).where(eq(auditLog.action, 'user.updated'));
    expect(rows).toHaveLength(before + 1);
    const row = rows.at(-1)!;
    expect(row).toMatchObject({ actorUserId: ids.admin, actorLabel: 'admin@example.com', targetType: 'user', targetId: String(ids.learner) });
    expect(row.details).toMatchObject({ before: { role: 'learner' }, after: { role: 'champion', departmentId: null } });
    expect(row.ip).toBeTruthy();
    await expect(sqlRows(db, 'update audit_log set action = ? where id = ?', 'x', row.id)).rejects.toThrow(/append-only/);
    await expect(sqlRows(db, 'delete from audit_log where id = ?', row.id)).rejects.toThrow(/append-only/);
    // the change took effect on the learner's next request
    expect((await get(server.url, '/champion', cookies.learner)).status).toBe(200);
  });

  it('records sign-ins, failed sign-ins (never the password) and denials', async () => {
    await signIn(server.url, 'learner@example.com', 'wrong password here');
    const failed = (await rawDrizzle(db).select().from(auditLog).where(eq(auditLog.action, 'auth.sign_in_failed'))).at(-1)!;
    expect(failed.actorLabel).toBe('learner@example.com');
    expect(JSON.stringify(failed)).not.toContain('wrong password here');
    expect((await rawDrizzle(db).select().from(auditLog).where(eq(auditLog.action, 'auth.sign_in'))).length).toBeGreaterThanOrEqual(3);
    await get(server.url, '/admin', cookies.leaver);
    expect(
      (
        await rawDrizzle(db)
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.action, 'access.denied'), eq(auditLog.actorUserId, ids.leaver!)))
      ).length,
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('user management', () => {
  it('deactivation ends the user’s sessions at once; reactivation lets them sign in again', async () => {
    expect((await get(server.url, '/home', cookies.leaver)).status).toBe(200);
    expect((await admin('/admin/users', 'setActive', { userId: String(ids.leaver), active: 'false' })).status).toBe(303);
    expect(await rawDrizzle(db).select().from(sessions).where(eq(sessions.userId, ids.leaver!))).toEqual([]);
    expect((await get(server.url, '/home', cookies.leaver)).status).toBe(302);
    expect((await signIn(server.url, 'leaver@example.com', PASSWORD)).page.status).toBe(401);
    await admin('/admin/users', 'setActive', { userId: String(ids.leaver), active: 'true' });
    const again = await signIn(server.url, 'leaver@example.com', PASSWORD);
    expect(again.response.status).toBe(303);
    cookies.leaver = again.cookie!;
  });

  it('creates a user with a one-time sign-in link: hashed, single use, at most an hour', async () => {
    const response = await shown(admin('/admin/users', 'createUser', { email: 'new@example.com', name: '新入 太郎', department: '新規部', role: 'learner' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    const link = /value="(http[^"]+\/login\/link\/([a-z2-9]{24})\.([a-z2-9]{24}))"/.exec(html);
    expect(link).not.toBeNull();
    const [, url, tokenId, secret] = link!;
    const stored = first(await rawDrizzle(db).select().from(loginTokens).where(eq(loginTokens.id, tokenId!)))!;
    expect(JSON.stringify({ ...stored, secretHash: Buffer.from(stored.secretHash).toString('hex') })).not.toContain(secret!);
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBeLessThanOrEqual(3_600_000);

    const path = new URL(url!).pathname;
    expect((await get(server.url, path)).status).toBe(200); // GET does not use the link up
    const used = await postForm(server.url, `${path}?_action=auth.useLink`, null, { token: `${tokenId}.${secret}`, password: 'my new password' });
    expect(used.status).toBe(303);
    const cookie = used.headers
      .getSetCookie()
      .find((c) => c.startsWith('manabi_session='))!
      .split(';')[0]!;
    expect((await get(server.url, '/home', cookie)).status).toBe(200);
    const again = await shown(postForm(server.url, `${path}?_action=auth.useLink`, null, { token: `${tokenId}.${secret}`, password: 'another password' }), null);
    expect(again.status).toBe(400);
    expect((await signIn(server.url, 'new@example.com', 'my new password')).response.status).toBe(303);
    expect((await signIn(server.url, 'new@example.com', 'another password')).page.status).toBe(401);
  });

  it('refuses an expired link', async () => {
    const response = await shown(admin('/admin/users', 'createLoginLink', { userId: String(ids.learner) }));
    const token = /\/login\/link\/([a-z2-9]{24}\.[a-z2-9]{24})/.exec(await response.text())![1]!;
    await rawDrizzle(db)
      .update(loginTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(loginTokens.id, token.split('.')[0]!));
    const used = await shown(postForm(server.url, `/login/link/${token}?_action=auth.useLink`, null, { token, password: 'whatever password' }), null);
    expect(used.status).toBe(400);
    expect(await used.text()).toContain('有効期限');
  });

  // The users CSV import is SQLite-only for now (README: not yet on PostgreSQL).
  it('imports users from the browser all or nothing, naming the bad row', async () => {
    const bad = await upload('/admin/users', 'importUsers', 'users.csv', 'email,name,department,role\nok@example.com,OK,Sales,learner\nbroken,B,Sales,learner\n');
    expect(await bad.text()).toContain('3行目：メールアドレス「broken」が正しくありません');
    expect(await rawDrizzle(db).select().from(users).where(eq(users.email, 'ok@example.com'))).toEqual([]);
    const good = await upload('/admin/users', 'importUsers', 'users.csv', 'email,name,department,role\nok@example.com,"Okada, K",Sales,learner\n');
    expect(good.status).toBe(200);
    expect(first(await rawDrizzle(db).select().from(users).where(eq(users.email, 'ok@example.com')))!.displayName).toBe('Okada, K');
  });
});

describe('assignments', () => {
  it('shows the learner what is assigned and when it is overdue', async () => {
    const home = async () => (await get(server.url, '/home', cookies.leaver)).text();
    expect(await home()).toContain('基礎：期限なし');
    expect(
      (
        await admin('/admin/assignments', 'createAssignment', {
          tierId: 'basic',
          target: 'department',
          departmentId: String(first(await rawDrizzle(db).select().from(users).where(eq(users.id, ids.leaver!)))!.departmentId),
          dueKind: 'date',
          dueDate: '2020-01-31',
          role: '',
          waveId: '',
          dueDays: '',
        })
      ).status,
    ).toBe(303);
    const html = await home();
    expect(html).toContain('期限を過ぎています');
    expect(html).toMatch(/notice--error/);
    expect((await rawDrizzle(db).select().from(assignments)).length).toBe(4);
  });

  it('refuses an assignment without its target', async () => {
    const response = await shown(
      admin('/admin/assignments', 'createAssignment', { tierId: 'basic', target: 'department', departmentId: '', dueKind: 'none', role: '', waveId: '', dueDate: '', dueDays: '' }),
    );
    expect(response.status).toBe(400);
    expect((await rawDrizzle(db).select().from(assignments)).length).toBe(4);
  });

  it('refuses a department or wave that does not exist, with its own message, creating nothing', async () => {
    for (const [target, message] of [
      ['department', 'unknown_department'],
      ['wave', 'unknown_wave'],
    ] as const) {
      const fields = {
        tierId: 'basic',
        target,
        departmentId: target === 'department' ? '99999' : '',
        waveId: target === 'wave' ? '99999' : '',
        dueKind: 'none',
        role: '',
        dueDate: '',
        dueDays: '',
      };
      const response = await shown(admin('/admin/assignments', 'createAssignment', fields));
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(message);
    }
    expect((await rawDrizzle(db).select().from(assignments)).length).toBe(4);
  });

  it('refuses a due date that is not a calendar day', async () => {
    const departmentId = String(first(await rawDrizzle(db).select().from(users).where(eq(users.id, ids.leaver!)))!.departmentId);
    const response = await shown(
      admin('/admin/assignments', 'createAssignment', {
        tierId: 'applied',
        target: 'department',
        departmentId,
        dueKind: 'date',
        dueDate: '2026-02-31',
        role: '',
        waveId: '',
        dueDays: '',
      }),
    );
    expect(response.status).toBe(400);
    expect((await rawDrizzle(db).select().from(assignments)).length).toBe(4);
  });
});

describe('monthly check-in', () => {
  const save = (fields: Record<string, string>) => postForm(server.url, '/home?_action=checkin.save', cookies.learner!, fields);
  it('stores hours per user and month, editable, and refuses out-of-range or non-half hours', async () => {
    expect((await save({ hoursSaved: '2.5', tasks: '議事録' })).status).toBe(303);
    expect((await save({ hoursSaved: '4', tasks: '' })).status).toBe(303);
    const rows = await rawDrizzle(db).select().from(checkins).where(eq(checkins.userId, ids.learner!));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ hoursSaved: 4, tasks: null });
    for (const hoursSaved of ['201', '-1', '1.25', 'abc', '', '  ']) expect((await shown(save({ hoursSaved }), cookies.learner!)).status, hoursSaved).toBe(400);
    expect(first(await rawDrizzle(db).select().from(checkins).where(eq(checkins.userId, ids.learner!)))!.hoursSaved).toBe(4);
  });

  it('can be dismissed for the month', async () => {
    expect(await (await get(server.url, '/home', cookies.leaver)).text()).toContain('id="checkin"');
    await postForm(server.url, '/home?_action=checkin.dismiss', cookies.leaver!, {});
    expect(await (await get(server.url, '/home', cookies.leaver)).text()).not.toContain('id="checkin"');
  });
});

describe('help-desk inquiries', () => {
  it('imports all or nothing and refuses unknown departments', async () => {
    const bad = await upload('/admin/helpdesk', 'importInquiries', 'h.csv', 'month,department,count\n2026-04,Sales,12\n2026-13,Sales,1\n2026-05,Nowhere,3\n');
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain('3行目：月「2026-13」は YYYY-MM の形で書いてください');
    expect(text).toContain('4行目：部門「Nowhere」は登録されていません');
    expect(await rawDrizzle(db).select().from(helpdeskInquiries)).toEqual([]);
    const good = await upload('/admin/helpdesk', 'importInquiries', 'h.csv', 'month,department,count\n2026-04,Sales,12\n2026-04,,5\n');
    expect(good.status).toBe(200);
    expect((await rawDrizzle(db).select().from(helpdeskInquiries)).map((r) => r.count).sort()).toEqual([12, 5].sort());
  });
});

describe('exports', () => {
  // Its "Okada, K" comes from the import above.
  it('streams CSV with correct quoting, and a BOM when asked', async () => {
    const plain = new Uint8Array(await (await get(server.url, '/admin/exports/users.csv', cookies.admin)).arrayBuffer());
    const bom = new Uint8Array(await (await get(server.url, '/admin/exports/users.csv?bom=1', cookies.admin)).arrayBuffer());
    expect([...bom.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(plain[0]).toBe('e'.charCodeAt(0));
    const text = new TextDecoder().decode(plain);
    expect(text).toContain('"Okada, K"');
    expect(text.split('\r\n')[0]).toMatch(/^email,name,department,role,active/);
    expect((await rawDrizzle(db).select().from(auditLog).where(eq(auditLog.action, 'export.downloaded'))).length).toBeGreaterThanOrEqual(2);
    expect((await get(server.url, '/admin/exports/secrets.csv', cookies.admin)).status).toBe(404);
  });
});
