/**
 * Quiz attempts on the server: start (or resume) an attempt, submit it once, read results.
 * Grading uses the content's answer key; every answer is stored per question; attempts are
 * always looked up together with the session's user id.
 */
import { and, asc, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { attemptAnswers, quizAttempts, type AttemptAnswer, type QuizAttempt } from '../../../db/schema/index.ts';
import type { Catalog, QuizNode } from '../curriculum/catalog.ts';
import { attemptLayout } from './draw.ts';
import { checkAnswers, gradeAnswers, type Grade } from './quiz.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { currentCycleOf, issueDueCertificates, lockedFor } from '../progress/progress.server.ts';
import { ACTIVITY_INSERT, recordActivityWith } from '../progress/activity.server.ts';
import type { LearnerRecord } from '../progress/progress.ts';
import { OWN_RECORD, ownRecordIn } from '../progress/records.server.ts';
import { ATTEMPT_ROLLUP, rollupAttempt } from '../kpi/attempt-rollups.server.ts';
import { DEPARTMENT_OF, departmentIdWith } from '../kpi/rollups.server.ts';
import { generateSecureRandomString } from '../auth/session.server.ts';
import { PAIR_STATEMENTS, quizPairOf, rollupPairChange } from '../kpi/dept-rollups.server.ts';
import { changes, first } from '../../platform/query.ts';

/** The learner's current cycle of the quiz's tier (1 for a quiz the catalog cannot place), from their record. */
function quizCycleOf(record: LearnerRecord, catalog: Catalog, quiz: QuizNode, now: Date): number {
  const tierId = catalog.course(quiz.courseId)?.tierId;
  const tier = tierId ? catalog.tier(tierId) : null;
  return tier ? currentCycleOf(record, tier, now).number : 1;
}

async function openAttemptIn(q: Tx, userId: number, quizId: string): Promise<QuizAttempt | null> {
  return (
    first(
      await q
        .select()
        .from(quizAttempts)
        .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.quizId, quizId), isNull(quizAttempts.submittedAt)))
        .orderBy(desc(quizAttempts.startedAt)),
    ) ?? null
  );
}

export async function findOpenAttempt(db: Db, userId: number, quizId: string): Promise<QuizAttempt | null> {
  return db.read(async (q) => await openAttemptIn(q, userId, quizId));
}

export async function listSubmittedAttempts(db: Db, userId: number, quizId: string): Promise<QuizAttempt[]> {
  return db.read(
    async (q) =>
      await q
        .select()
        .from(quizAttempts)
        .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.quizId, quizId), isNotNull(quizAttempts.submittedAt)))
        .orderBy(asc(quizAttempts.submittedAt)),
  );
}

export type StartResult = { status: 'started' | 'resumed'; attemptId: string } | { status: 'no_attempts_left' };

/**
 * Resumes the open attempt if there is one (with the questions it drew), else starts a new one
 * unless this cycle's limit is reached (a renewal cycle gives the attempts again), storing what it
 * shows (src/features/quiz/draw.ts) and the quiz version it was made against.
 */
export async function startAttempt(db: Db, catalog: Catalog, userId: number, quiz: QuizNode, now = clockNow()): Promise<StartResult> {
  return db.write(async (tx) => await startAttemptIn(db, catalog, userId, quiz, await ownRecordIn(tx, db.prepared(...OWN_RECORD), userId), now));
}

/** `startAttempt` for a quiz page: refused on a locked course, in the same one transaction (the record read once). */
export async function startOpenAttempt(db: Db, catalog: Catalog, userId: number, quiz: QuizNode, timeZone: string, now = clockNow()): Promise<StartResult | { status: 'locked' }> {
  return db.write(async (tx) => {
    const record = await ownRecordIn(tx, db.prepared(...OWN_RECORD), userId);
    if (lockedFor(catalog, record, quiz.courseId, now, timeZone)) return { status: 'locked' as const };
    return await startAttemptIn(db, catalog, userId, quiz, record, now);
  });
}

