/**
 * A learner's progress: lessons opened and completed, certificates, and the months they were active.
 * Training records are kept per renewal cycle (src/features/progress/cycles.ts) and never
 * overwritten; a user who has any cannot be deleted (`restrict`), only deactivated or erased.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestampMs } from './columns.ts';
import { users } from './users.ts';

export const lessonCompletions = pgTable(
  'lesson_completions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    lessonId: text('lesson_id').notNull(),
    /** The learner's cycle of the lesson's tier (1 = first time; records before cycles are 1). */
    cycle: integer('cycle').notNull().default(1),
    /** The lesson's content version read (catalog `version`); '' for completions recorded before versions. */
    contentVersion: text('content_version').notNull().default(''),
    /** The date of the lesson's newest major revision at the time (`YYYY-MM-DD`); null when it had none. */
    majorRevision: text('major_revision'),
    completedAt: timestampMs('completed_at').notNull(),
  },
  (t) => [
    // A review of a new version in the same cycle is a new row; a double submit is one.
    uniqueIndex('lesson_completions_user_lesson_cycle_version_unique').on(t.userId, t.lessonId, t.cycle, t.contentVersion),
    index('lesson_completions_lesson_idx').on(t.lessonId, t.contentVersion),
    check('lesson_completions_cycle_check', sql`${t.cycle} >= 1`),
  ],
);

/** Lesson opened: the one write a GET may make, at most one row per user, lesson and day (usage-rate KPI). */
export const lessonViews = pgTable(
  'lesson_views',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: text('lesson_id').notNull(),
    /** Calendar day in the app's time zone (APP_TIMEZONE), `YYYY-MM-DD`. */
    day: text('day').notNull(),
    viewedAt: timestampMs('viewed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.lessonId, t.day] }), index('lesson_views_viewed_idx').on(t.viewedAt)],
);

/**
 * One per user, tier and cycle, issued when the cycle's work is complete; the code is public and
 * unguessable. Valid from `issuedAt` until `validUntil` (null: it never expires).
 */
export const certificates = pgTable(
  'certificates',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    code: text('code').notNull().unique(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    tierId: text('tier_id').notNull(),
    /** The learner's cycle of this tier the certificate closes (1 = first). */
    cycle: integer('cycle').notNull().default(1),
    /** The name as it was when the certificate was issued. */
    holderName: text('holder_name').notNull(),
    /** Also the start of its validity. */
    issuedAt: timestampMs('issued_at').notNull(),
    /** The end of its validity (exclusive); null: it never expires. */
    validUntil: timestampMs('valid_until'),
  },
  (t) => [
    uniqueIndex('certificates_user_tier_cycle_unique').on(t.userId, t.tierId, t.cycle),
    index('certificates_tier_valid_idx').on(t.tierId, t.validUntil),
    check('certificates_cycle_check', sql`${t.cycle} >= 1`),
    check('certificates_validity_check', sql`${t.validUntil} is null or ${t.validUntil} > ${t.issuedAt}`),
  ],
);

/** One row per user and month in which they did something (read, completed, answered, rated, checked in): the usage-rate numerator. */
export const activityMonths = pgTable(
  'activity_months',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** `YYYY-MM` in the app's time zone. */
    month: text('month').notNull(),
    firstAt: timestampMs('first_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.month] }), index('activity_months_month_idx').on(t.month)],
);
