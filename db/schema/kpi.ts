/**
 * KPI roll-ups: counts kept up to date in the same transaction as each write, so the
 * dashboard reads thousands of rows instead of millions. They are a cache of the base tables
 * (progress, quiz, feedback, programme) — `rebuildRollups()` recomputes them from scratch — and
 * attribute each event to the user's department at the time (0: no department).
 */
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from './users.ts';

/** Per department and month: active users, hours saved, quiz attempts, lesson ratings. */
export const kpiDepartmentMonths = sqliteTable(
  'kpi_department_months',
  {
    departmentId: integer('department_id').notNull(),
    month: text('month').notNull(),
    activeUsers: integer('active_users').notNull().default(0),
    hoursSum: real('hours_sum').notNull().default(0),
    hoursRespondents: integer('hours_respondents').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    attemptsPassed: integer('attempts_passed').notNull().default(0),
    scoreSum: real('score_sum').notNull().default(0),
    ratingSum: integer('rating_sum').notNull().default(0),
    ratingCount: integer('rating_count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.month] }), index('kpi_department_months_month_idx').on(t.month)],
);

/** Per department, month and question: answers, correct answers. */
export const kpiQuestionMonths = sqliteTable(
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
export const kpiWrongOptions = sqliteTable(
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
export const quizPairs = sqliteTable(
  'quiz_pairs',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    quizId: text('quiz_id').notNull(),
    firstAt: integer('first_at', { mode: 'timestamp_ms' }).notNull(),
    firstPassed: integer('first_passed', { mode: 'boolean' }).notNull(),
    passedAt: integer('passed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.quizId] })],
);

/**
 * Per department and tier: active people (tier '' = the headcount of active users; a tier id =
 * active users assigned that tier). Kept by src/features/kpi/dept-rollups.server.ts from each
 * person's counted state in `kpi_people`, so the dashboard sums a few hundred rows, not users.
 */
export const kpiDepartmentPeople = sqliteTable(
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
export const kpiDepartmentPairs = sqliteTable(
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
 * whether active, the tiers assigned (sorted, comma-separated). A write path refreshes a person
 * by comparing this with the base tables and moving the difference. No foreign key: a row whose
 * user is gone is what lets its counts be taken back.
 */
export const kpiPeople = sqliteTable('kpi_people', {
  userId: integer('user_id').primaryKey(),
  departmentId: integer('department_id').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull(),
  tiers: text('tiers').notNull(),
});

/**
 * Certificate standing as step functions of time (src/features/kpi/certificate-rollups.server.ts):
 * per person and tier, at each moment something changes, +1/−1 to "has ever held one", "certified",
 * "expiring within 30 days", "expired", "first completed". Summed up to a moment they give where
 * the person stands then, so the counts stay right as time passes without a write. One row per
 * user, tier and moment; no foreign key (a row of a user gone is what lets the counts be taken back).
 */
export const kpiCertificateEvents = sqliteTable(
  'kpi_certificate_events',
  {
    userId: integer('user_id').notNull(),
    tierId: text('tier_id').notNull(),
    at: integer('at').notNull(),
    ever: integer('ever').notNull().default(0),
    certified: integer('certified').notNull().default(0),
    expiring: integer('expiring').notNull().default(0),
    expired: integer('expired').notNull().default(0),
    completed: integer('completed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tierId, t.at] }), index('kpi_certificate_events_at_idx').on(t.at)],
);

/**
 * The events above of the people counted (active, assigned the tier), summed per department (their
 * current one, as in kpi_people), tier and month of the moment: the standing at a month's end is
 * the sum up to that month; at another moment, plus that month's events up to it.
 */
export const kpiCertificateMonths = sqliteTable(
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
