/** Quiz attempts and their answers. */
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, json, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import type { AttemptLayout } from '../../src/features/quiz/quiz.ts';
import { timestampMs } from './columns.ts';
import { users } from './users.ts';

export const quizAttempts = pgTable(
  'quiz_attempts',
  {
    /** Random, unguessable attempt token; also the double-submit guard. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    quizId: text('quiz_id').notNull(),
    /** The learner's cycle of the quiz's tier when submitted (when started, until then); records before cycles are 1. */
    cycle: integer('cycle').notNull().default(1),
    /** The quiz's content version the attempt was made against; '' for attempts recorded before versions. */
    contentVersion: text('content_version').notNull().default(''),
    startedAt: timestampMs('started_at').notNull(),
    submittedAt: timestampMs('submitted_at'),
    /** Question and option order shown in this attempt (JSON), for shuffled quizzes. */
    layout: json('layout').$type<AttemptLayout>(),
    /** Correct answers; null until submitted. */
    score: integer('score'),
    maxScore: integer('max_score'),
    passed: boolean('passed'),
  },
  (t) => [
    index('quiz_attempts_user_quiz_idx').on(t.userId, t.quizId, t.cycle),
    check('quiz_attempts_cycle_check', sql`${t.cycle} >= 1`),
    index('quiz_attempts_quiz_idx').on(t.quizId, t.submittedAt),
    check(
      'quiz_attempts_submitted_check',
      sql`(${t.submittedAt} is null and ${t.score} is null and ${t.passed} is null) or (${t.submittedAt} is not null and ${t.score} is not null and ${t.maxScore} is not null and ${t.passed} is not null)`,
    ),
  ],
);

export const attemptAnswers = pgTable(
  'attempt_answers',
  {
    attemptId: text('attempt_id')
      .notNull()
      .references(() => quizAttempts.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    /** Chosen option ids, sorted (JSON array); empty when the question was skipped. */
    chosenOptionIds: json('chosen_option_ids').$type<string[]>().notNull(),
    correct: boolean('correct').notNull(),
    /** The question's content version when answered; '' for answers recorded before versions. */
    questionVersion: text('question_version').notNull().default(''),
  },
  (t) => [primaryKey({ columns: [t.attemptId, t.questionId] })],
);
