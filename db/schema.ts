/**
 * The one Drizzle schema for Manabi. Migrations in `db/migrations/` are generated from
 * this file with `npm run db:generate` and applied on start; never edit them by hand.
 *
 * Conventions: timestamps are integer Unix milliseconds (UTC); content ids (lesson, quiz,
 * question, option) are the stable ids from `content/`, shared by both languages, so
 * progress never depends on the reading language. Later features add tables; they do not
 * change these.
 */
import { sql, type InferInsertModel, type InferSelectModel } from 'drizzle-orm';
import {
  blob,
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { LOCALES, type Locale } from '../src/platform/i18n/locales.ts';
import { ROLES, type Role } from '../src/features/users/roles.ts';

export { ROLES };

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const departments = sqliteTable(
  'departments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('departments_name_unique').on(sql`lower(${t.name})`)],
);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Opaque, random id for exports and xAPI actors; never the email or the row id. */
    publicId: text('public_id').notNull().unique(),
    /** Stored trimmed and lower-cased; unique case-insensitively. */
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    locale: text('locale', { enum: LOCALES }).notNull().default('ja'),
    role: text('role', { enum: ROLES }).notNull().default('learner'),
    departmentId: integer('department_id').references(() => departments.id, {
      onDelete: 'restrict',
    }),
    /** argon2id PHC string; null for users who have not set a password (SSO, invited). */
    passwordHash: text('password_hash'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** OpenID Connect issuer of the identity linked to this user; null for password-only users. */
    oidcIssuer: text('oidc_issuer'),
    /** The `sub` claim at `oidcIssuer`: the stable identity, unlike the email. */
    oidcSubject: text('oidc_subject'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(sql`lower(${t.email})`),
    uniqueIndex('users_oidc_identity_unique').on(t.oidcIssuer, t.oidcSubject),
    index('users_department_idx').on(t.departmentId),
    check('users_role_check', sql`${t.role} in ('learner', 'champion', 'admin')`),
    check('users_locale_check', sql`${t.locale} in ('ja', 'en')`),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** Public half of the `id.secret` token. */
    id: text('id').primaryKey(),
    /** SHA-256 of the secret half; the secret itself is never stored. */
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    /** Refreshed at most once a minute; drives the inactivity timeout. */
    lastActiveAt: integer('last_active_at', { mode: 'timestamp_ms' }).notNull(),
    /** How the user signed in: `oidc` sessions also sign out at the provider. */
    authMethod: text('auth_method', { enum: ['password', 'link', 'oidc'] })
      .notNull()
      .default('password'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const lessonCompletions = sqliteTable(
  'lesson_completions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: text('lesson_id').notNull(),
    completedAt: integer('completed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('lesson_completions_user_lesson_unique').on(t.userId, t.lessonId),
    index('lesson_completions_lesson_idx').on(t.lessonId),
  ],
);

export const quizAttempts = sqliteTable(
  'quiz_attempts',
  {
    /** Random, unguessable attempt token; also the double-submit guard. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    quizId: text('quiz_id').notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    submittedAt: integer('submitted_at', { mode: 'timestamp_ms' }),
    /** Question and option order shown in this attempt (JSON), for shuffled quizzes. */
    layout: text('layout', { mode: 'json' }).$type<AttemptLayout>(),
    /** Correct answers; null until submitted. */
    score: integer('score'),
    maxScore: integer('max_score'),
    passed: integer('passed', { mode: 'boolean' }),
  },
  (t) => [
    index('quiz_attempts_user_quiz_idx').on(t.userId, t.quizId),
    index('quiz_attempts_quiz_idx').on(t.quizId, t.submittedAt),
    check(
      'quiz_attempts_submitted_check',
      sql`(${t.submittedAt} is null and ${t.score} is null and ${t.passed} is null) or (${t.submittedAt} is not null and ${t.score} is not null and ${t.maxScore} is not null and ${t.passed} is not null)`,
    ),
  ],
);

export const attemptAnswers = sqliteTable(
  'attempt_answers',
  {
    attemptId: text('attempt_id')
      .notNull()
      .references(() => quizAttempts.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    /** Chosen option ids, sorted (JSON array); empty when the question was skipped. */
    chosenOptionIds: text('chosen_option_ids', { mode: 'json' }).$type<string[]>().notNull(),
    correct: integer('correct', { mode: 'boolean' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.attemptId, t.questionId] })],
);

/** Lesson opened: the one write a GET may make, at most one row per user, lesson and day (usage-rate KPI). */
export const lessonViews = sqliteTable(
  'lesson_views',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: text('lesson_id').notNull(),
    /** Calendar day in the app's time zone (APP_TIMEZONE), `YYYY-MM-DD`. */
    day: text('day').notNull(),
    viewedAt: integer('viewed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.lessonId, t.day] }), index('lesson_views_viewed_idx').on(t.viewedAt)],
);

/** "Was this helpful?" per user and lesson; changeable, so one row each. */
export const lessonFeedback = sqliteTable(
  'lesson_feedback',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: text('lesson_id').notNull(),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    /** The language the lesson was read in when the feedback was given. */
    locale: text('locale', { enum: LOCALES }).notNull(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.lessonId] }),
    index('lesson_feedback_lesson_idx').on(t.lessonId),
    check('lesson_feedback_rating_check', sql`${t.rating} between 1 and 5`),
    check('lesson_feedback_comment_check', sql`${t.comment} is null or length(${t.comment}) <= 1000`),
  ],
);

/** One per user and tier, issued when the tier is complete; the code is public and unguessable. */
export const certificates = sqliteTable(
  'certificates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    code: text('code').notNull().unique(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tierId: text('tier_id').notNull(),
    /** The name as it was when the certificate was issued. */
    holderName: text('holder_name').notNull(),
    issuedAt: integer('issued_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('certificates_user_tier_unique').on(t.userId, t.tierId)],
);

/** One row per user and month in which they did something (read, completed, answered, rated, checked in): the usage-rate numerator. */
export const activityMonths = sqliteTable(
  'activity_months',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `YYYY-MM` in the app's time zone. */
    month: text('month').notNull(),
    firstAt: integer('first_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.month] }), index('activity_months_month_idx').on(t.month)],
);

/** Rollout waves: pilot → expansion → company-wide, or the company's own names. */
export const waves = sqliteTable('waves', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** Order on the wave list, lowest first. */
  position: integer('position').notNull().default(0),
  /** `YYYY-MM-DD` */
  startDate: text('start_date').notNull(),
  endDate: text('end_date').notNull(),
  description: text('description'),
  createdAt: createdAt(),
});

export const waveDepartments = sqliteTable(
  'wave_departments',
  {
    waveId: integer('wave_id')
      .notNull()
      .references(() => waves.id, { onDelete: 'cascade' }),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.waveId, t.departmentId] }), index('wave_departments_department_idx').on(t.departmentId)],
);

