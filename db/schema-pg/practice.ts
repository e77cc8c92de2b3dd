/**
 * Practice answers (やってみよう): what a learner wrote for a lesson's `tryIt` task. Private to
 * the learner: only their own lesson page (and later their transcript) reads it; no champion or
 * admin page, export, xAPI statement or audit row carries the text. The latest answer only, one
 * row per user, lesson and task (src/features/practice/practice.server.ts says why).
 */
import { sql } from 'drizzle-orm';
import { check, integer, primaryKey, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, timestampMs } from './columns.ts';
import { users } from './users.ts';

export const practiceAnswers = pgTable(
  'practice_answers',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: text('lesson_id').notNull(),
    /** The `tryIt` entry's id, the same in both languages. */
    taskId: text('task_id').notNull(),
    answer: text('answer').notNull(),
    createdAt: createdAt(),
    updatedAt: timestampMs('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.lessonId, t.taskId] }), check('practice_answers_answer_check', sql`length(${t.answer}) between 1 and 4000`)],
);
