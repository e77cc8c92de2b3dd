/**
 * Checklist 15: the audit log records sign-ins, denials, admin changes and exports with who,
 * what and when (UTC), never a secret (no password or token text in any row), and it is
 * append-only: SQL triggers abort every UPDATE and DELETE, however phrased.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, sessions, users, type AuditEntry } from '../../db/schema/index.ts';
import { formatDateTime } from '../../src/platform/dates.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import { get, signIn } from '../helpers/http.ts';
import { afterPost, type App, PASSWORD, post, startApp } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { onPostgres, sqlRows } from '../helpers/db.ts';

let app: App;
let t0: number;
let t1: number;
let hrId: number;
/** Every secret that passed through the app during the test: none may be in the log. */
const secrets: string[] = [PASSWORD];

const WRONG = 'Wr0ng-Secret-Pass-9917';
const GHOST = 'Ghost-Secret-Pass-4471';
const NEW_PASSWORD = 'Lea-New-Secret-Pass-5523';
const FIRST_PASSWORD = 'Inv-First-Secret-Pass-3381';

async function signInKeeping(who: string, password = PASSWORD): Promise<string> {
  const { cookie } = await signIn(app.url, `${who}@example.com`, password);
  const token = cookie!.split('=')[1]!;
  secrets.push(token, token.split('.')[1]!);
  return cookie!;
}

const admin = (page: string, action: string, fields: Record<string, string>) => post(app.url, `${page}?_action=admin.${action}`, app.cookies.ada, fields);

async function upload(page: string, action: string, name: string, content: string): Promise<Response> {
  const form = new FormData();
  form.set('file', new File([content], name, { type: 'text/csv' }));
  return fetch(`${app.url}${page}?_action=admin.${action}`, { method: 'POST', redirect: 'manual', headers: { cookie: app.cookies.ada!, origin: app.url }, body: form });
}

