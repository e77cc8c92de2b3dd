/**
 * Checklist 9: password-reset and first sign-in links are stored hashed, work once, expire
 * within an hour, and their page (which carries the token in its address) sends no Referer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256 } from '@oslojs/crypto/sha2';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, loginTokens, sessions, users } from '../../db/schema/index.ts';
import { LOGIN_LINK_LIFETIME_MS } from '../../src/features/auth/login-links.server.ts';
import { generateSecureRandomString } from '../../src/features/auth/session.server.ts';
import { get, signIn } from '../helpers/http.ts';
import { afterPost, dumpDatabase, PASSWORD, post, ROOT, startApp, submit, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

const HOUR = 3_600_000;
const LINK = /value="(http[^"]+\/login\/link\/([a-z2-9]{24})\.([a-z2-9]{24}))"/;
let app: App;
/** Every link secret handed out, to look for in the database, the audit log and the server log. */
const secrets: string[] = [];

beforeAll(async () => {
  app = await startApp({
    users: { admin: { role: 'admin', department: 'IT' }, una: {}, vic: {}, wes: {}, xia: {}, yan: {}, zed: {} },
    signIn: false,
  });
  app.cookies.admin = (await signIn(app.url, 'admin@example.com', PASSWORD)).cookie!;
});

afterAll(async () => {
  await app?.stop();
});

/** Asks for a link on the admin page, as an admin would; returns the token and the page's response. */
async function linkFor(key: string): Promise<{ token: string; id: string; secret: string; path: string; response: Response; html: string }> {
  // Post/redirect/get: the link is shown once, on the page the 303 leads to.
  const posted = await post(app.url, '/admin/users?_action=admin.createLoginLink', app.cookies.admin, { userId: String(app.ids[key]) });
  expect(posted.status).toBe(303);
  const response = await afterPost(app.url, posted, app.cookies.admin);
  expect(response.status).toBe(200);
  const html = await response.text();
  const match = LINK.exec(html);
  expect(match, 'the page shows the link').not.toBeNull();
  const [, url, id, secret] = match!;
  secrets.push(secret!);
  return { token: `${id}.${secret}`, id: id!, secret: secret!, path: new URL(url!).pathname, response, html };
}

/** Uses a link: a success is the 303 that signs in; a refusal is the link page the 303 leads to (post/redirect/get). */
async function useLink(token: string, password: string, target = `/login/link/${token}`): Promise<Response> {
  const posted = await post(app.url, `${target}?_action=auth.useLink`, null, { token, password });
  return posted.headers.getSetCookie().some((c) => c.startsWith('manabi_session=')) ? posted : afterPost(app.url, posted, null);
}
const tokenRow = async (id: string) => first(await rawDrizzle(app.db).select().from(loginTokens).where(eq(loginTokens.id, id)));

