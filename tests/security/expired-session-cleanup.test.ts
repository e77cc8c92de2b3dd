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
import { addUser, tempDb, type TempDb, onPostgres } from '../helpers/db.ts';
import { get, signIn } from '../helpers/http.ts';
import { PASSWORD, startApp, type App } from './support.ts';
import { first } from '../../src/platform/query.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Inserts `count` sessions of a user with the given ages; returns their ids. */
function insertSessions(db: Db, userId: number, count: number, ages: { createdMsAgo: number; activeMsAgo: number }, prefix: string): string[] {
  const now = Date.now();
  const insert = rawSqlite(db).prepare('insert into sessions (id, secret_hash, user_id, created_at, last_active_at, auth_method) values (?, ?, ?, ?, ?, ?)');
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
  rawSqlite(db).transaction(() => {
    for (const id of ids) insert.run(id, randomBytes(32), userId, now - ages.createdMsAgo, now - ages.activeMsAgo, 'password');
  })();
  return ids;
}

const countLike = (db: Db, prefix: string): number => rawSqlite(db).prepare('select count(*) from sessions where id like ?').pluck().get(`${prefix}%`) as number;

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
      prepare: (db, ids) => {
        insertSessions(db, ids.owner!, 1234, { createdMsAgo: HOUR, activeMsAgo: 31 * MINUTE }, 'idle');
        insertSessions(db, ids.owner!, 20, { createdMsAgo: 3 * HOUR, activeMsAgo: 0 }, 'old');
        insertSessions(db, ids.owner!, 5, { createdMsAgo: HOUR, activeMsAgo: 5 * MINUTE }, 'live');
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('deletes the backlog left from before the start (idle and past the absolute lifetime), keeping live sessions', async () => {
    expect(await waitFor(() => countLike(app.db, 'idle') === 0 && countLike(app.db, 'old') === 0, 5000), `idle ${countLike(app.db, 'idle')}, old ${countLike(app.db, 'old')}`).toBe(
      true,
    );
    expect(countLike(app.db, 'live')).toBe(5);
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
    insertSessions(t.db, userId, 1200, { createdMsAgo: HOUR, activeMsAgo: HOUR }, 'x');
    expect(await deleteExpiredSessions(t.db, lifetime, new Date(), 500)).toBe(500);
    expect(countLike(t.db, 'x')).toBe(700);
  });

  it('works off a large backlog in batches, letting other work run between them', async () => {
    insertSessions(t.db, userId, 5000, { createdMsAgo: HOUR, activeMsAgo: HOUR }, 'x');
    insertSessions(t.db, userId, 3, { createdMsAgo: MINUTE, activeMsAgo: MINUTE }, 'y');
    const seenMeanwhile: number[] = [];
    let done = false;
    const ticker = (): void =>
      void setImmediate(() => {
        if (done) return;
        seenMeanwhile.push(countLike(t.db, 'x'));
        ticker();
      });
    ticker();
    const deleted = await deleteExpiredSessionsInBatches(t.db, lifetime, 500);
    done = true;
    expect(deleted).toBe(5000);
    expect(countLike(t.db, 'x')).toBe(0);
    expect(countLike(t.db, 'y')).toBe(3);
    // requests (here: other callbacks) ran while the backlog was half done
    expect(
      seenMeanwhile.some((n) => n > 0 && n < 5000),
      JSON.stringify(seenMeanwhile.slice(0, 20)),
    ).toBe(true);
  });
});