export const TARGET_KPIS = [
  'usage_rate',
  'basic_completion',
  'applied_completion',
  'specialist_completion',
  'quiz_pass_rate',
  'hours_per_person',
  'satisfaction',
  'helpdesk_inquiries',
] as const;

/** A wave's goal for one KPI, e.g. usage rate ≥ 60 %. Rates are stored as fractions (0.6). */
export const waveTargets = sqliteTable(
  'wave_targets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    waveId: integer('wave_id')
      .notNull()
      .references(() => waves.id, { onDelete: 'cascade' }),
    kpi: text('kpi', { enum: TARGET_KPIS }).notNull(),
    comparator: text('comparator', { enum: ['gte', 'lte'] }).notNull().default('gte'),
    value: real('value').notNull(),
  },
  (t) => [uniqueIndex('wave_targets_wave_kpi_unique').on(t.waveId, t.kpi)],
);

export const ASSIGNMENT_TARGETS = ['everyone', 'role', 'department', 'wave'] as const;

/** Training assigned to a group, with a due date (absolute, or N days after the user joined). */
export const assignments = sqliteTable(
  'assignments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tierId: text('tier_id').notNull(),
    targetKind: text('target_kind', { enum: ASSIGNMENT_TARGETS }).notNull(),
    targetRole: text('target_role', { enum: ROLES }),
    targetDepartmentId: integer('target_department_id').references(() => departments.id, { onDelete: 'cascade' }),
    targetWaveId: integer('target_wave_id').references(() => waves.id, { onDelete: 'cascade' }),
    /** `YYYY-MM-DD`: due on this day (end of day, app time zone). */
    dueDate: text('due_date'),
    /** Due this many days after the user joined the assignment. */
    dueDays: integer('due_days'),
    /** One of the built-in defaults (everyone → basic, champions → applied, admins → specialist). */
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      'assignments_target_check',
      sql`(${t.targetKind} = 'everyone' and ${t.targetRole} is null and ${t.targetDepartmentId} is null and ${t.targetWaveId} is null)
        or (${t.targetKind} = 'role' and ${t.targetRole} is not null and ${t.targetDepartmentId} is null and ${t.targetWaveId} is null)
        or (${t.targetKind} = 'department' and ${t.targetDepartmentId} is not null and ${t.targetRole} is null and ${t.targetWaveId} is null)
        or (${t.targetKind} = 'wave' and ${t.targetWaveId} is not null and ${t.targetRole} is null and ${t.targetDepartmentId} is null)`,
    ),
    check('assignments_due_check', sql`not (${t.dueDate} is not null and ${t.dueDays} is not null)`),
  ],
);