describe('checklist 9: one-time links hashed, single-use, expiring within an hour, no Referer', () => {
  it('stores only a SHA-256 of the link’s secret, which has 120 bits', async () => {
    const { id, secret, token } = await linkFor('una');
    expect(secret).toMatch(/^[a-z2-9]{24}$/);
    const row = (await tokenRow(id))!;
    expect(Buffer.from(row.secretHash).equals(Buffer.from(sha256(new TextEncoder().encode(secret))))).toBe(true);
    const dump = await dumpDatabase(app.db);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(token);
  });

  it('expires within an hour of its creation, and an expired link is refused', async () => {
    expect(LOGIN_LINK_LIFETIME_MS).toBeLessThanOrEqual(HOUR);
    const before = Date.now();
    const { id, token } = await linkFor('vic');
    const row = (await tokenRow(id))!;
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(HOUR);
    expect(row.expiresAt.getTime()).toBeLessThanOrEqual(before + HOUR + 2000);

    await rawDrizzle(app.db)
      .update(loginTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(loginTokens.id, id));
    const response = await useLink(token, 'a password for vic');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('有効期限');
    expect((await tokenRow(id))!.usedAt).toBeNull();
    expect(first(await rawDrizzle(app.db).select().from(users).where(eq(users.id, app.ids.vic!)))!.passwordHash).not.toBeNull();
    expect((await signIn(app.url, 'vic@example.com', 'a password for vic')).page.status).toBe(401);
  });

  it('works once: a second use is refused, and a GET never uses it up', async () => {
    const { id, token, path } = await linkFor('wes');
    for (const page of [path, `/en${path}`]) {
      expect((await get(app.url, page)).status).toBe(200);
      await fetch(`${app.url}${page}`, { method: 'HEAD' });
    }
    expect((await tokenRow(id))!.usedAt).toBeNull();

    const first = await useLink(token, 'wes sets a password');
    expect(first.status).toBe(303);
    expect((await tokenRow(id))!.usedAt).not.toBeNull();
    const second = await useLink(token, 'wes tries once more');
    expect(second.status).toBe(400);
    expect(await second.text()).toContain('このリンクはすでに使われています。');
    expect((await signIn(app.url, 'wes@example.com', 'wes sets a password')).response.status).toBe(303);
    expect((await signIn(app.url, 'wes@example.com', 'wes tries once more')).page.status).toBe(401);
  });

  it('works once even when used twice at the same moment', async () => {
    const { token } = await linkFor('xia');
    const sessionsBefore = (await rawDrizzle(app.db).select().from(sessions).where(eq(sessions.userId, app.ids.xia!))).length;
    const results = await Promise.all(['xia one password', 'xia two password', 'xia three password', 'xia four password'].map((p) => useLink(token, p)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([303, 400, 400, 400]);
    expect(await rawDrizzle(app.db).select().from(sessions).where(eq(sessions.userId, app.ids.xia!))).toHaveLength(sessionsBefore + 1);
    const winner = ['xia one password', 'xia two password', 'xia three password', 'xia four password'][results.findIndex((r) => r.status === 303)]!;
    expect((await signIn(app.url, 'xia@example.com', winner)).response.status).toBe(303);
  });

  it('refuses a wrong secret of the right length without using the link, and a newer link replaces an unused one', async () => {
    const { id, secret, token } = await linkFor('yan');
    let wrong = generateSecureRandomString();
    while (wrong === secret) wrong = generateSecureRandomString();
    const forged = await useLink(`${id}.${wrong}`, 'yan forged password');
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('このリンクは無効です。');
    expect((await tokenRow(id))!.usedAt).toBeNull();

    // the comparison itself is constant-time, as for sessions
    const source = fs.readFileSync(path.join(ROOT, 'src/features/auth/login-links.server.ts'), 'utf8');
    expect(source).toMatch(/constantTimeEqual\(\s*hashSecret\(secret\)/);

    const newer = await linkFor('yan');
    expect((await useLink(token, 'yan with the old link')).status).toBe(400);
    expect((await useLink(newer.token, 'yan with the new link')).status).toBe(303);
  });

  it('is refused for a deactivated user', async () => {
    const { token } = await linkFor('zed');
    await post(app.url, '/admin/users?_action=admin.setActive', app.cookies.admin, { userId: String(app.ids.zed), active: 'false' });
    expect((await useLink(token, 'zed while deactivated')).status).toBe(400);
    expect(await rawDrizzle(app.db).select().from(sessions).where(eq(sessions.userId, app.ids.zed!))).toEqual([]);
    const refused = await submit(app.url, '/admin/users?_action=admin.createLoginLink', app.cookies.admin, { userId: String(app.ids.zed) });
    expect(refused.status).toBe(400);
  });

  it('sends Referrer-Policy: no-referrer wherever the token is in the address or on the page', async () => {
    const { token, path, response, html: adminPage } = await linkFor('una');
    expect(response.headers.get('referrer-policy'), 'the admin page showing the link').toBe('no-referrer');
    // a <meta name="referrer"> would override the header: it must say the same
    expect(adminPage).toContain('<meta name="referrer" content="no-referrer"');
    const pages = [path, `/en${path}`, `/login/link/${'a'.repeat(24)}.${'b'.repeat(24)}`, '/login/link/not-a-token'];
    for (const page of pages) {
      const answer = await get(app.url, page);
      expect(answer.status, page).toBe(200);
      expect(answer.headers.get('referrer-policy'), page).toBe('no-referrer');
      const html = await answer.text();
      expect(html, page).not.toMatch(/<meta name="referrer" content="(?!no-referrer")/);
    }
    // the error answers of the same page too
    const refused = await useLink(token, 'short');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('keeps link secrets out of the audit log and the server’s log', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const audit = JSON.stringify(await rawDrizzle(app.db).select().from(auditLog));
    const log = app.server.output();
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  });
});
