/**
 * Quiz attempts on the server: start (or resume) an attempt, submit it once, read results.
 * Grading uses the content's answer key; every answer is stored per question; attempts are
 * always looked up together with the session's user id.
 */
import { and, asc, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { attemptAnswers, quizAttempts, type AttemptAnswer, type QuizAttempt } from '../../../db/schema/index.ts';
import type { Catalog, QuizNode } from '../curriculum/catalog.ts';
import { attemptLayout } from './draw.ts';
import { gradeAnswers, type AttemptLayout, type Grade } from './quiz.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { currentCycleIn, issueDueCertificates } from '../progress/progress.server.ts';
import { rollupAttempt } from '../kpi/rollups.server.ts';
import { generateSecureRandomString } from '../auth/session.server.ts';

/** The learner's current cycle of the quiz's tier (1 for a quiz the catalog cannot place). */
function quizCycleIn(tx: Tx, catalog: Catalog, userId: number, quiz: QuizNode, now: Date): number {
  const tierId = catalog.course(quiz.courseId)?.tierId;
  const tier = tierId ? catalog.tier(tierId) : null;
  return tier ? currentCycleIn(tx, userId, tier, now).number : 1;
}

function openAttemptIn(q: Tx, userId: number, quizId: string): QuizAttempt | null {
  return (
    q
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.quizId, quizId), isNull(quizAttempts.submittedAt)))
      .orderBy(desc(quizAttempts.startedAt))
      .get() ?? null
  );
}

export async function findOpenAttempt(db: Db, userId: number, quizId: string): Promise<QuizAttempt | null> {
  return db.read((q) => openAttemptIn(q, userId, quizId));
}

/** This user's attempt on this quiz, as far as checking a submission needs it; null: no such attempt. */
export async function findAttemptLayout(db: Db, userId: number, quizId: string, attemptId: string): Promise<{ layout: AttemptLayout | null } | null> {
  return db.read(
    (q) =>
      q
        .select({ layout: quizAttempts.layout })
        .from(quizAttempts)
        .where(and(eq(quizAttempts.id, attemptId), eq(quizAttempts.userId, userId), eq(quizAttempts.quizId, quizId)))
        .get() ?? null,
  );
}

export async function listSubmittedAttempts(db: Db, userId: number, quizId: string): Promise<QuizAttempt[]> {
  return db.read((q) =>
    q
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.quizId, quizId), isNotNull(quizAttempts.submittedAt)))
      .orderBy(asc(quizAttempts.submittedAt))
      .all(),
  );
}

export type StartResult = { status: 'started' | 'resumed'; attemptId: string } | { status: 'no_attempts_left' };

/**
 * Resumes the open attempt if there is one (with the questions it drew), else starts a new one
 * unless this cycle's limit is reached (a renewal cycle gives the attempts again), storing what it
 * shows (src/features/quiz/draw.ts) and the quiz version it was made against.
 */
export async function startAttempt(db: Db, catalog: Catalog, userId: number, quiz: QuizNode, now = clockNow()): Promise<StartResult> {
  return db.write((tx): StartResult => {
    const open = openAttemptIn(tx, userId, quiz.id);
    if (open) return { status: 'resumed', attemptId: open.id };
    const cycle = quizCycleIn(tx, catalog, userId, quiz, now);
    if (quiz.maxAttempts !== null) {
      const used = tx
        .select({ n: sql<number>`count(*)` })
        .from(quizAttempts)
        .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.quizId, quiz.id), eq(quizAttempts.cycle, cycle), isNotNull(quizAttempts.submittedAt)))
        .get()!.n;
      if (used >= quiz.maxAttempts) return { status: 'no_attempts_left' };
    }
    const attemptId = generateSecureRandomString();
    tx.insert(quizAttempts)
      .values({ id: attemptId, userId, quizId: quiz.id, cycle, contentVersion: quiz.version, startedAt: now, layout: attemptLayout(quiz) })
      .run();
    return { status: 'started', attemptId };
  });
}

export type SubmitResult = { status: 'submitted'; grade: Grade; certificatesIssued: string[] } | { status: 'already_submitted' } | { status: 'not_found' };

/**
 * Grades and stores an attempt exactly once. A second submission of the same attempt
 * (double click, replay) changes nothing; another user's attempt is "not found".
 */
export async function submitAttempt(
  db: Db,
  catalog: Catalog,
  user: { id: number; displayName: string },
  quiz: QuizNode,
  attemptId: string,
  answers: ReadonlyMap<string, readonly string[]>,
  timeZone: string,
  now = clockNow(),
): Promise<SubmitResult> {
  return db.write((tx) => submitAttemptIn(tx, catalog, user, quiz, attemptId, answers, timeZone, now));
}

/** `submitAttempt` inside a write that does more (call inside `db.write`). */
export function submitAttemptIn(
  tx: Tx,
  catalog: Catalog,
  user: { id: number; displayName: string },
  quiz: QuizNode,
  attemptId: string,
  answers: ReadonlyMap<string, readonly string[]>,
  timeZone: string,
  now = clockNow(),
): SubmitResult {
  const attempt = tx
    .select()
    .from(quizAttempts)
    .where(and(eq(quizAttempts.id, attemptId), eq(quizAttempts.userId, user.id), eq(quizAttempts.quizId, quiz.id)))
    .get();
  if (!attempt) return { status: 'not_found' };
  if (attempt.submittedAt !== null) return { status: 'already_submitted' };

  // Graded on the questions this attempt showed; answers to any other question are not counted.
  const grade = gradeAnswers(quiz, attempt.layout, answers);
  const questionVersions = new Map(quiz.questions.map((q) => [q.id, q.version]));
  tx.insert(attemptAnswers)
    .values(
      grade.answers.map((a) => ({
        attemptId,
        questionId: a.questionId,
        chosenOptionIds: a.chosenOptionIds,
        correct: a.correct,
        questionVersion: questionVersions.get(a.questionId) ?? '',
      })),
    )
    .run();
  // Counted in the cycle it is handed in: an attempt begun just before a renewal window opened counts for the renewal.
  const cycle = quizCycleIn(tx, catalog, user.id, quiz, now);
  const updated = tx
    .update(quizAttempts)
    .set({ submittedAt: now, score: grade.score, maxScore: grade.maxScore, passed: grade.passed, cycle })
    .where(and(eq(quizAttempts.id, attemptId), isNull(quizAttempts.submittedAt)))
    .run().changes;
  if (updated !== 1) throw new Error('attempt changed during submission');
  rollupAttempt(
    tx,
    {
      userId: user.id,
      quizId: quiz.id,
      submittedAt: now,
      score: grade.score,
      maxScore: grade.maxScore,
      passed: grade.passed,
      answers: grade.answers,
      correctOptions: new Map(quiz.questions.map((q) => [q.id, q.correctOptionIds])),
    },
    timeZone,
  );
  const certificatesIssued = grade.passed ? issueDueCertificates(tx, catalog, user, now, timeZone) : [];
  return { status: 'submitted', grade, certificatesIssued };
}

export interface AttemptResult {
  attempt: QuizAttempt;
  answers: AttemptAnswer[];
}

/** A submitted attempt of this user, with its answers; null for anyone else's or an unsubmitted one. */
export async function getAttemptResult(db: Db, userId: number, attemptId: string): Promise<AttemptResult | null> {
  return db.read((q) => {
    const attempt = q
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.id, attemptId), eq(quizAttempts.userId, userId), isNotNull(quizAttempts.submittedAt)))
      .get();
    if (!attempt) return null;
    const answers = q.select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attemptId)).all();
    return { attempt, answers };
  });
}
