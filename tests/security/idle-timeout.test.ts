/**
 * Issue 11, item 11: with SESSION_IDLE_MINUTES=1 an active user (a request every 20 s) was
 * signed out at 60 s: last activity was written once a minute and expiry was checked against
 * that stale value. Now it is written at least ten times per idle window, so an active user
 * stays signed in and an idle one still leaves on time.
 * First on a real SQLite file with an injected clock, then against the real server (the clock
 * moved by ageing the session row, plus a few seconds of real requests).
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessions } from '../../db/schema/index.ts';
import { createSession, validateSessionToken } from '../../src/features/auth/session.server.ts';
import { addUser, sqlRows, tempDb, type TempDb } from '../helpers/db.ts';
import { get, signIn } from '../helpers/http.ts';
import { PASSWORD, startApp, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('idle timeout on a real database with an injected clock', () => {
  let t: TempDb;
  let userId: number;
  beforeEach(async () => {
    t = tempDb();
    userId = await addUser(t.db, { email: 'busy@example.com' });
  });
  afterEach(() => t.cleanup());

  it('keeps a user who makes a request every 20 s signed in for 10 minutes of a 1-minute idle window', async () => {
    const lifetime = { idleMs: MINUTE, maxAgeMs: 24 * 60 * MINUTE };
    const start = Date.parse('2026-05-01T09:00:00Z');
    const { token } = await createSession(t.db, userId, lifetime, new Date(start));
    for (let at = 20 * SECOND; at <= 10 * MINUTE; at += 20 * SECOND) {
      expect(await validateSessionToken(t.db, token, lifetime, new Date(start + at)), `request at ${at / SECOND} s`).not.toBeNull();
    }
    // then the user stops: one idle window later the session is over
    expect(await validateSessionToken(t.db, token, lifetime, new Date(start + 10 * MINUTE + MINUTE))).toBeNull();
  });

  it('works the same for other windows and cadences: never out while active, out after a full idle window', async () => {
    for (const [idleMinutes, everySeconds] of [
      [1, 50],
      [2, 100],
      [5, 240],
      [30, 25 * 60],
      [720, 11 * 3600],
    ] as const) {
      const lifetime = { idleMs: idleMinutes * MINUTE, maxAgeMs: 1000 * 60 * MINUTE };
      const start = Date.parse('2026-05-01T09:00:00Z');
      const { token } = await createSession(t.db, userId, lifetime, new Date(start));
      let at = 0;
      for (let i = 0; i < 12; i++) {
        at += everySeconds * SECOND;
        expect(await validateSessionToken(t.db, token, lifetime, new Date(start + at)), `${idleMinutes} min window, request ${i} at ${at / SECOND} s`).not.toBeNull();
      }
      expect(await validateSessionToken(t.db, token, lifetime, new Date(start + at + lifetime.idleMs)), `${idleMinutes} min window, idle`).toBeNull();
    }
  });

  it('still writes last activity sparingly: not on every request', async () => {
    const lifetime = { idleMs: 12 * 60 * MINUTE, maxAgeMs: 7 * 24 * 60 * MINUTE };
    const start = Date.parse('2026-05-01T09:00:00Z');
    const { token, session } = await createSession(t.db, userId, lifetime, new Date(start));
    const stored = async () => first(await rawDrizzle(t.db).select().from(sessions).where(eq(sessions.id, session.id)))!.lastActiveAt.getTime();
    await validateSessionToken(t.db, token, lifetime, new Date(start + 30 * SECOND));
    expect(await stored()).toBe(start);
    await validateSessionToken(t.db, token, lifetime, new Date(start + 61 * SECOND));
    expect(await stored()).toBe(start + 61 * SECOND);
  });
});

describe('idle timeout on the real server (SESSION_IDLE_MINUTES=1)', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ users: { busy: {}, idle: {}, live: {} }, env: { SESSION_IDLE_MINUTES: '1' }, signIn: false });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const idOf = (cookie: string) => cookie.split('=')[1]!.split('.')[0]!;
  const stored = async (cookie: string) =>
    first(
      await rawDrizzle(app.db)
        .select()
        .from(sessions)
        .where(eq(sessions.id, idOf(cookie))),
    );
  /** Moves the clock for this session forward: its timestamps move back. */
  const pass = (cookie: string, ms: number) =>
    sqlRows(app.db, 'update sessions set last_active_at = last_active_at - ?, created_at = created_at - ? where id = ?', ms, ms, idOf(cookie));

  it('keeps a user with a request every 20 s signed in past 60 s (3 minutes), and signs them out after a minute idle', async () => {
    const cookie = (await signIn(app.url, 'busy@example.com', PASSWORD)).cookie!;
    for (let i = 1; i <= 9; i++) {
      await pass(cookie, 20 * SECOND);
      const response = await get(app.url, '/home', cookie);
      expect(response.status, `request ${i}, ${i * 20} s after sign-in`).toBe(200);
    }
    await pass(cookie, 61 * SECOND);
    expect((await get(app.url, '/home', cookie)).status).toBe(302);
    expect(await stored(cookie)).toBeNull();
  });

  it('an idle session still ends after one minute', async () => {
    const cookie = (await signIn(app.url, 'idle@example.com', PASSWORD)).cookie!;
    await pass(cookie, 59 * SECOND);
    expect((await get(app.url, '/home', cookie)).status).toBe(200);
    await pass(cookie, 60 * SECOND);
    expect((await get(app.url, '/home', cookie)).status).toBe(302);
  });

  it('refreshes last activity within seconds of real requests (a tenth of the window)', async () => {
    const cookie = (await signIn(app.url, 'live@example.com', PASSWORD)).cookie!;
    const signedInAt = (await stored(cookie))!.lastActiveAt.getTime();
    const deadline = Date.now() + 9 * SECOND;
    while (Date.now() < deadline && (await stored(cookie))!.lastActiveAt.getTime() === signedInAt) {
      await new Promise((resolve) => setTimeout(resolve, SECOND));
      expect((await get(app.url, '/home', cookie)).status).toBe(200);
    }
    const refreshed = (await stored(cookie))!.lastActiveAt.getTime();
    expect(refreshed - signedInAt).toBeGreaterThanOrEqual(6 * SECOND);
    expect(refreshed - signedInAt).toBeLessThan(9 * SECOND);
  });
});
