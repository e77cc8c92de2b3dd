/**
 * A statement taken outside a transaction and run inside one runs in it (src/platform/postgres.server.ts
 * `prepared`): bound to the pool, it needed a second connection while the transaction held the
 * first, so on a pool of one a lesson view waited for itself until the pool's timeout — and on a
 * pool of 8, 25 lesson views at once did the same to each other (503s under the two-instance load).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityMonths, lessonViews } from '../../db/schema/index.ts';
import { recordLessonView } from '../../src/features/progress/progress.server.ts';
import type { Db } from '../../src/platform/db.server.ts';
import { openPostgres, postgresReady } from '../../src/platform/postgres.server.ts';
import { addUser } from '../helpers/db.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';

let cluster: PostgresCluster;
let db: Db;

beforeAll(async () => {
  cluster = await startPostgres();
  db = openPostgres({ url: cluster.url, poolSize: 1, connectTimeoutMs: 2000, idleTimeoutMs: 1000, statementTimeoutMs: 10_000 });
  await postgresReady(db);
});

afterAll(async () => {
  await db?.close();
  await cluster?.stop();
});

describe('statements prepared outside a transaction, run inside it', () => {
  it('a lesson view on a pool of one connection: stored with its month of activity, no wait for a second connection', async () => {
    const userId = await addUser(db, { email: 'viewer@example.co.jp' });
    // Without the fix this rejects: the pool's one connection is the transaction's (timeout after 2 s).
    await recordLessonView(db, userId, 'what-is-generative-ai', 'Asia/Tokyo', new Date('2026-12-03T09:00:00Z'));
    const views = await db.read(async (q) => await q.select().from(lessonViews).where(eq(lessonViews.userId, userId)));
    const months = await db.read(async (q) => await q.select().from(activityMonths).where(eq(activityMonths.userId, userId)));
    expect(views).toHaveLength(1);
    expect(months).toHaveLength(1);
  });
});
