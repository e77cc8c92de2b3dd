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
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { LOCALES, type Locale } from '../src/lib/locales.ts';

export const ROLES = ['learner', 'champion', 'admin'] as const;

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
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(sql`lower(${t.email})`),
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
export type Role = (typeof ROLES)[number];
export type { Locale };
