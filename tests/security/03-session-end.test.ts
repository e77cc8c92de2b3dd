/**
 * Checklist 3: sessions end after inactivity and after an absolute lifetime; deactivation, a
 * role change and a password change end the user's sessions or take effect on the next request.
 * The server runs with SESSION_IDLE_MINUTES=30 and SESSION_MAX_HOURS=2; the clock is moved by
 * ageing the session row.
 */
import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema/index.ts';
import { get, signIn } from '../helpers/http.ts';
import { afterPost, PASSWORD, post, ROOT, startApp, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { databaseEnv } from '../helpers/db.ts';
import { first } from '../../src/platform/query.ts';

const MINUTE = 60_000;
let app: App;
let cli: Promise<{ status: number | null; stderr: string }>;

beforeAll(async () => {
  app = await startApp({
    users: {
      admin: { role: 'admin', department: 'IT' },
      alice: {},
      carol: { role: 'champion' },
      dave: {},
      erin: {},
      frank: {},
      gina: {},
    },
    env: { SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '2' },
    signIn: false,
  });
  app.cookies.admin = (await signIn(app.url, 'admin@example.com', PASSWORD)).cookie!;
  // The CLI takes seconds to start: it runs while the other tests do.
  app.cookies.gina = (await signIn(app.url, 'gina@example.com', PASSWORD)).cookie!;
  cli = new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/cli/user-password.ts', '--email', 'gina@example.com', '--password-stdin'], {
      cwd: ROOT,
      env: { ...process.env, ...databaseEnv(app.file) },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (status) => resolve({ status, stderr }));
    child.stdin.end('gina got a new password\n');
  });
});

afterAll(async () => {
  await app?.stop();
});

const idOf = (cookie: string) => cookie.split('=')[1]!.split('.')[0]!;
const row = async (cookie: string) =>
  first(
    await rawDrizzle(app.db)
      .select()
      .from(sessions)
      .where(eq(sessions.id, idOf(cookie))),
  );
const age = async (cookie: string, change: { createdAt?: Date; lastActiveAt?: Date }) =>
  await rawDrizzle(app.db)
    .update(sessions)
    .set(change)
    .where(eq(sessions.id, idOf(cookie)));
const fresh = async (who: string, password = PASSWORD) => (await signIn(app.url, `${who}@example.com`, password)).cookie!;
const admin = (target: string, action: string, fields: Record<string, string>) => post(app.url, `${target}?_action=admin.${action}`, app.cookies.admin, fields);

async function expectSignedOut(cookie: string, label: string): Promise<void> {
  const response = await get(app.url, '/home', cookie);
  expect(response.status, label).toBe(302);
  expect(response.headers.get('location'), label).toBe('/login?next=%2Fhome');
}

