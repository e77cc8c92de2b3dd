/**
 * The learner's practice answers (db/schema/practice.ts), read and written only for that learner:
 * every function takes the session user's id, and nothing here joins users or departments, so no
 * champion, admin, export or xAPI view can list them.
 *
 * Only the latest answer per task is kept. A revision replaces the text: the learner revises to
 * compare with the model answer, the transcript shows where they ended, and a history would keep
 * more private text (possibly a pasted draft) than the practice needs.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { practiceAnswers } from '../../../db/schema/index.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { ACTIVITY_INSERT, type ActivityStatements, recordActivityWith } from '../progress/activity.server.ts';
import type { PracticeAnswer } from './practice.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { first } from '../../platform/query.ts';

/** Built per call: a table's columns are the dialect's once the database is open (db/schema/index.ts), not at import. */
const COLUMNS = () => ({
  lessonId: practiceAnswers.lessonId,
  taskId: practiceAnswers.taskId,
  answer: practiceAnswers.answer,
  createdAt: practiceAnswers.createdAt,
  updatedAt: practiceAnswers.updatedAt,
});

/** This learner's answers on one lesson, by task id (every lesson page asks: prepared once per connection). */
export async function ownLessonAnswers(db: Db, userId: number, lessonId: string): Promise<Record<string, PracticeAnswer>> {
  const query = db.prepared('practice.lesson', (q) =>
    q
      .select(COLUMNS())
      .from(practiceAnswers)
      .where(and(eq(practiceAnswers.userId, sql.placeholder('userId')), eq(practiceAnswers.lessonId, sql.placeholder('lessonId'))))
      .prepare(),
  );
  const rows = await db.read(async () => await query.execute({ userId, lessonId }));
  return Object.fromEntries(rows.map((row) => [row.taskId, row]));
}

/** Every answer of this learner, for their own transcript; lesson and task ids in order. */
export async function loadOwnPracticeAnswers(db: Db, userId: number): Promise<PracticeAnswer[]> {
  return db.read(
    async (q) => await q.select(COLUMNS()).from(practiceAnswers).where(eq(practiceAnswers.userId, userId)).orderBy(asc(practiceAnswers.lessonId), asc(practiceAnswers.taskId)),
  );
}

export interface AnswerInput {
  userId: number;
  lessonId: string;
  taskId: string;
  answer: string;
}

/**
 * Stores the answer (a revision replaces the previous one) and records the month's activity in
 * the same write. `created`: the first answer to this task. Call inside `db.write`.
 */
export async function saveAnswerIn(tx: Tx, activity: ActivityStatements, input: AnswerInput, timeZone: string, now = clockNow()): Promise<{ created: boolean }> {
  const existed =
    first(
      await tx
        .select({ taskId: practiceAnswers.taskId })
        .from(practiceAnswers)
        .where(and(eq(practiceAnswers.userId, input.userId), eq(practiceAnswers.lessonId, input.lessonId), eq(practiceAnswers.taskId, input.taskId))),
    ) !== null;
  await tx
    .insert(practiceAnswers)
    .values({ ...input, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [practiceAnswers.userId, practiceAnswers.lessonId, practiceAnswers.taskId], set: { answer: input.answer, updatedAt: now } });
  await recordActivityWith(tx, activity, input.userId, timeZone, now);
  return { created: !existed };
}

/** `saveAnswerIn` as its own write. */
export async function saveAnswer(db: Db, input: AnswerInput, timeZone: string, now = clockNow()): Promise<{ created: boolean }> {
  return db.write(async (tx) => await saveAnswerIn(tx, db.prepared(...ACTIVITY_INSERT), input, timeZone, now));
}
