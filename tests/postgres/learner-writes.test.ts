/**
 * A learner's read-then-write paths across instances (issue 18, item 3): two pools on one
 * PostgreSQL database stand for two Manabi instances. Starting a quiz decides on what is stored
 * (resume the open attempt, or start one), so a start on each instance at once must still leave one
 * open attempt; a completion sent to both at once stores one row and says "created" once.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonCompletions, quizAttempts } from '../../db/schema/index.ts';
import { completeLesson } from '../../src/features/progress/progress.server.ts';
import { startOpenAttempt } from '../../src/features/quiz/attempts.server.ts';
import type { Db } from '../../src/platform/db.server.ts';
import { addUser } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { openInstances, type PostgresCluster, startPostgres } from '../helpers/postgres.ts';

const TIME_ZONE = 'Asia/Tokyo';
const ROUNDS = 5;
const PER_INSTANCE = 8;

let cluster: PostgresCluster;
let a: Db;
let b: Db;
const catalog = fixtureCatalog();
const quiz = catalog.quiz('basic-ai-essentials')!;
const lesson = catalog.tiers[0]!.courses[0]!.lessons[0]!;

beforeAll(async () => {
  cluster = await startPostgres();
  [a, b] = await openInstances(cluster, 4);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await cluster?.stop();
});

/** `count` calls of `work` on each instance at once. */
const onBoth = <T>(work: (db: Db) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: PER_INSTANCE * 2 }, (_, i) => work(i % 2 ? a : b)));

describe('one learner, two instances, at once', () => {
  it('starting a quiz on both leaves one open attempt: one start, the others resume it', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const userId = await addUser(a, { email: `starter${round}@example.co.jp` });
      const answers = await onBoth((db) => startOpenAttempt(db, catalog, userId, quiz, TIME_ZONE));
      const open = await a.read(async (q) =>
        q
          .select({ id: quizAttempts.id })
          .from(quizAttempts)
          .where(and(eq(quizAttempts.userId, userId), isNull(quizAttempts.submittedAt))),
      );
      expect(open).toHaveLength(1);
      expect(answers.filter((r) => r.status === 'started')).toHaveLength(1);
      expect(new Set(answers.map((r) => ('attemptId' in r ? r.attemptId : null)))).toEqual(new Set([open[0]!.id]));
    }
  });

  it('a completion sent to both stores one row and is "created" once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const userId = await addUser(a, { email: `completer${round}@example.co.jp` });
      const user = { id: userId, displayName: `completer${round}` };
      const answers = await onBoth((db) => completeLesson(db, catalog, user, lesson.id, TIME_ZONE));
      const stored = await a.read(async (q) => q.select().from(lessonCompletions).where(eq(lessonCompletions.userId, userId)));
      expect(stored).toHaveLength(1);
      expect(answers.filter((r) => r.created)).toHaveLength(1);
    }
  });
});
