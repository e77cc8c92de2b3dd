/**
 * Lesson feedback ("Was this helpful?" 1–5 and a comment). With the learner's name: one row per
 * user and lesson, changeable; the department's champion and the programme team see it with the
 * name. Without it (`anonymous`): stored with no link to the user (db/schema/feedback.ts
 * `anonymous_feedback`), still counted in the satisfaction KPI and the lists, and final.
 *
 * Each learner counts once per lesson: sending without the name replaces their named feedback on
 * that lesson (its rating leaves the roll-ups) and closes the form for that lesson, which
 * `anonymous_feedback_senders` remembers (who and which lesson only, nothing of what was sent).
 */
import { randomInt } from 'node:crypto';
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { anonymousFeedback, anonymousFeedbackSenders, departments, lessonFeedback, users, type LessonFeedback } from '../../../db/schema/index.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { monthKey } from '../../platform/dates.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { rollupAnonymousRating, rollupRating } from '../kpi/rollups.server.ts';
import { lockLearnerIn } from '../progress/records.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { first, rows } from '../../platform/query.ts';

/** What this learner has sent on a lesson: their named feedback, or that they sent it without a name. */
export type OwnFeedback = { kind: 'none' } | { kind: 'named'; feedback: LessonFeedback } | { kind: 'anonymous' };

/** What this learner has sent on a lesson (every lesson page asks: prepared once per connection). */
export async function ownFeedback(db: Db, userId: number, lessonId: string): Promise<OwnFeedback> {
  const named = db.prepared('feedback.get', (q) =>
    q
      .select()
      .from(lessonFeedback)
      .where(and(eq(lessonFeedback.userId, sql.placeholder('userId')), eq(lessonFeedback.lessonId, sql.placeholder('lessonId'))))
      .prepare(),
  );
  const anonymous = db.prepared('feedback.sentAnonymously', (q) =>
    q
      .select({ id: anonymousFeedbackSenders.id })
      .from(anonymousFeedbackSenders)
      .where(and(eq(anonymousFeedbackSenders.userId, sql.placeholder('userId')), eq(anonymousFeedbackSenders.lessonId, sql.placeholder('lessonId'))))
      .prepare(),
  );
  return db.read(async () => {
    if (first(await anonymous.execute({ userId, lessonId })) !== null) return { kind: 'anonymous' };
    const feedback = first(await named.execute({ userId, lessonId }));
    return feedback ? { kind: 'named', feedback } : { kind: 'none' };
  });
}

export interface FeedbackInput {
  userId: number;
  lessonId: string;
  rating: number;
  comment: string | null;
  locale: Locale;
  /** Sent without the learner's name. */
  anonymous?: boolean;
}

/** Random, not sequential, ids: the row order of the two anonymous tables must not pair them up. */
function randomId(): number {
  return randomInt(1, 2 ** 47);
}

/** Saves feedback; `closed` when this learner already sent feedback on the lesson without a name (final). */
export async function saveFeedback(db: Db, input: FeedbackInput, timeZone: string, now = clockNow()): Promise<'saved' | 'closed'> {
  return db.write(async (tx) => {
    // The roll-up moves by the difference to the stored rating (send.server.ts locks in ownRecordIn).
    await lockLearnerIn(tx, input.userId);
    return await saveFeedbackIn(tx, db.prepared(...FEEDBACK_STATEMENTS), input, timeZone, now);
  });
}

/** The reads and the named upsert every feedback sends, prepared once per connection. */
function feedbackStatements(q: Tx) {
  return {
    sentAnonymously: q
      .select({ id: anonymousFeedbackSenders.id })
      .from(anonymousFeedbackSenders)
      .where(and(eq(anonymousFeedbackSenders.userId, sql.placeholder('userId')), eq(anonymousFeedbackSenders.lessonId, sql.placeholder('lessonId'))))
      .prepare(),
    named: q
      .select()
      .from(lessonFeedback)
      .where(and(eq(lessonFeedback.userId, sql.placeholder('userId')), eq(lessonFeedback.lessonId, sql.placeholder('lessonId'))))
      .prepare(),
    upsert: q
      .insert(lessonFeedback)
      .values({
        userId: sql.placeholder('userId'),
        lessonId: sql.placeholder('lessonId'),
        rating: sql.placeholder('rating'),
        comment: sql.placeholder('comment'),
        locale: sql.placeholder('locale'),
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })
      // The row's new values are the ones just offered (`excluded`, as in PostgreSQL).
      .onConflictDoUpdate({
        target: [lessonFeedback.userId, lessonFeedback.lessonId],
        set: { rating: sql`excluded.rating`, comment: sql`excluded.comment`, locale: sql`excluded.locale`, updatedAt: sql`excluded.updated_at` },
      })
      .prepare(),
  };
}

/** The statements of `saveFeedbackIn`, for `db.prepared(...FEEDBACK_STATEMENTS)`. */
export const FEEDBACK_STATEMENTS = ['feedback.save', feedbackStatements] as const;

