/**
 * Feedback sent without a name (src/features/feedback/feedback.server.ts), on a real SQLite file: no link to
 * the user anywhere in what is stored, still counted, once per learner and lesson, and final.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousFeedback, anonymousFeedbackSenders, kpiDepartmentMonths, lessonFeedback } from '../../../db/schema/index.ts';
import { departmentRating, latestFeedback, ownFeedback, saveFeedback } from './feedback.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { rawDrizzle } from '../../platform/db.server.ts';
import { checkFeedbackReads } from '../../../tests/helpers/feedback-reads.ts';
import { first } from '../../platform/query.ts';

const TZ = 'Asia/Tokyo';
let t: TempDb;
beforeAll(() => {
  t = tempDb();
});
afterAll(() => t?.cleanup());

const ratings = async () =>
  (await rawDrizzle(t.db).select().from(kpiDepartmentMonths)).reduce((n, r) => ({ sum: n.sum + r.ratingSum, count: n.count + r.ratingCount }), { sum: 0, count: 0 });

describe('feedback without a name', () => {
  it('is stored without the user, counted once, replaces the named one and cannot be changed', async () => {
    const userId = await addUser(t.db, { email: 'sato@example.jp', department: 'Sales', name: '佐藤 花子' });
    const other = await addUser(t.db, { email: 'kato@example.jp', department: 'Sales', name: '加藤 一郎' });
    const when = new Date('2026-11-20T03:00:00Z');
    expect(await saveFeedback(t.db, { userId, lessonId: 'what-is-generative-ai', rating: 2, comment: '名前付き', locale: 'ja' }, TZ, when)).toBe('saved');
    expect(await saveFeedback(t.db, { userId: other, lessonId: 'what-is-generative-ai', rating: 4, comment: null, locale: 'ja' }, TZ, when)).toBe('saved');
    expect(await ratings()).toEqual({ sum: 6, count: 2 });

    expect(await saveFeedback(t.db, { userId, lessonId: 'what-is-generative-ai', rating: 5, comment: '本音です', locale: 'ja', anonymous: true }, TZ, when)).toBe('saved');
    // The named row is gone; the rating counts once, now from the anonymous row.
    expect((await rawDrizzle(t.db).select().from(lessonFeedback)).map((r) => r.userId)).toEqual([other]);
    expect(await ratings()).toEqual({ sum: 9, count: 2 });
    expect(await t.db.read(async (q) => await departmentRating(q, first(await rawDrizzle(t.db).select().from(anonymousFeedback))!.departmentId!))).toEqual({
      average: 4.5,
      count: 2,
    });

    // Nothing in the stored feedback names the user, their id or the time of day.
    const row = first(await rawDrizzle(t.db).select().from(anonymousFeedback))!;
    expect(row).toMatchObject({ lessonId: 'what-is-generative-ai', month: '2026-11', rating: 5, comment: '本音です' });
    expect(Object.keys(row).sort()).toEqual(['comment', 'departmentId', 'id', 'lessonId', 'locale', 'month', 'rating']);
    expect(JSON.stringify(row)).not.toMatch(/sato|佐藤/);
    const sender = first(await rawDrizzle(t.db).select().from(anonymousFeedbackSenders))!;
    expect(Object.keys(sender).sort()).toEqual(['id', 'lessonId', 'userId']);
    expect(row.id).not.toBe(1);

    // Final: the learner's page knows only that it was sent; sending again changes nothing.
    expect(await ownFeedback(t.db, userId, 'what-is-generative-ai')).toEqual({ kind: 'anonymous' });
    expect(await saveFeedback(t.db, { userId, lessonId: 'what-is-generative-ai', rating: 1, comment: null, locale: 'ja' }, TZ, when)).toBe('closed');
    expect(await saveFeedback(t.db, { userId, lessonId: 'what-is-generative-ai', rating: 1, comment: null, locale: 'ja', anonymous: true }, TZ, when)).toBe('closed');
    expect(await ratings()).toEqual({ sum: 9, count: 2 });

    // The lists show it without a name and with its month only.
    const listed = await t.db.read(async (q) => await latestFeedback(q, { departmentIds: null, withCommentOnly: true, limit: 10 }, TZ));
    expect(listed).toContainEqual(expect.objectContaining({ comment: '本音です', displayName: null, updatedAt: null, month: '2026-11', department: 'Sales' }));
  });
});

describe('feedback reads (the assertions tests/postgres/feedback.test.ts runs on PostgreSQL)', () => {
  it('reads a learner’s own feedback, the department rating and the latest lists', async () => {
    const fresh = tempDb();
    try {
      await checkFeedbackReads(fresh.db);
    } finally {
      fresh.cleanup();
    }
  });
});
