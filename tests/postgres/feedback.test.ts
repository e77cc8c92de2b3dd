/**
 * The converted feature (src/features/feedback, issue 18) on a real PostgreSQL: the same reads and
 * assertions as on SQLite (tests/helpers/feedback-reads.ts), through the tables db/schema/index.ts
 * hands the feature once PostgreSQL is open.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Db } from '../../src/platform/db.server.ts';
import { openPostgres, postgresReady } from '../../src/platform/postgres.server.ts';
import { checkFeedbackReads } from '../helpers/feedback-reads.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';

let cluster: PostgresCluster;
let db: Db;

beforeAll(async () => {
  cluster = await startPostgres();
  db = openPostgres({ url: cluster.url, poolSize: 2, connectTimeoutMs: 5000, idleTimeoutMs: 1000, statementTimeoutMs: 5000 });
  await postgresReady(db);
});

afterAll(async () => {
  await db?.close();
  await cluster?.stop();
});

describe('feedback on PostgreSQL', () => {
  it('reads a learner’s own feedback, the department rating and the latest lists as on SQLite', async () => {
    await checkFeedbackReads(db);
  });
});
