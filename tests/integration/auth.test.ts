/**
 * Sign-in against the real built server, a real SQLite file and the real migrations.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema/index.ts';
import { type Db, rawDrizzle } from '../../src/platform/db.server.ts';
import { firstLesson } from '../helpers/catalog.ts';
import { addUser, tempDb, type TempDb, reopenDb, sqlRows } from '../helpers/db.ts';
import { get, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { first } from '../../src/platform/query.ts';

const lesson = firstLesson();
const LESSON = lesson.path;
const PASSWORD = 'correct horse battery';

let t: TempDb;
let server: RunningServer;
let db: Db;

beforeAll(async () => {
  t = tempDb();
  await addUser(t.db, { email: 'learner@example.com', password: PASSWORD, name: '佐藤 花子' });
  await addUser(t.db, { email: 'leaver@example.com', password: PASSWORD });
  void t.db.close();
  server = await startServer({ databasePath: t.file });
  db = reopenDb(t.file);
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

describe('anonymous visitors', () => {
  it('are sent from a lesson to the sign-in page, with the lesson as next', async () => {
    const response = await get(server.url, LESSON);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`/login?next=${encodeURIComponent(LESSON)}`);
  });

  it('keep their language on the way to sign-in', async () => {
    const response = await get(server.url, `/en${LESSON}`);
    expect(response.headers.get('location')).toBe(`/en/login?next=${encodeURIComponent(`/en${LESSON}`)}`);
  });

  it('see the landing and sign-in pages in both languages', async () => {
    for (const [path, lang] of [
      ['/', 'ja'],
      ['/en/', 'en'],
      ['/login', 'ja'],
      ['/en/login', 'en'],
    ] as const) {
      const response = await get(server.url, path);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).toContain(`<html lang="${lang}"`);
    }
  });

  it('get a 404 page for an unknown language prefix', async () => {
    const response = await get(server.url, '/fr/home');
    expect(response.status).toBe(404);
  });
});

describe('sign-in', () => {
  it('refuses a foreign Origin with 403 and creates no session', async () => {
    const before = (await rawDrizzle(db).select().from(sessions)).length;
    const { response, cookie } = await signIn(server.url, 'learner@example.com', PASSWORD, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(cookie).toBeNull();
    expect(await rawDrizzle(db).select().from(sessions)).toHaveLength(before);
  });

  it('refuses a missing Origin with 403, for JSON too', async () => {
    const noOrigin = await signIn(server.url, 'learner@example.com', PASSWORD, {});
    expect(noOrigin.response.status).toBe(403);
    const json = await fetch(`${server.url}/_actions/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ email: 'learner@example.com', password: PASSWORD }),
    });
    expect(json.status).toBe(403);
  });

  it('sets an HttpOnly, SameSite=Lax, Path=/ cookie and redirects to My learning', async () => {
    const { response, setCookie } = await signIn(server.url, 'learner@example.com', PASSWORD);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/home');
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
    expect(setCookie).toMatch(/; Path=\//i);
    expect(setCookie).not.toMatch(/; Secure/i); // plain http here; https adds Secure and the __Host- prefix
  });

  it('never stores the cookie’s secret, only its SHA-256', async () => {
    const { cookie } = await signIn(server.url, 'learner@example.com', PASSWORD);
    const token = cookie!.split('=')[1]!;
    const [id, secret] = token.split('.') as [string, string];
    expect(secret.length).toBeGreaterThanOrEqual(24);
    const rows = await sqlRows(db, 'select * from sessions');
    const dump = rows
      .map((r) =>
        Object.values(r)
          .map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') + v.toString('hex') : String(v)))
          .join('|'),
      )
      .join('\n');
    expect(dump).not.toContain(secret);
    const row = first(await rawDrizzle(db).select().from(sessions).where(eq(sessions.id, id)))!;
    expect(Buffer.from(row.secretHash).equals(Buffer.from(sha256(new TextEncoder().encode(secret))))).toBe(true);
  });

  it('starts a fresh session at every sign-in', async () => {
    const a = await signIn(server.url, 'learner@example.com', PASSWORD);
    const b = await signIn(server.url, 'learner@example.com', PASSWORD);
    expect(a.cookie).not.toBe(b.cookie);
  });

  it('goes to a same-site next, and ignores a foreign one', async () => {
    const post = (next: string) =>
      fetch(`${server.url}/login?_action=auth.login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: new URLSearchParams({ email: 'learner@example.com', password: PASSWORD, next }),
      });
    expect((await post(`/en${LESSON}`)).headers.get('location')).toBe(`/en${LESSON}`);
    expect((await post('https://evil.example/')).headers.get('location')).toBe('/home');
    expect((await post('//evil.example/')).headers.get('location')).toBe('/home');
  });

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const wrong = await signIn(server.url, 'learner@example.com', 'not the password');
    const unknown = await signIn(server.url, 'nobody@example.com', 'not the password');
    // post/redirect/get: both answer 303 back to the sign-in page, which shows the same refusal
    expect([wrong.response.status, unknown.response.status]).toEqual([303, 303]);
    expect(wrong.page.status).toBe(401);
    expect(unknown.page.status).toBe(401);
    expect(wrong.cookie).toBeNull();
    expect(unknown.cookie).toBeNull();
    const message = 'メールアドレスまたはパスワードが正しくありません。';
    expect(await wrong.page.text()).toContain(message);
    expect(await unknown.page.text()).toContain(message);
  });

  it('lets a signed-in user read a lesson in Japanese and in English', async () => {
    const { cookie } = await signIn(server.url, 'learner@example.com', PASSWORD);
    const ja = await get(server.url, LESSON, cookie);
    expect(ja.status).toBe(200);
    expect(await ja.text()).toMatch(new RegExp(`<h1[^>]*>${lesson.title.ja}</h1>`));
    const en = await get(server.url, `/en${LESSON}`, cookie);
    expect(en.status).toBe(200);
    expect(await en.text()).toMatch(new RegExp(`<h1[^>]*>${lesson.title.en}</h1>`));
  });
});

describe('sign-out and session end', () => {
  it('deletes the session; the old cookie then gets the sign-in page', async () => {
    const { cookie } = await signIn(server.url, 'learner@example.com', PASSWORD);
    const id = cookie!.split('=')[1]!.split('.')[0]!;
    expect((await get(server.url, '/home', cookie)).status).toBe(200);

    const out = await fetch(`${server.url}/logout?_action=auth.logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookie!, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login?signed_out=1');
    expect(first(await rawDrizzle(db).select().from(sessions).where(eq(sessions.id, id)))).toBeNull();

    const after = await get(server.url, '/home', cookie);
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('deactivation ends the user’s sessions at the next request, and sign-in is refused', async () => {
    const { cookie } = await signIn(server.url, 'leaver@example.com', PASSWORD);
    expect((await get(server.url, '/home', cookie)).status).toBe(200);
    await rawDrizzle(db).update(users).set({ active: false }).where(eq(users.email, 'leaver@example.com'));
    expect((await get(server.url, '/home', cookie)).status).toBe(302);
    expect((await signIn(server.url, 'leaver@example.com', PASSWORD)).page.status).toBe(401);
  });

  it('GET /logout changes nothing', async () => {
    const { cookie } = await signIn(server.url, 'learner@example.com', PASSWORD);
    await get(server.url, '/logout', cookie);
    expect((await get(server.url, '/home', cookie)).status).toBe(200);
  });
});
