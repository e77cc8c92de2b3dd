/**
 * Taking a quiz from its page: start (or resume) an attempt, hand it in. Both are refused for an
 * unknown quiz or a locked course; an incomplete submission stores nothing and says what is
 * missing; a graded one counts as the month's activity, in the same write.
 */
import type { Catalog, QuizNode } from '../curriculum/catalog.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { recordActivityIn } from '../progress/activity.server.ts';
import { courseLocked } from '../progress/progress.server.ts';
import { findAttemptLayout, startAttempt, submitAttemptIn, type StartResult, type SubmitResult } from './attempts.server.ts';
import { checkAnswers } from './quiz.ts';

type Refused = { status: 'quiz_not_found' } | { status: 'locked' };

async function openQuiz(db: Db, userId: number, quizId: string): Promise<{ catalog: Catalog; quiz: QuizNode } | Refused> {
  const catalog = await getCatalog();
  const quiz = catalog.quiz(quizId);
  if (!quiz) return { status: 'quiz_not_found' };
  if (await courseLocked(db, catalog, userId, quiz.courseId)) return { status: 'locked' };
  return { catalog, quiz };
}

export async function beginAttempt(db: Db, userId: number, quizId: string): Promise<StartResult | Refused> {
  const opened = await openQuiz(db, userId, quizId);
  if ('status' in opened) return opened;
  return startAttempt(db, opened.catalog, userId, opened.quiz);
}

export interface Submission {
  quizId: string;
  attemptId: string;
  answers: ReadonlyMap<string, readonly string[]>;
}

export type HandInResult =
  | Refused
  /** The submission names questions the attempt did not show, or options the question does not have. */
  | { status: 'malformed' }
  | { status: 'incomplete'; unanswered: string[] }
  | SubmitResult;

export async function handInAttempt(db: Db, user: { id: number; displayName: string }, submission: Submission): Promise<HandInResult> {
  const opened = await openQuiz(db, user.id, submission.quizId);
  if ('status' in opened) return opened;
  const { catalog, quiz } = opened;
  // Checked against the questions the attempt drew (its layout never changes after the start).
  const attempt = await findAttemptLayout(db, user.id, quiz.id, submission.attemptId);
  const problems = checkAnswers(quiz, attempt?.layout ?? null, submission.answers);
  if (problems.some((p) => p.code !== 'unanswered')) return { status: 'malformed' };
  // No such attempt (or someone else's): "not found" below, not a list of missing answers.
  if (attempt && problems.length > 0) return { status: 'incomplete', unanswered: problems.map((p) => p.questionId) };
  const { timeZone } = getConfig();
  return db.write((tx) => {
    const result = submitAttemptIn(tx, catalog, user, quiz, submission.attemptId, submission.answers, timeZone);
    if (result.status === 'submitted') recordActivityIn(tx, user.id, timeZone);
    return result;
  });
}
