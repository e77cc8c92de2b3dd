/**
 * KPI roll-ups: counts kept up to date in the same transaction as each write, so the
 * dashboard reads thousands of rows instead of millions. They are a cache of the base tables
 * (progress, quiz, feedback, programme) — `rebuildRollups()` recomputes them from scratch — and
 * attribute each event to the user's department at the time (0: no department).
 */
import { bigint, boolean, doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
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

/**
 * Per department and tier: active people (tier '' = the headcount of active users; a tier id =
 * active users assigned that tier). Kept by src/features/kpi/dept-rollups.server.ts from each
 * person's counted state in `kpi_people`, so the dashboard sums a few hundred rows, not users.
 */
export const kpiDepartmentPeople = pgTable(
  'kpi_department_people',
  {
    departmentId: integer('department_id').notNull(),
    tierId: text('tier_id').notNull(),
    people: integer('people').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.tierId] })],
);

/**
 * Per department (the learner's current one) and month: learner × quiz pairs first attempted,
 * those whose first attempt passed (both in the month of the first attempt), and pairs passed
 * (in the month both the first attempt and the first pass had happened by).
 */
export const kpiDepartmentPairs = pgTable(
  'kpi_department_pairs',
  {
    departmentId: integer('department_id').notNull(),
    month: text('month').notNull(),
    pairs: integer('pairs').notNull().default(0),
    firstPassed: integer('first_passed').notNull().default(0),
    passed: integer('passed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.month] })],
);

/**
 * What the two tables above count for each person right now: their department (0: none),
 * whether active, the tiers assigned (sorted, comma-separated). No foreign key: a row whose user
 * is gone is what lets its counts be taken back.
 */
export const kpiPeople = pgTable('kpi_people', {
  userId: integer('user_id').primaryKey(),
  departmentId: integer('department_id').notNull(),
  active: boolean('active').notNull(),
  tiers: text('tiers').notNull(),
});

/** See db/schema/kpi.ts. */
export const kpiCertificateEvents = pgTable(
  'kpi_certificate_events',
  {
    userId: integer('user_id').notNull(),
    tierId: text('tier_id').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    ever: integer('ever').notNull().default(0),
    certified: integer('certified').notNull().default(0),
    expiring: integer('expiring').notNull().default(0),
    expired: integer('expired').notNull().default(0),
    completed: integer('completed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tierId, t.at] }), index('kpi_certificate_events_at_idx').on(t.at)],
);

/** See db/schema/kpi.ts. */
export const kpiCertificateMonths = pgTable(
  'kpi_certificate_months',
  {
    departmentId: integer('department_id').notNull(),
    tierId: text('tier_id').notNull(),
    month: text('month').notNull(),
    ever: integer('ever').notNull().default(0),
    certified: integer('certified').notNull().default(0),
    expiring: integer('expiring').notNull().default(0),
    expired: integer('expired').notNull().default(0),
    completed: integer('completed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.tierId, t.month] })],
);
