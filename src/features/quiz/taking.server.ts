/**
 * Taking a quiz from its page: start (or resume) an attempt, hand it in. Both are refused for an
 * unknown quiz or a locked course; an incomplete submission stores nothing and says what is
 * missing; a graded one counts as the month's activity, in the same write.
 */
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { handInOpenAttempt, startOpenAttempt, type HandInResult as Handed, type StartResult } from './attempts.server.ts';

type Refused = { status: 'quiz_not_found' } | { status: 'locked' };

export async function beginAttempt(db: Db, userId: number, quizId: string): Promise<StartResult | Refused> {
  const catalog = await getCatalog();
  const quiz = catalog.quiz(quizId);
  if (!quiz) return { status: 'quiz_not_found' };
  return startOpenAttempt(db, catalog, userId, quiz, getConfig().timeZone);
}

export interface Submission {
  quizId: string;
  attemptId: string;
  answers: ReadonlyMap<string, readonly string[]>;
}

export type HandInResult = { status: 'quiz_not_found' } | Handed;

export async function handInAttempt(db: Db, user: { id: number; displayName: string }, submission: Submission): Promise<HandInResult> {
  const catalog = await getCatalog();
  const quiz = catalog.quiz(submission.quizId);
  if (!quiz) return { status: 'quiz_not_found' };
  return handInOpenAttempt(db, catalog, user, quiz, submission.attemptId, submission.answers, getConfig().timeZone);
}