describe('checklist 3: inactivity timeout, absolute lifetime, and deactivation / role / password changes', () => {
  it('ends a session unused for longer than the inactivity timeout (30 minutes here)', async () => {
    const cookie = await fresh('alice');
    await age(cookie, { lastActiveAt: new Date(Date.now() - 29 * MINUTE) });
    expect((await get(app.url, '/home', cookie)).status).toBe(200);
    // activity moved the clock forward again
    expect((await row(cookie))!.lastActiveAt.getTime()).toBeGreaterThan(Date.now() - MINUTE);

    await age(cookie, { lastActiveAt: new Date(Date.now() - 31 * MINUTE) });
    const response = await get(app.url, '/home', cookie);
    expect(response.status).toBe(302);
    expect(response.headers.getSetCookie().some((c) => /^manabi_session=;.*(Max-Age=0|1970)/i.test(c))).toBe(true);
    expect(await row(cookie)).toBeNull();
  });

  it('ends a session after the absolute lifetime (2 hours here), however active it is', async () => {
    const before = Date.now();
    const { cookie, setCookie } = await signIn(app.url, 'alice@example.com', PASSWORD);
    // the cookie itself expires with the absolute lifetime
    const expires = Date.parse(/Expires=([^;]+)/i.exec(setCookie!)![1]!);
    expect(expires).toBeGreaterThanOrEqual(before + 120 * MINUTE - 2000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 120 * MINUTE + 2000);

    await age(cookie!, { createdAt: new Date(Date.now() - 119 * MINUTE), lastActiveAt: new Date() });
    expect((await get(app.url, '/home', cookie)).status).toBe(200);
    await age(cookie!, { createdAt: new Date(Date.now() - 121 * MINUTE), lastActiveAt: new Date() });
    await expectSignedOut(cookie!, 'past the absolute lifetime');
    expect(await row(cookie!)).toBeNull();
  });

  it('deactivation ends all of the user’s sessions at once and refuses sign-in', async () => {
    const laptop = await fresh('dave');
    const phone = await fresh('dave');
    expect((await admin('/admin/users', 'setActive', { userId: String(app.ids.dave), active: 'false' })).status).toBe(303);
    expect(await rawDrizzle(app.db).select().from(sessions).where(eq(sessions.userId, app.ids.dave!))).toEqual([]);
    await expectSignedOut(laptop, 'laptop');
    await expectSignedOut(phone, 'phone');
    expect((await signIn(app.url, 'dave@example.com', PASSWORD)).page.status).toBe(401);

    // a deactivation written by another process (CLI, import) takes effect on the next request
    await admin('/admin/users', 'setActive', { userId: String(app.ids.dave), active: 'true' });
    const again = await fresh('dave');
    expect((await get(app.url, '/home', again)).status).toBe(200);
    await rawDrizzle(app.db).update(users).set({ active: false }).where(eq(users.id, app.ids.dave!));
    await expectSignedOut(again, 'deactivated in the database');
  });

  it('a role change takes effect on the user’s next request, down and up', async () => {
    const cookie = await fresh('carol');
    expect((await get(app.url, '/champion', cookie)).status).toBe(200);
    expect((await admin('/admin/users', 'updateUser', { userId: String(app.ids.carol), role: 'learner', departmentId: '' })).status).toBe(303);
    expect((await get(app.url, '/champion', cookie)).status).toBe(403);
    expect((await get(app.url, '/champion/roster.csv', cookie)).status).toBe(403);

    await admin('/admin/users', 'updateUser', { userId: String(app.ids.carol), role: 'admin', departmentId: '' });
    expect((await get(app.url, '/admin/users', cookie)).status).toBe(200);
    // and straight in the database
    await rawDrizzle(app.db).update(users).set({ role: 'learner' }).where(eq(users.id, app.ids.carol!));
    expect((await get(app.url, '/admin/users', cookie)).status).toBe(403);
  });

  it('a password change on the account page ends every other session and keeps this one', async () => {
    const here = await fresh('erin');
    const other = await fresh('erin');
    const response = await post(app.url, '/account?_action=auth.changePassword', here, { currentPassword: PASSWORD, newPassword: 'erin changed her password' });
    expect(response.status).toBe(303);
    // post/redirect/get: the account page shows the confirmation once
    expect(response.headers.get('location')).toBe('/account#post-result');
    expect(await (await afterPost(app.url, response, here)).text()).toContain('パスワードを変更しました');
    await expectSignedOut(other, 'the other device');
    expect((await get(app.url, '/home', here)).status).toBe(200);
    expect(await rawDrizzle(app.db).select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, app.ids.erin!))).toEqual([{ id: idOf(here) }]);
    expect((await signIn(app.url, 'erin@example.com', PASSWORD)).page.status).toBe(401);
    expect((await signIn(app.url, 'erin@example.com', 'erin changed her password')).response.status).toBe(303);
  });

  it('a password reset through a one-time link ends every session the user had', async () => {
    const old = await fresh('frank');
    const linkPage = await (await afterPost(app.url, await admin('/admin/users', 'createLoginLink', { userId: String(app.ids.frank) }), app.cookies.admin)).text();
    const token = /\/login\/link\/([a-z2-9]{24}\.[a-z2-9]{24})/.exec(linkPage)![1]!;
    const used = await post(app.url, `/login/link/${token}?_action=auth.useLink`, null, { token, password: 'frank reset his password' });
    expect(used.status).toBe(303);
    const linkSession = used.headers
      .getSetCookie()
      .find((c) => c.startsWith('manabi_session='))!
      .split(';')[0]!;
    await expectSignedOut(old, 'the session from before the reset');
    expect((await get(app.url, '/home', linkSession)).status).toBe(200);
    expect(await rawDrizzle(app.db).select().from(sessions).where(eq(sessions.userId, app.ids.frank!))).toHaveLength(1);
  });

  it('a password set with the CLI (user:password) ends every session of the user', async () => {
    const result = await cli;
    expect(result.status, result.stderr).toBe(0);
    await expectSignedOut(app.cookies.gina!, 'after user:password');
    expect((await signIn(app.url, 'gina@example.com', 'gina got a new password')).response.status).toBe(303);
  });
});
