/** "Was this helpful?" on lessons: with the learner's name, or anonymously. */
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, primaryKey, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { LOCALES } from '../../src/platform/i18n/locales.ts';
import { createdAt, timestampMs } from './columns.ts';
import { departments, users } from './users.ts';

/** "Was this helpful?" per user and lesson; changeable, so one row each. */
export const lessonFeedback = pgTable(
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
    updatedAt: timestampMs('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.lessonId] }),
    index('lesson_feedback_lesson_idx').on(t.lessonId),
    check('lesson_feedback_rating_check', sql`${t.rating} between 1 and 5`),
    check('lesson_feedback_comment_check', sql`${t.comment} is null or length(${t.comment}) <= 1000`),
  ],
);

/**
 * Lesson feedback sent without a name. Deliberately no user column: nobody, an admin neither,
 * can tie a row back to a person. Only the department (for the per-department satisfaction
 * KPI) and the month (not the day or time) are kept. The id is random, not sequential, so the
 * order of rows cannot be matched with the order of `anonymous_feedback_senders`.
 */
export const anonymousFeedback = pgTable(
  'anonymous_feedback',
  {
    /** A random positive integer (not autoincrement: see above). */
    id: bigint('id', { mode: 'number' }).primaryKey(),
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
export const anonymousFeedbackSenders = pgTable(
  'anonymous_feedback_senders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: text('lesson_id').notNull(),
  },
  (t) => [uniqueIndex('anonymous_feedback_senders_unique').on(t.userId, t.lessonId)],
);