/** When each user joined each assignment (the start of "N days after joining"). */
export const assignmentEnrolments = sqliteTable(
  'assignment_enrolments',
  {
    assignmentId: integer('assignment_id')
      .notNull()
      .references(() => assignments.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    enrolledAt: integer('enrolled_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.assignmentId, t.userId] }), index('assignment_enrolments_user_idx').on(t.userId)],
);

/** The monthly check-in: hours saved with AI this month (0–200, half hours) and on which tasks. */
export const checkins = sqliteTable(
  'checkins',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `YYYY-MM` in the app's time zone. */
    month: text('month').notNull(),
    /** Null when the learner dismissed the question without answering. */
    hoursSaved: real('hours_saved'),
    tasks: text('tasks'),
    dismissed: integer('dismissed', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.month] }),
    index('checkins_month_idx').on(t.month),
    check('checkins_hours_check', sql`${t.hoursSaved} is null or (${t.hoursSaved} between 0 and 200 and ${t.hoursSaved} * 2 = cast(${t.hoursSaved} * 2 as integer))`),
    check('checkins_tasks_check', sql`${t.tasks} is null or length(${t.tasks}) <= 500`),
  ],
);

/** AI-related help-desk inquiries per month, per department (null: not attributed to one). */
export const helpdeskInquiries = sqliteTable(
  'helpdesk_inquiries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    month: text('month').notNull(),
    departmentId: integer('department_id').references(() => departments.id, { onDelete: 'cascade' }),
    count: integer('count').notNull(),
    updatedBy: integer('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('helpdesk_month_department_unique').on(t.month, t.departmentId).where(sql`${t.departmentId} is not null`),
    uniqueIndex('helpdesk_month_company_unique').on(t.month).where(sql`${t.departmentId} is null`),
    check('helpdesk_count_check', sql`${t.count} >= 0`),
  ],
);

/** Programme settings as JSON values (e.g. the baseline period). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * Who did what, when and from where: sign-ins, failed sign-ins, denials, admin changes,
 * exports. Append-only: triggers abort UPDATE and DELETE. Never a password or token.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** No foreign key: the log outlives what it talks about. */
    actorUserId: integer('actor_user_id'),
    /** The actor's email at the time, or what they tried (a failed sign-in). */
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    ip: text('ip'),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_action_idx').on(t.action, t.at)],
);

/** One-time sign-in links (first sign-in, password reset): only a hash is stored; single use; short-lived. */
export const loginTokens = sqliteTable('login_tokens', {
  id: text('id').primaryKey(),
  secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  purpose: text('purpose', { enum: ['first_login', 'reset'] }).notNull(),
  createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  usedAt: integer('used_at', { mode: 'timestamp_ms' }),
});

/**
 * xAPI statements delivered, per LRS endpoint: nothing is sent twice to one LRS, nothing is
 * lost, and a new XAPI_ENDPOINT receives everything.
 */
export const xapiDeliveries = sqliteTable(
  'xapi_deliveries',
  {
    /** The LRS, as configured (without a trailing slash). */
    endpoint: text('endpoint').notNull(),
    statementId: text('statement_id').notNull(),
    /** What the statement records, e.g. `completion:12:prompt-basics`. */
    recordKey: text('record_key').notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.endpoint, t.statementId] })],
);

export const XAPI_JOB_STATES = ['running', 'done', 'failed', 'interrupted'] as const;
export type XapiJobState = (typeof XAPI_JOB_STATES)[number];

/**
 * Pushes of xAPI statements to the LRS, run in the background by the server. A push that was
 * running when the server stopped is resumed at the next start (`resumedAt`); what was
 * delivered before is in xapi_deliveries, so nothing is sent twice and nothing is lost.
 */
