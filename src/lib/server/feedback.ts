/** Lesson feedback ("Was this helpful?" 1–5 and a comment): one row per user and lesson, changeable. */
import { and, eq, sql } from 'drizzle-orm';
import { lessonFeedback, type LessonFeedback } from '../../../db/schema.ts';
import type { Locale } from '../locales.ts';
import { monthKey } from '../dates.ts';
import type { Db, DbExecutor } from './db.ts';
import { prepared } from './prepared.ts';
import { rollupRating } from './rollups.ts';

export function getFeedback(db: DbExecutor, userId: number, lessonId: string): LessonFeedback | null {
  return (
    prepared(db, 'feedback.get', () =>
      db
        .select()
        .from(lessonFeedback)
        .where(and(eq(lessonFeedback.userId, sql.placeholder('userId')), eq(lessonFeedback.lessonId, sql.placeholder('lessonId'))))
        .prepare(),
    ).get({ userId, lessonId }) ?? null
  );
}

export function saveFeedback(
  db: Db,
  input: { userId: number; lessonId: string; rating: number; comment: string | null; locale: Locale },
  timeZone: string,
  now = new Date(),
): void {
  db.transaction((tx) => {
    const before = getFeedback(tx, input.userId, input.lessonId);
    tx.insert(lessonFeedback)
    .values({ ...input, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [lessonFeedback.userId, lessonFeedback.lessonId],
      set: { rating: input.rating, comment: input.comment, locale: input.locale, updatedAt: now },
    })
    .run();
    rollupRating(tx, input.userId, before ? { rating: before.rating, month: monthKey(before.updatedAt, timeZone) } : null, { rating: input.rating, month: monthKey(now, timeZone) });
  }, { behavior: 'immediate' });
}
