/**
 * Lesson completions, lesson views (activity) and the learner record the progress
 * logic (`src/lib/progress.ts`) works from. Always scoped by the session's user id.
 */
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { certificates, lessonCompletions, lessonViews, quizAttempts } from '../../../db/schema.ts';
import type { Catalog } from '../content/catalog.ts';
import { dayKey } from '../dates.ts';
import { computeProgress, type LearnerRecord, type QuizRecord } from '../progress.ts';
import { recordActivity } from './activity.ts';
import { prepared } from './prepared.ts';
import { generateSecureRandomString } from './session.ts';
import type { Db, DbExecutor } from './db.ts';

export function loadLearnerRecord(db: DbExecutor, userId: number): LearnerRecord {
  const completed = prepared(db, 'learner.completions', () =>
    db
      .select({ lessonId: lessonCompletions.lessonId })
      .from(lessonCompletions)
      .where(eq(lessonCompletions.userId, sql.placeholder('userId')))
      .prepare(),
  ).all({ userId });
  const quizzes = prepared(db, 'learner.quizzes', () =>
    db
      .select({
        quizId: quizAttempts.quizId,
        attempts: sql<number>`count(*)`,
        best: sql<number | null>`max(${quizAttempts.score} * 100.0 / ${quizAttempts.maxScore})`,
        passed: sql<number>`max(${quizAttempts.passed})`,
      })
      .from(quizAttempts)
      .where(and(eq(quizAttempts.userId, sql.placeholder('userId')), isNotNull(quizAttempts.submittedAt)))
      .groupBy(quizAttempts.quizId)
      .prepare(),
  ).all({ userId });
  return {
    completedLessons: new Set(completed.map((c) => c.lessonId)),
    quizzes: new Map<string, QuizRecord>(
      quizzes.map((q) => [
        q.quizId,
        { attempts: q.attempts, bestPercent: q.best === null ? null : Math.round(q.best * 10) / 10, passed: q.passed === 1 },
      ]),
    ),
  };
}

export function completedAt(db: DbExecutor, userId: number, lessonId: string): Date | null {
  const row = prepared(db, 'learner.completedAt', () =>
    db
      .select({ at: lessonCompletions.completedAt })
      .from(lessonCompletions)
      .where(and(eq(lessonCompletions.userId, sql.placeholder('userId')), eq(lessonCompletions.lessonId, sql.placeholder('lessonId'))))
      .prepare(),
  ).get({ userId, lessonId });
  return row?.at ?? null;
}

export interface CompletionResult {
  /** False when the lesson was already complete (a double submission stores one row). */
  created: boolean;
  certificatesIssued: string[];
}

/**
 * Marks a lesson complete (once) and issues the certificate of any tier this completes,
 * in one short immediate transaction.
 */
export function completeLesson(
  db: Db,
  catalog: Catalog,
  user: { id: number; displayName: string },
  lessonId: string,
  now = new Date(),
): CompletionResult {
  return db.transaction(
    (tx) => {
      const created =
        tx
          .insert(lessonCompletions)
          .values({ userId: user.id, lessonId, completedAt: now })
          .onConflictDoNothing()
          .run().changes === 1;
      const certificatesIssued = created ? issueDueCertificates(tx, catalog, user, now) : [];
      return { created, certificatesIssued };
    },
    { behavior: 'immediate' },
  );
}

/** Lesson views known to be stored, per connection: `userId:lessonId` → day. Bounded, as a cache. */
const viewsSeen = new WeakMap<object, Map<string, string>>();
const MAX_VIEWS_SEEN = 100_000;

/** The analytics record of opening a lesson: at most one row per user, lesson and day (and the month's activity). */
export function recordLessonView(db: DbExecutor, userId: number, lessonId: string, timeZone: string, now = new Date()): void {
  const day = dayKey(now, timeZone);
  // Most views repeat one already recorded today: remembering those spares the database a
  // write attempt on nearly every lesson page. The row stays the single source of truth.
  let seen = viewsSeen.get(db);
  if (!seen) viewsSeen.set(db, (seen = new Map()));
  const key = `${userId}:${lessonId}`;
  if (seen.get(key) === day) return;
  const inserted = prepared(db, 'lessonViews.insert', () =>
    db
      .insert(lessonViews)
      .values({ userId: sql.placeholder('userId'), lessonId: sql.placeholder('lessonId'), day: sql.placeholder('day'), viewedAt: sql.placeholder('viewedAt') })
      .onConflictDoNothing()
      .prepare(),
  ).run({ userId, lessonId, day, viewedAt: now });
  if (inserted.changes === 1) recordActivity(db, userId, timeZone, now);
  if (seen.size >= MAX_VIEWS_SEEN) seen.clear();
  seen.set(key, day);
}

/**
 * Issues one certificate per completed tier that has none yet; returns the new codes.
 * Runs inside the caller's transaction, right after the write that may complete a tier.
 */
export function issueDueCertificates(
  tx: DbExecutor,
  catalog: Catalog,
  user: { id: number; displayName: string },
  now: Date,
): string[] {
  const progress = computeProgress(catalog, loadLearnerRecord(tx, user.id));
  const issued: string[] = [];
  for (const tier of progress.tiers) {
    if (!tier.complete) continue;
    const code = generateSecureRandomString();
    const inserted = tx
      .insert(certificates)
      .values({ code, userId: user.id, tierId: tier.tier.id, holderName: user.displayName, issuedAt: now })
      .onConflictDoNothing({ target: [certificates.userId, certificates.tierId] })
      .run().changes;
    if (inserted === 1) issued.push(code);
  }
  return issued;
}