export const xapiPushJobs = sqliteTable(
  'xapi_push_jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    endpoint: text('endpoint').notNull(),
    state: text('state', { enum: XAPI_JOB_STATES }).notNull(),
    startedBy: integer('started_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    /** Last progress (a batch delivered, a retry): the page shows how fresh the numbers are. */
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    resumedAt: integer('resumed_at', { mode: 'timestamp_ms' }),
    sent: integer('sent').notNull().default(0),
    alreadyDelivered: integer('already_delivered').notNull().default(0),
    batches: integer('batches').notNull().default(0),
    /** The last failure, retried or final (never a credential). */
    lastError: text('last_error'),
  },
  (t) => [index('xapi_push_jobs_state_idx').on(t.state, t.id)],
);

/*
 * KPI roll-ups: counts kept up to date in the same transaction as each write, so the
 * dashboard reads thousands of rows instead of millions. They are a cache of the tables
 * above — `rebuildRollups()` recomputes them from scratch — and attribute each event to the
 * user's department at the time (0: no department).
 */

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
 * Lesson feedback sent without a name. Deliberately no user column: nobody, an admin neither,
 * can tie a row back to a person. Only the department (for the per-department satisfaction
 * KPI) and the month (not the day or time) are kept. The id is random, not sequential, so the
 * order of rows cannot be matched with the order of `anonymous_feedback_senders`.
 */
export const anonymousFeedback = sqliteTable(
  'anonymous_feedback',
  {
    /** A random positive integer (not autoincrement: see above). */
    id: integer('id').primaryKey(),
    lessonId: text('lesson_id').notNull(),
    departmentId: integer('department_id').references(() => departments.id, { onDelete: 'set null' }),
    /** `YYYY-MM` in the app's time zone. */
    month: text('month').notNull(),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    locale: text('locale', { enum: LOCALES }).notNull(),
  },
  (t) => [
    index('anonymous_feedback_lesson_idx').on(t.lessonId),
    index('anonymous_feedback_department_month_idx').on(t.departmentId, t.month),
    check('anonymous_feedback_rating_check', sql`${t.rating} between 1 and 5`),
    check('anonymous_feedback_comment_check', sql`${t.comment} is null or length(${t.comment}) <= 1000`),
  ],
);

/**
 * Who has sent anonymous feedback on which lesson, and nothing else (no time, no rating): so a
 * learner counts once per lesson and cannot send it again. The id is random too.
 */
export const anonymousFeedbackSenders = sqliteTable(
  'anonymous_feedback_senders',
  {
    id: integer('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: text('lesson_id').notNull(),
  },
  (t) => [uniqueIndex('anonymous_feedback_senders_unique').on(t.userId, t.lessonId)],
);

/**
 * The answer to a form post, kept for the one redirect after it (post/redirect/get): the
 * browser holds `id.key` in an HttpOnly cookie; the row holds the result sealed with AES-256-GCM
 * under that key, so the server alone cannot read it. Read once (deleted as it is read),
 * expires within minutes, never holds a password (src/platform/http/form-results.server.ts).
 */
export const formResults = sqliteTable(
  'form_results',
  {
    id: text('id').primaryKey(),
    /** 12-byte IV, ciphertext, 16-byte GCM tag. */
    sealed: blob('sealed', { mode: 'buffer' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('form_results_expires_idx').on(t.expiresAt)],
);

export interface AttemptLayout {
  questions: { id: string; options: string[] }[];
}

export type Department = InferSelectModel<typeof departments>;
export type User = InferSelectModel<typeof users>;
export type NewUser = InferInsertModel<typeof users>;
export type Session = InferSelectModel<typeof sessions>;
export type LessonCompletion = InferSelectModel<typeof lessonCompletions>;
export type QuizAttempt = InferSelectModel<typeof quizAttempts>;
export type AttemptAnswer = InferSelectModel<typeof attemptAnswers>;
export type LessonFeedback = InferSelectModel<typeof lessonFeedback>;
export type Certificate = InferSelectModel<typeof certificates>;
export type Wave = InferSelectModel<typeof waves>;
export type WaveTarget = InferSelectModel<typeof waveTargets>;
export type Assignment = InferSelectModel<typeof assignments>;
export type Checkin = InferSelectModel<typeof checkins>;
export type AuditEntry = InferSelectModel<typeof auditLog>;
export type TargetKpi = (typeof TARGET_KPIS)[number];
export type { Locale, Role };
export type AnonymousFeedback = InferSelectModel<typeof anonymousFeedback>;
