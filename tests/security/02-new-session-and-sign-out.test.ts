/**
 * Checklist 2: every sign-in starts a new session (a planted cookie is never adopted), and
 * sign-out deletes the session row, so the old cookie then gets the sign-in page.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, lessonCompletions, sessions } from '../../db/schema/index.ts';
import { get, signIn } from '../helpers/http.ts';
import { PASSWORD, post, startApp, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

let app: App;

beforeAll(async () => {
  app = await startApp({ users: { alice: { name: 'Alice Victim' }, mallory: { name: 'Mallory Attacker' } }, signIn: false });
});

afterAll(async () => {
  await app?.stop();
});

const idOf = (cookie: string) => cookie.split('=')[1]!.split('.')[0]!;
const sessionRow = async (cookie: string) =>
  first(
    await rawDrizzle(app.db)
      .select()
      .from(sessions)
      .where(eq(sessions.id, idOf(cookie))),
  );

describe('checklist 2: new session on every sign-in; sign-out deletes the row; the old cookie gets the sign-in page', () => {
  it('starts a new session, with a new id and secret, at every sign-in', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const { response, cookie } = await signIn(app.url, 'alice@example.com', PASSWORD);
      expect(response.status).toBe(303);
      const [id, secret] = cookie!.split('=')[1]!.split('.') as [string, string];
      expect(seen.has(id)).toBe(false);
      expect(seen.has(secret)).toBe(false);
      seen.add(id).add(secret);
      expect((await sessionRow(cookie!))!.userId).toBe(app.ids.alice);
    }
  });

  it('never adopts a session cookie the browser already had (session fixation)', async () => {
    // The attacker signs in, then plants their own valid cookie in the victim's browser.
    const planted = (await signIn(app.url, 'mallory@example.com', PASSWORD)).cookie!;
    const { response, cookie } = await signIn(app.url, 'alice@example.com', PASSWORD, { origin: app.url, cookie: planted });
    expect(response.status).toBe(303);
    expect(cookie).not.toBeNull();
    expect(idOf(cookie!)).not.toBe(idOf(planted));
    // the planted session ended; it was not turned into the victim's
    expect(await sessionRow(planted)).toBeNull();
    const attackerView = await get(app.url, '/home', planted);
    expect(attackerView.status).toBe(302);
    const victimView = await get(app.url, '/home', cookie);
    expect(victimView.status).toBe(200);
    expect(await victimView.text()).toContain('Alice Victim');

    // A made-up cookie value is not adopted either: the session gets a fresh server-made token.
    const forged = 'manabi_session=aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb';
    const again = await signIn(app.url, 'alice@example.com', PASSWORD, { origin: app.url, cookie: forged });
    expect(again.cookie).not.toBe(forged);
    expect(first(await rawDrizzle(app.db).select().from(sessions).where(eq(sessions.id, 'aaaaaaaaaaaaaaaaaaaaaaaa')))).toBeNull();
  });

  it('deletes the session row at sign-out (form action), clears the cookie, and the old cookie gets the sign-in page', async () => {
    const { cookie } = await signIn(app.url, 'alice@example.com', PASSWORD);
    expect((await get(app.url, '/home', cookie)).status).toBe(200);
    const before = (await rawDrizzle(app.db).select().from(auditLog).where(eq(auditLog.action, 'auth.sign_out'))).length;

    const out = await post(app.url, '/logout?_action=auth.logout', cookie, {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login?signed_out=1');
    const cleared = out.headers.getSetCookie().find((c) => c.startsWith('manabi_session='));
    expect(cleared).toMatch(/^manabi_session=;/);
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect(await sessionRow(cookie!)).toBeNull();
    expect(await rawDrizzle(app.db).select().from(auditLog).where(eq(auditLog.action, 'auth.sign_out'))).toHaveLength(before + 1);

    // the old cookie, replayed: pages send it to sign in, the sign-in page shows the form
    const home = await get(app.url, '/home', cookie);
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/login?next=%2Fhome');
    const login = await get(app.url, '/login?next=%2Fhome', cookie);
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('name="password"');
    expect(html).not.toContain('Alice Victim');
    // and it can no longer act
    const lessonId = 'what-is-generative-ai';
    const act = await post(app.url, `/learn/basic-ai-essentials/${lessonId}?_action=lesson.complete`, cookie, { lessonId });
    expect(act.status).toBe(401);
    expect(
      await rawDrizzle(app.db)
        .select()
        .from(lessonCompletions)
        .where(and(eq(lessonCompletions.userId, app.ids.alice!), eq(lessonCompletions.lessonId, lessonId))),
    ).toEqual([]);
  });

  it('signs out through the action endpoint and in English the same way', async () => {
    const rpcCookie = (await signIn(app.url, 'alice@example.com', PASSWORD)).cookie!;
    const rpc = await post(app.url, '/_actions/auth.logout', rpcCookie, {});
    expect(rpc.status).toBeLessThan(300);
    expect(await sessionRow(rpcCookie)).toBeNull();
    expect((await get(app.url, '/home', rpcCookie)).status).toBe(302);

    const enCookie = (await signIn(app.url, 'alice@example.com', PASSWORD)).cookie!;
    const en = await post(app.url, '/en/logout?_action=auth.logout', enCookie, {});
    expect(en.status).toBe(303);
    expect(en.headers.get('location')).toBe('/en/login?signed_out=1');
    expect(await sessionRow(enCookie)).toBeNull();
    const after = await get(app.url, '/en/home', enCookie);
    expect(after.headers.get('location')).toBe('/en/login?next=%2Fen%2Fhome');
  });

  it('ends only the session that signed out, not the user’s other devices', async () => {
    const laptop = (await signIn(app.url, 'alice@example.com', PASSWORD)).cookie!;
    const phone = (await signIn(app.url, 'alice@example.com', PASSWORD)).cookie!;
    await post(app.url, '/logout?_action=auth.logout', laptop, {});
    expect(await sessionRow(laptop)).toBeNull();
    expect((await get(app.url, '/home', phone)).status).toBe(200);
  });
});
