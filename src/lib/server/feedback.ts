/** Lesson feedback ("Was this helpful?" 1–5 and a comment): one row per user and lesson, changeable. */
import { and, eq } from 'drizzle-orm';
import { lessonFeedback, type LessonFeedback } from '../../../db/schema.ts';
import type { Locale } from '../locales.ts';
import { monthKey } from '../dates.ts';
import type { Db, DbExecutor } from './db.ts';
import { rollupRating } from './rollups.ts';

export function getFeedback(db: DbExecutor, userId: number, lessonId: string): LessonFeedback | null {
  return (
    db
      .select()
      .from(lessonFeedback)
      .where(and(eq(lessonFeedback.userId, userId), eq(lessonFeedback.lessonId, lessonId)))
      .get() ?? null
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
