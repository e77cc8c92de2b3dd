/** A learner's progress: lessons opened and completed, certificates, and the months they were active. */
import type { InferSelectModel } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './users.ts';

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
  (t) => [uniqueIndex('lesson_completions_user_lesson_unique').on(t.userId, t.lessonId), index('lesson_completions_lesson_idx').on(t.lessonId)],
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

export type LessonCompletion = InferSelectModel<typeof lessonCompletions>;
export type Certificate = InferSelectModel<typeof certificates>;