beforeAll(async () => {
  app = await startApp({
    users: { ada: { role: 'admin', department: 'IT' }, lea: {}, cham: { role: 'champion' }, hana: { department: 'HR' }, inv: { password: null } },
    prepare: async (db) => void (hrId = await ensureDepartment(rawDrizzle(db), 'HR')),
    signIn: false,
  });
  t0 = Date.now();
  // sign-ins, good and bad
  for (const who of ['ada', 'lea', 'cham']) app.cookies[who] = await signInKeeping(who);
  await signIn(app.url, 'lea@example.com', WRONG);
  await signIn(app.url, 'ghost@example.com', GHOST);
  const second = await signInKeeping('lea');
  await post(app.url, '/logout?_action=auth.logout', second, {});
  // denials
  await get(app.url, '/admin', app.cookies.lea);
  await post(app.url, '/_actions/admin.saveBaseline', app.cookies.lea, { from: '2026-01', to: '2026-02' });
  await get(app.url, `/champion?department=${hrId}`, app.cookies.cham);
  await get(app.url, `/champion/roster.csv?department=${hrId}`, app.cookies.cham);
  // admin changes
  await admin('/admin/users', 'updateUser', { userId: String(app.ids.hana), role: 'champion', departmentId: '' });
  await admin('/admin/users', 'setActive', { userId: String(app.ids.hana), active: 'false' });
  await admin('/admin/users', 'setActive', { userId: String(app.ids.hana), active: 'true' });
  // post/redirect/get: a new link is shown once, on the page the 303 leads to
  const created = await (
    await afterPost(app.url, await admin('/admin/users', 'createUser', { email: 'newbie@example.com', name: 'Newbie', department: 'Sales', role: 'learner' }), app.cookies.ada)
  ).text();
  const page = await (await afterPost(app.url, await admin('/admin/users', 'createLoginLink', { userId: String(app.ids.inv) }), app.cookies.ada)).text();
  for (const html of [created, page]) {
    const token = /\/login\/link\/([a-z2-9]{24}\.[a-z2-9]{24})/.exec(html)![1]!;
    secrets.push(token, token.split('.')[1]!);
  }
  const linkToken = /\/login\/link\/([a-z2-9]{24}\.[a-z2-9]{24})/.exec(page)![1]!;
  await post(app.url, `/login/link/${linkToken}?_action=auth.useLink`, null, { token: linkToken, password: FIRST_PASSWORD });
  await admin('/admin/assignments', 'createAssignment', {
    tierId: 'applied',
    target: 'department',
    departmentId: String(hrId),
    dueKind: 'days',
    dueDays: '30',
    role: '',
    waveId: '',
    dueDate: '',
  });
  const [{ assignmentId }] = (await sqlRows<{ assignmentId: number }>(app.db, 'select max(id) "assignmentId" from assignments')) as [{ assignmentId: number }];
  await admin('/admin/assignments', 'deleteAssignment', { assignmentId: String(assignmentId) });
  await admin('/admin/waves', 'saveWave', { waveId: '', name: 'Audit wave', position: '0', startDate: '2026-04-01', endDate: '2026-06-30', description: '' });
  const [{ waveId }] = (await sqlRows<{ waveId: number }>(app.db, 'select max(id) "waveId" from waves')) as [{ waveId: number }];
  await admin('/admin/waves', 'deleteWave', { waveId: String(waveId) });
  await admin('/admin/helpdesk', 'saveInquiries', { month: '2026-04', departmentId: '', count: '7' });
  await admin('/admin/settings', 'saveBaseline', { from: '2026-01', to: '2026-03' });
  await upload('/admin/users', 'importUsers', 'users.csv', 'email,name,department,role\nimported@example.com,Imported,Sales,learner\n');
  await upload('/admin/helpdesk', 'importInquiries', 'h.csv', 'month,department,count\n2026-05,HR,3\n');
  // exports
  await (await get(app.url, '/admin/exports/users.csv', app.cookies.ada)).text();
  await (await get(app.url, '/admin/exports/xapi.json', app.cookies.ada)).text();
  await (await get(app.url, '/champion/roster.csv', app.cookies.cham)).text();
  // a password change
  await post(app.url, '/account?_action=auth.changePassword', app.cookies.lea, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  secrets.push(WRONG, GHOST, NEW_PASSWORD, FIRST_PASSWORD);
  t1 = Date.now();
  for (const row of await rawDrizzle(app.db).select({ hash: users.passwordHash }).from(users)) if (row.hash) secrets.push(row.hash, row.hash.split('$').at(-1)!);
  for (const row of await rawDrizzle(app.db).select({ hash: sessions.secretHash }).from(sessions))
    secrets.push(Buffer.from(row.hash).toString('hex'), Buffer.from(row.hash).toString('base64'));
});

afterAll(async () => {
  await app?.stop();
});

const rows = async () => await rawDrizzle(app.db).select().from(auditLog);

async function find(action: string, match: Partial<AuditEntry> = {}): Promise<AuditEntry[]> {
  return (await rows()).filter((r) => r.action === action && Object.entries(match).every(([k, v]) => (r as Record<string, unknown>)[k] === v));
}

describe('checklist 15: audit log for sign-ins, denials, admin changes, exports — who, what, when (UTC), no secrets, append-only', () => {
  it('records sign-ins, failed sign-ins, sign-outs and link use, naming who', async () => {
    for (const who of ['ada', 'lea', 'cham'])
      expect((await find('auth.sign_in', { actorUserId: app.ids[who]!, actorLabel: `${who}@example.com` })).length, who).toBeGreaterThanOrEqual(1);
    expect((await find('auth.sign_in_failed', { actorLabel: 'lea@example.com', actorUserId: null })).map((r) => r.details?.reason)).toContain('wrong_password');
    expect((await find('auth.sign_in_failed', { actorLabel: 'ghost@example.com' })).map((r) => r.details?.reason)).toContain('unknown_email');
    expect(await find('auth.sign_out', { actorUserId: app.ids.lea! })).toHaveLength(1);
    expect(await find('auth.link_used', { actorUserId: app.ids.inv! })).toHaveLength(1);
  });

  it('records denials: routes, actions and another department', async () => {
    const denied = await find('access.denied');
    expect(denied.filter((r) => r.actorUserId === app.ids.lea && r.targetId === '/admin')).toHaveLength(1);
    expect(denied.filter((r) => r.actorUserId === app.ids.lea && r.targetId === '/_actions/admin.saveBaseline')).toHaveLength(1);
    expect(denied.filter((r) => r.actorUserId === app.ids.cham && r.targetType === 'department' && r.targetId === String(hrId))).toHaveLength(2);
  });

  it('records every admin change once, naming the admin and what changed', async () => {
    const byAdmin = async (action: string) => await find(action, { actorUserId: app.ids.ada!, actorLabel: 'ada@example.com' });
    expect(await byAdmin('user.updated')).toHaveLength(1);
    expect((await byAdmin('user.updated'))[0]).toMatchObject({
      targetType: 'user',
      targetId: String(app.ids.hana),
      details: { before: { role: 'learner' }, after: { role: 'champion' } },
    });
    expect(await byAdmin('user.deactivated')).toHaveLength(1);
    expect(await byAdmin('user.reactivated')).toHaveLength(1);
    // One from the form, one per user the CSV import created.
    expect((await byAdmin('user.created')).map((r) => r.details?.via ?? 'form')).toEqual(['form', 'import']);
    expect(await byAdmin('user.login_link_created')).toHaveLength(2);
    for (const action of ['assignment.created', 'assignment.deleted', 'wave.created', 'wave.deleted', 'helpdesk.saved', 'baseline.saved', 'users.imported', 'helpdesk.imported']) {
      expect(await byAdmin(action), action).toHaveLength(1);
    }
    expect(await find('user.password_set', { actorUserId: app.ids.lea!, targetId: String(app.ids.lea) })).toHaveLength(1);
  });

  it('records exports, with what was exported', async () => {
    const exports = await find('export.downloaded');
    expect(exports.filter((r) => r.actorUserId === app.ids.ada && r.targetId === 'users')).toHaveLength(1);
    expect(exports.filter((r) => r.actorUserId === app.ids.ada && r.targetId === 'xapi')).toHaveLength(1);
    expect(exports.filter((r) => r.actorUserId === app.ids.cham && r.targetType === 'roster')).toHaveLength(1);
  });

  it('says when, as UTC instants, and from where', async () => {
    const all = await rows();
    expect(all.length).toBeGreaterThan(25);
    const raw = await sqlRows<{ id: number; at: unknown; ip: string | null }>(app.db, 'select id, at, ip from audit_log');
    for (const row of raw) {
      // integer milliseconds since the Unix epoch: an instant, no local time zone in it (PostgreSQL's bigint comes as its digits)
      if (onPostgres) row.at = /^\d+$/.test(String(row.at)) ? Number(row.at) : row.at;
      expect(Number.isInteger(row.at), `row ${row.id}`).toBe(true);
      expect(row.at as number, `row ${row.id}`).toBeGreaterThanOrEqual(t0 - 1);
      expect(row.at as number, `row ${row.id}`).toBeLessThanOrEqual(t1 + 1);
      expect(row.ip, `row ${row.id}`).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    }
    // the admin's view shows them in UTC
    const html = await (await get(app.url, '/admin/audit', app.cookies.ada)).text();
    const latest = all.at(-1)!;
    expect(html).toContain(`datetime="${latest.at.toISOString()}"`);
    expect(html).toContain(formatDateTime(latest.at, 'ja', 'UTC', { seconds: true }));
  });

  it('never holds a password, token or secret in any row', async () => {
    expect(secrets.length).toBeGreaterThan(15);
    const dump = JSON.stringify(await sqlRows(app.db, 'select * from audit_log'));
    for (const secret of secrets) expect(dump.includes(secret), `the audit log contains ${secret.slice(0, 12)}…`).toBe(false);
    // nor does the server's own log
    const log = app.server.output();
    for (const secret of secrets.filter((s) => !s.startsWith('$argon2'))) expect(log.includes(secret), `the server log contains ${secret.slice(0, 12)}…`).toBe(false);
  });

  it('is append-only: every UPDATE and DELETE is aborted by a trigger, however it is phrased', async () => {
    const triggers = onPostgres
      ? await sqlRows<{ name: string }>(app.db, "select tgname as name from pg_trigger where tgrelid = 'audit_log'::regclass and not tgisinternal")
      : await sqlRows<{ name: string }>(app.db, "select name from sqlite_master where type = 'trigger' and tbl_name = 'audit_log'");
    // PostgreSQL has no REPLACE (an insert reusing an id fails on the key) but has TRUNCATE, which skips row triggers.
    const own = onPostgres ? ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_no_truncate'] : ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_no_replace'];
    expect(triggers.map((t) => t.name)).toEqual(expect.arrayContaining(own));
    const all = async (): Promise<string> => JSON.stringify(await sqlRows(app.db, 'select * from audit_log order by id'));
    const before = await all();
    const first = (await rows())[0]!;
    const attempts = [
      `update audit_log set action = 'rewritten' where id = ${first.id}`,
      `update audit_log set actor_label = null`,
      `delete from audit_log where id = ${first.id}`,
      'delete from audit_log',
      `insert into audit_log (id, at, action) values (${first.id}, 0, 'rewritten') on conflict(id) do update set action = excluded.action`,
      ...(onPostgres
        ? ['truncate audit_log']
        : [
            `insert or replace into audit_log (id, at, action) values (${first.id}, 0, 'rewritten')`,
            `replace into audit_log (id, at, action) values (${first.id}, 0, 'rewritten')`,
          ]),
    ];
    for (const sql of attempts) await expect(sqlRows(app.db, sql), sql).rejects.toThrow(/append-only/);
    expect(await all()).toBe(before);
    // appending still works
    await rawDrizzle(app.db).insert(auditLog).values({ at: new Date(), action: 'auth.sign_in', actorLabel: 'appended@example.com' });
    expect(await find('auth.sign_in', { actorLabel: 'appended@example.com' })).toHaveLength(1);
  });
});
