/**
 * Issue 11, item 18: expired sessions were never deleted (`deleteExpiredSessions` ran only in
 * tests). The server now deletes them at start and every SESSION_CLEANUP_SECONDS, in batches
 * that leave the event loop free between them. Proven on a running server (rows disappear
 * without anyone presenting their cookie) and, for the batching, on a real SQLite file.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessions } from '../../db/schema/index.ts';
import { type Db, rawDrizzle, rawSqlite } from '../../src/platform/db.server.ts';
import { deleteExpiredSessionsInBatches } from '../../src/platform/housekeeping.server.ts';
import { deleteExpiredSessions } from '../../src/features/auth/session.server.ts';
import { addUser, tempDb, type TempDb, onPostgres, sqlRows } from '../helpers/db.ts';
import { get, signIn } from '../helpers/http.ts';
import { PASSWORD, startApp, type App } from './support.ts';
import { first } from '../../src/platform/query.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Inserts `count` sessions of a user with the given ages; returns their ids. */
async function insertSessions(db: Db, userId: number, count: number, ages: { createdMsAgo: number; activeMsAgo: number }, prefix: string): Promise<string[]> {
  const now = Date.now();
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
  const rows = ids.map((id) => ({
    id,
    secretHash: randomBytes(32),
    userId,
    createdAt: new Date(now - ages.createdMsAgo),
    lastActiveAt: new Date(now - ages.activeMsAgo),
    authMethod: 'password' as const,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await rawDrizzle(db)
      .insert(sessions)
      .values(rows.slice(i, i + 500));
  return ids;
}

const countLike = async (db: Db, prefix: string): Promise<number> =>
  (await sqlRows<{ n: number }>(db, 'select cast(count(*) as integer) n from sessions where id like ?', `${prefix}%`))[0]!.n;
/** The same, synchronously (SQLite only): counted between the clean-up's batches. */
const countLikeNow = (db: Db, prefix: string): number => rawSqlite(db).prepare('select count(*) from sessions where id like ?').pluck().get(`${prefix}%`) as number;

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('issue 11 item 18: a running server deletes expired sessions', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({
      users: { owner: {}, active: {} },
      env: { SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '2', SESSION_CLEANUP_SECONDS: '1' },
      signIn: false,
      prepare: async (db, ids) => {
        await insertSessions(db, ids.owner!, 1234, { createdMsAgo: HOUR, activeMsAgo: 31 * MINUTE }, 'idle');
        await insertSessions(db, ids.owner!, 20, { createdMsAgo: 3 * HOUR, activeMsAgo: 0 }, 'old');
        await insertSessions(db, ids.owner!, 5, { createdMsAgo: HOUR, activeMsAgo: 5 * MINUTE }, 'live');
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('deletes the backlog left from before the start (idle and past the absolute lifetime), keeping live sessions', async () => {
    const gone = await waitFor(async () => (await countLike(app.db, 'idle')) === 0 && (await countLike(app.db, 'old')) === 0, 5000);
    expect(gone, `idle ${await countLike(app.db, 'idle')}, old ${await countLike(app.db, 'old')}`).toBe(true);
    expect(await countLike(app.db, 'live')).toBe(5);
  });

  it('deletes a session that expires while the server runs, although nobody ever presents it again', async () => {
    const abandoned = (await signIn(app.url, 'owner@example.com', PASSWORD)).cookie!;
    const kept = (await signIn(app.url, 'active@example.com', PASSWORD)).cookie!;
    const idOf = (cookie: string) => cookie.split('=')[1]!.split('.')[0]!;
    const row = async (cookie: string) =>
      first(
        await rawDrizzle(app.db)
          .select()
          .from(sessions)
          .where(eq(sessions.id, idOf(cookie))),
      );
    expect(await row(abandoned)).not.toBeNull();
    // 31 minutes pass for this session (the idle limit is 30)
    await rawDrizzle(app.db)
      .update(sessions)
      .set({ lastActiveAt: new Date(Date.now() - 31 * MINUTE) })
      .where(eq(sessions.id, idOf(abandoned)));
    expect(await waitFor(async () => (await row(abandoned)) === null, 5000), 'the abandoned session is deleted').toBe(true);
    expect(await row(kept)).not.toBeNull();
    expect((await get(app.url, '/home', kept)).status).toBe(200);
  });
});

describe.skipIf(onPostgres)('batched deletes on a real SQLite file', () => {
  let t: TempDb;
  let userId: number;
  const lifetime = { idleMs: 30 * MINUTE, maxAgeMs: 2 * HOUR };
  beforeEach(async () => {
    t = tempDb();
    userId = await addUser(t.db, { email: 'many@example.com' });
  });
  afterEach(() => t.cleanup());

  it('deletes at most one batch per statement', async () => {
    await insertSessions(t.db, userId, 1200, { createdMsAgo: HOUR, activeMsAgo: HOUR }, 'x');
    expect(await deleteExpiredSessions(t.db, lifetime, new Date(), 500)).toBe(500);
    expect(await countLike(t.db, 'x')).toBe(700);
  });

  it('works off a large backlog in batches, letting other work run between them', async () => {
    await insertSessions(t.db, userId, 5000, { createdMsAgo: HOUR, activeMsAgo: HOUR }, 'x');
    await insertSessions(t.db, userId, 3, { createdMsAgo: MINUTE, activeMsAgo: MINUTE }, 'y');
    const seenMeanwhile: number[] = [];
    let done = false;
    const ticker = (): void =>
      void setImmediate(() => {
        if (done) return;
        seenMeanwhile.push(countLikeNow(t.db, 'x'));
        ticker();
      });
    ticker();
    const deleted = await deleteExpiredSessionsInBatches(t.db, lifetime, 500);
    done = true;
    expect(deleted).toBe(5000);
    expect(await countLike(t.db, 'x')).toBe(0);
    expect(await countLike(t.db, 'y')).toBe(3);
    // requests (here: other callbacks) ran while the backlog was half done
    expect(
      seenMeanwhile.some((n) => n > 0 && n < 5000),
      JSON.stringify(seenMeanwhile.slice(0, 20)),
    ).toBe(true);
  });
});
