/**
 * KPI roll-ups: counts kept up to date in the same transaction as each write, so the
 * dashboard reads thousands of rows instead of millions. They are a cache of the base tables
 * (progress, quiz, feedback, programme) — `rebuildRollups()` recomputes them from scratch — and
 * attribute each event to the user's department at the time (0: no department).
 */
import { boolean, doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestampMs } from './columns.ts';
import { users } from './users.ts';

/** Per department and month: active users, hours saved, quiz attempts, lesson ratings. */
export const kpiDepartmentMonths = pgTable(
  'kpi_department_months',
  {
    departmentId: integer('department_id').notNull(),
    month: text('month').notNull(),
    activeUsers: integer('active_users').notNull().default(0),
    hoursSum: doublePrecision('hours_sum').notNull().default(0),
    hoursRespondents: integer('hours_respondents').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    attemptsPassed: integer('attempts_passed').notNull().default(0),
    scoreSum: doublePrecision('score_sum').notNull().default(0),
    ratingSum: integer('rating_sum').notNull().default(0),
    ratingCount: integer('rating_count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.month] }), index('kpi_department_months_month_idx').on(t.month)],
);

/** Per department, month and question: answers, correct answers. */
export const kpiQuestionMonths = pgTable(
  'kpi_question_months',
  {
    departmentId: integer('department_id').notNull(),
    month: text('month').notNull(),
    quizId: text('quiz_id').notNull(),
    questionId: text('question_id').notNull(),
    answers: integer('answers').notNull().default(0),
    correct: integer('correct').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.month, t.quizId, t.questionId] }), index('kpi_question_months_month_idx').on(t.month)],
);

/** Per department, month, question and option: how often a wrong answer chose that (incorrect) option. */
export const kpiWrongOptions = pgTable(
  'kpi_wrong_options',
  {
    departmentId: integer('department_id').notNull(),
    month: text('month').notNull(),
    quizId: text('quiz_id').notNull(),
    questionId: text('question_id').notNull(),
    optionId: text('option_id').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.month, t.quizId, t.questionId, t.optionId] }), index('kpi_wrong_options_month_idx').on(t.month)],
);

/** Per learner and quiz: when they first attempted it, whether that first attempt passed, when they first passed. */
export const quizPairs = pgTable(
  'quiz_pairs',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    quizId: text('quiz_id').notNull(),
    firstAt: timestampMs('first_at').notNull(),
    firstPassed: boolean('first_passed').notNull(),
    passedAt: timestampMs('passed_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.quizId] })],
);
