/**
 * The feedback reads (src/features/feedback/feedback.server.ts) with one set of assertions for both
 * databases (issue 18): src/features/feedback/feedback.test.ts runs it on SQLite,
 * tests/postgres/feedback.test.ts on PostgreSQL. The seed is written in the dialect-neutral style.
 */
import { expect } from 'vitest';
import { anonymousFeedback, anonymousFeedbackSenders, departments, lessonFeedback, users } from '../../db/schema/index.ts';
import { departmentRating, latestFeedback, ownFeedback } from '../../src/features/feedback/feedback.server.ts';
import type { Db } from '../../src/platform/db.server.ts';

const TZ = 'Asia/Tokyo';
const LESSON = 'what-is-generative-ai';

export async function checkFeedbackReads(db: Db): Promise<void> {
  const when = new Date('2026-11-20T03:00:00.123Z');
  const { sato, kato, departmentId } = await db.write(async (tx) => {
    const [department] = await tx.insert(departments).values({ name: 'Sales' }).returning();
    const people = await tx
      .insert(users)
      .values([
        { publicId: 'fb-sato', email: 'sato@example.jp', displayName: '佐藤 花子', departmentId: department!.id },
        { publicId: 'fb-kato', email: 'kato@example.jp', displayName: '加藤 一郎', departmentId: department!.id },
      ])
      .returning({ id: users.id });
    const [s, k] = people.map((p) => p.id) as [number, number];
    await tx.insert(lessonFeedback).values({ userId: k, lessonId: LESSON, rating: 4, comment: null, locale: 'ja', createdAt: when, updatedAt: when });
    await tx.insert(anonymousFeedback).values({ id: 987_654_321, lessonId: LESSON, departmentId: department!.id, month: '2026-11', rating: 5, comment: '本音です', locale: 'ja' });
    await tx.insert(anonymousFeedbackSenders).values({ id: 123_456_789, userId: s, lessonId: LESSON });
    return { sato: s, kato: k, departmentId: department!.id };
  });

  expect(await ownFeedback(db, sato, LESSON)).toEqual({ kind: 'anonymous' });
  const named = await ownFeedback(db, kato, LESSON);
  expect(named).toMatchObject({ kind: 'named', feedback: { userId: kato, lessonId: LESSON, rating: 4, comment: null, updatedAt: when } });
  expect(await ownFeedback(db, kato, 'another-lesson')).toEqual({ kind: 'none' });

  expect(await db.read(async (q) => await departmentRating(q, departmentId))).toEqual({ average: 4.5, count: 2 });
  expect(await db.read(async (q) => await departmentRating(q, departmentId + 1000))).toEqual({ average: null, count: 0 });

  const withComments = await db.read(async (q) => await latestFeedback(q, { departmentIds: null, withCommentOnly: true, limit: 10 }, TZ));
  expect(withComments).toEqual([{ lessonId: LESSON, rating: 5, comment: '本音です', displayName: null, department: 'Sales', updatedAt: null, month: '2026-11' }]);
  const all = await db.read(async (q) => await latestFeedback(q, { departmentIds: [departmentId], withCommentOnly: false, limit: 10 }, TZ));
  expect(all.map((f) => [f.displayName, f.rating, f.month])).toEqual([
    ['加藤 一郎', 4, '2026-11'],
    [null, 5, '2026-11'],
  ]);
  expect(await db.read(async (q) => await latestFeedback(q, { departmentIds: [], withCommentOnly: false, limit: 10 }, TZ))).toEqual([]);
}