/** `saveFeedback` inside a write that does more (call inside `db.write`), on `db.prepared(...FEEDBACK_STATEMENTS)`. */
export async function saveFeedbackIn(tx: Tx, run: ReturnType<typeof feedbackStatements>, input: FeedbackInput, timeZone: string, now = clockNow()): Promise<'saved' | 'closed'> {
  const key = { userId: input.userId, lessonId: input.lessonId };
  if (first(await run.sentAnonymously.execute(key)) !== null) return 'closed';
  const before = first(await run.named.execute(key)) ?? null;
  const beforeRating = before ? { rating: before.rating, month: monthKey(before.updatedAt, timeZone) } : null;
  const month = monthKey(now, timeZone);
  if (!input.anonymous) {
    await run.upsert.execute({ ...key, rating: input.rating, comment: input.comment, locale: input.locale, now });
    await rollupRating(tx, input.userId, beforeRating, { rating: input.rating, month });
    return 'saved';
  }
  if (before) {
    await tx.delete(lessonFeedback).where(and(eq(lessonFeedback.userId, input.userId), eq(lessonFeedback.lessonId, input.lessonId)));
    await rollupRating(tx, input.userId, beforeRating, null);
  }
  const departmentId = first(await tx.select({ d: users.departmentId }).from(users).where(eq(users.id, input.userId)))?.d ?? null;
  await tx.insert(anonymousFeedback).values({ id: randomId(), lessonId: input.lessonId, departmentId, month, rating: input.rating, comment: input.comment, locale: input.locale });
  await tx.insert(anonymousFeedbackSenders).values({ id: randomId(), userId: input.userId, lessonId: input.lessonId });
  await rollupAnonymousRating(tx, departmentId ?? 0, month, input.rating);
  return 'saved';
}

/** One piece of feedback as the champion and programme views list it. */
export interface FeedbackItem {
  lessonId: string;
  rating: number;
  comment: string | null;
  /** Null: sent without a name. */
  displayName: string | null;
  department: string | null;
  /** When it was last changed; null for feedback without a name, which keeps only its month. */
  updatedAt: Date | null;
  /** `YYYY-MM` in the app's time zone. */
  month: string;
}

/**
 * The latest feedback, named and without a name together, newest first (feedback without a name
 * sorts at the start of its month). `departmentIds` null: the whole company. A read the dashboards
 * compose with their others: call inside `db.read`.
 */
export async function latestFeedback(db: Tx, options: { departmentIds: number[] | null; withCommentOnly: boolean; limit: number }, timeZone: string): Promise<FeedbackItem[]> {
  const scope = options.departmentIds === null ? null : options.departmentIds.length > 0 ? options.departmentIds : [-1];
  const named = (
    await db
      .select({
        lessonId: lessonFeedback.lessonId,
        rating: lessonFeedback.rating,
        comment: lessonFeedback.comment,
        displayName: users.displayName,
        department: departments.name,
        updatedAt: lessonFeedback.updatedAt,
      })
      .from(lessonFeedback)
      .innerJoin(users, eq(users.id, lessonFeedback.userId))
      .leftJoin(departments, eq(departments.id, users.departmentId))
      .where(and(options.withCommentOnly ? isNotNull(lessonFeedback.comment) : undefined, scope ? inArray(users.departmentId, scope) : undefined))
      .orderBy(desc(lessonFeedback.updatedAt))
      .limit(options.limit)
  ).map((f): FeedbackItem => ({ ...f, month: monthKey(f.updatedAt, timeZone) }));
  const anonymous = (
    await db
      .select({
        lessonId: anonymousFeedback.lessonId,
        rating: anonymousFeedback.rating,
        comment: anonymousFeedback.comment,
        department: departments.name,
        month: anonymousFeedback.month,
      })
      .from(anonymousFeedback)
      .leftJoin(departments, eq(departments.id, anonymousFeedback.departmentId))
      .where(and(options.withCommentOnly ? isNotNull(anonymousFeedback.comment) : undefined, scope ? inArray(anonymousFeedback.departmentId, scope) : undefined))
      .orderBy(desc(anonymousFeedback.month))
      .limit(options.limit)
  ).map((f): FeedbackItem => ({ ...f, displayName: null, updatedAt: null }));
  const sortKey = (f: FeedbackItem): string => (f.updatedAt ? `${f.month}|${String(f.updatedAt.getTime()).padStart(15, '0')}` : `${f.month}|`);
  return [...named, ...anonymous].sort((a, b) => sortKey(b).localeCompare(sortKey(a))).slice(0, options.limit);
}

/** Mean rating and number of ratings of a department, named and without a name. Call inside `db.read`. */
export async function departmentRating(db: Tx, departmentId: number): Promise<{ average: number | null; count: number }> {
  // The derived table is named (PostgreSQL before 16 requires it); pg returns sum/count of bigint as strings.
  const row = first(
    await rows<{ total: number | string | null; n: number | string }>(
      db,
      sql`
    select sum(rating) total, count(*) n from (
      select f.rating rating from lesson_feedback f join users u on u.id = f.user_id where u.department_id = ${departmentId}
      union all
      select a.rating rating from anonymous_feedback a where a.department_id = ${departmentId}
    ) ratings`,
    ),
  )!;
  const n = Number(row.n);
  return { average: n === 0 || row.total === null ? null : Number(row.total) / n, count: n };
}