async function startAttemptIn(db: Db, catalog: Catalog, userId: number, quiz: QuizNode, record: LearnerRecord, now: Date): Promise<StartResult> {
  const open = db.prepared('quizAttempts.open', (q) =>
    q
      .select({ id: quizAttempts.id })
      .from(quizAttempts)
      .where(and(eq(quizAttempts.userId, sql.placeholder('userId')), eq(quizAttempts.quizId, sql.placeholder('quizId')), isNull(quizAttempts.submittedAt)))
      .orderBy(desc(quizAttempts.startedAt))
      .limit(1)
      .prepare(),
  );
  const resumed = first(await open.execute({ userId, quizId: quiz.id }));
  if (resumed) return { status: 'resumed', attemptId: resumed.id };
  const cycle = quizCycleOf(record, catalog, quiz, now);
  // The record counts the submitted attempts per quiz and cycle.
  const used = record.attempts.find((a) => a.quizId === quiz.id && a.cycle === cycle)?.attempts ?? 0;
  if (quiz.maxAttempts !== null && used >= quiz.maxAttempts) return { status: 'no_attempts_left' };
  const insert = db.prepared('quizAttempts.insert', (q) =>
    q
      .insert(quizAttempts)
      .values({
        id: sql.placeholder('id'),
        userId: sql.placeholder('userId'),
        quizId: sql.placeholder('quizId'),
        cycle: sql.placeholder('cycle'),
        contentVersion: sql.placeholder('contentVersion'),
        startedAt: sql.placeholder('startedAt'),
        layout: sql.placeholder('layout'),
      })
      .prepare(),
  );
  const attemptId = generateSecureRandomString();
  await insert.execute({ id: attemptId, userId, quizId: quiz.id, cycle, contentVersion: quiz.version, startedAt: now, layout: attemptLayout(quiz) });
  return { status: 'started', attemptId };
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
  return db.write(async (tx) => {
    const attempt = await attemptOf(db, user.id, quiz.id, attemptId);
    const record = await ownRecordIn(tx, db.prepared(...OWN_RECORD), user.id);
    return await gradeAndStoreIn(db, tx, catalog, user, quiz, attempt, answers, record, await departmentIdWith(db.prepared(...DEPARTMENT_OF), user.id), timeZone, now);
  });
}

export type HandInResult =
  | { status: 'locked' }
  /** The submission names questions the attempt did not show, or options the question does not have. */
  | { status: 'malformed' }
  | { status: 'incomplete'; unanswered: string[] }
  | SubmitResult;

/**
 * A submission from the quiz page, in one short immediate transaction with the learner record
 * read once: refused on a locked course; checked against the questions the attempt drew (an
 * incomplete one stores nothing); graded and stored once; a graded one counts as the month's activity.
 */
export async function handInOpenAttempt(
  db: Db,
  catalog: Catalog,
  user: { id: number; displayName: string },
  quiz: QuizNode,
  attemptId: string,
  answers: ReadonlyMap<string, readonly string[]>,
  timeZone: string,
  now = clockNow(),
): Promise<HandInResult> {
  return db.write(async (tx): Promise<HandInResult> => {
    const record = await ownRecordIn(tx, db.prepared(...OWN_RECORD), user.id);
    if (lockedFor(catalog, record, quiz.courseId, now, timeZone)) return { status: 'locked' };
    const attempt = await attemptOf(db, user.id, quiz.id, attemptId);
    const problems = checkAnswers(quiz, attempt?.layout ?? null, answers);
    if (problems.some((p) => p.code !== 'unanswered')) return { status: 'malformed' };
    // No such attempt (or someone else's): "not found" below, not a list of missing answers.
    if (attempt && problems.length > 0) return { status: 'incomplete', unanswered: problems.map((p) => p.questionId) };
    // The department, read once for both roll-ups.
    const departmentId = await departmentIdWith(db.prepared(...DEPARTMENT_OF), user.id);
    const result = await gradeAndStoreIn(db, tx, catalog, user, quiz, attempt, answers, record, departmentId, timeZone, now);
    if (result.status === 'submitted') await recordActivityWith(tx, db.prepared(...ACTIVITY_INSERT), user.id, timeZone, now, departmentId);
    return result;
  });
}

/** This user's attempt on this quiz (prepared once per connection); null: no such attempt. */
async function attemptOf(db: Db, userId: number, quizId: string, attemptId: string): Promise<QuizAttempt | null> {
  const select = db.prepared('quizAttempts.own', (q) =>
    q
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.id, sql.placeholder('attemptId')), eq(quizAttempts.userId, sql.placeholder('userId')), eq(quizAttempts.quizId, sql.placeholder('quizId'))))
      .prepare(),
  );
  return first(await select.execute({ attemptId, userId, quizId })) ?? null;
}

/** The answers of one attempt, one multi-row insert prepared per number of questions. */
async function insertAnswers(db: Db, rows: { attemptId: string; questionId: string; chosenOptionIds: string[]; correct: boolean; questionVersion: string }[]): Promise<void> {
  if (rows.length === 0) return;
  const insert = db.prepared(`attemptAnswers.insert.${rows.length}`, (q) =>
    q
      .insert(attemptAnswers)
      .values(
        rows.map((_, i) => ({
          attemptId: sql.placeholder(`a${i}`),
          questionId: sql.placeholder(`q${i}`),
          chosenOptionIds: sql.placeholder(`o${i}`),
          correct: sql.placeholder(`c${i}`),
          questionVersion: sql.placeholder(`v${i}`),
        })),
      )
      .prepare(),
  );
  const params = rows.flatMap((r, i) => [
    [`a${i}`, r.attemptId],
    [`q${i}`, r.questionId],
    [`o${i}`, r.chosenOptionIds],
    [`c${i}`, r.correct],
    [`v${i}`, r.questionVersion],
  ]);
  await insert.execute(Object.fromEntries(params));
}

async function gradeAndStoreIn(
  db: Db,
  tx: Tx,
  catalog: Catalog,
  user: { id: number; displayName: string },
  quiz: QuizNode,
  attempt: QuizAttempt | null,
  answers: ReadonlyMap<string, readonly string[]>,
  record: LearnerRecord,
  departmentId: number,
  timeZone: string,
  now: Date,
): Promise<SubmitResult> {
  if (!attempt) return { status: 'not_found' };
  if (attempt.submittedAt !== null) return { status: 'already_submitted' };

  // Graded on the questions this attempt showed; answers to any other question are not counted.
  const grade = gradeAnswers(quiz, attempt.layout, answers);
  const questionVersions = new Map(quiz.questions.map((q) => [q.id, q.version]));
  await insertAnswers(
    db,
    grade.answers.map((a) => ({
      attemptId: attempt.id,
      questionId: a.questionId,
      chosenOptionIds: a.chosenOptionIds,
      correct: a.correct,
      questionVersion: questionVersions.get(a.questionId) ?? '',
    })),
  );
  // Counted in the cycle it is handed in: an attempt begun just before a renewal window opened counts for the renewal.
  const cycle = quizCycleOf(record, catalog, quiz, now);
  const submit = db.prepared('quizAttempts.submit', (q) =>
    q
      .update(quizAttempts)
      // Drizzle's update types take no bare placeholder: the values are bound as stored (ms, 0/1).
      .set({
        submittedAt: sql`${sql.placeholder('submittedAt')}`,
        score: sql`${sql.placeholder('score')}`,
        maxScore: sql`${sql.placeholder('maxScore')}`,
        passed: sql`${sql.placeholder('passed')}`,
        cycle: sql`${sql.placeholder('cycle')}`,
      })
      .where(and(eq(quizAttempts.id, sql.placeholder('attemptId')), isNull(quizAttempts.submittedAt)))
      .prepare(),
  );
  const updated = changes(
    await submit.execute({ submittedAt: now.getTime(), score: grade.score, maxScore: grade.maxScore, passed: grade.passed ? 1 : 0, cycle, attemptId: attempt.id }),
  );
  if (updated !== 1) throw new Error('attempt changed during submission');
  const pairs = db.prepared(...PAIR_STATEMENTS);
  const pairBefore = await quizPairOf(pairs, user.id, quiz.id);
  await rollupAttempt(db.prepared(...ATTEMPT_ROLLUP), { userId: user.id, quiz, submittedAt: now, grade }, departmentId, timeZone);
  await rollupPairChange(pairs, user.id, quiz.id, pairBefore, timeZone);
  const certificatesIssued = grade.passed ? await issueDueCertificates(tx, catalog, user, now, timeZone, withAttempt(record, quiz.id, cycle, grade)) : [];
  return { status: 'submitted', grade, certificatesIssued };
}

/** The record as the grouped read would give it once this attempt is stored. */
function withAttempt(record: LearnerRecord, quizId: string, cycle: number, grade: Grade): LearnerRecord {
  const percent = grade.maxScore === 0 ? null : Math.round(((grade.score * 100) / grade.maxScore) * 10) / 10;
  const before = record.attempts.find((a) => a.quizId === quizId && a.cycle === cycle);
  const best = before?.bestPercent == null ? percent : percent === null ? before.bestPercent : Math.max(before.bestPercent, percent);
  const summary = { quizId, cycle, attempts: (before?.attempts ?? 0) + 1, bestPercent: best, passed: (before?.passed ?? false) || grade.passed };
  return { ...record, attempts: [...record.attempts.filter((a) => a !== before), summary] };
}

export interface AttemptResult {
  attempt: QuizAttempt;
  answers: AttemptAnswer[];
}

/** A submitted attempt of this user, with its answers; null for anyone else's or an unsubmitted one. */
export async function getAttemptResult(db: Db, userId: number, attemptId: string): Promise<AttemptResult | null> {
  return db.read(async (q) => {
    const attempt = first(
      await q
        .select()
        .from(quizAttempts)
        .where(and(eq(quizAttempts.id, attemptId), eq(quizAttempts.userId, userId), isNotNull(quizAttempts.submittedAt))),
    );
    if (!attempt) return null;
    const answers = await q.select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attemptId));
    return { attempt, answers };
  });
}
