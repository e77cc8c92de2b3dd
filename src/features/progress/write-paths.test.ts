/**
 * The write paths that read the learner record once (completion, quiz start and submit): the lock
 * refuses and stores nothing; the attempt limit counts this cycle's submitted attempts; and the
 * certificate is issued in the very write that completes the tier, whether that is a lesson
 * (the record read, plus the new completion) or a passing quiz (plus the new attempt).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { certificates, lessonCompletions, quizAttempts } from '../../../db/schema/index.ts';
import type { QuizNode } from '../curriculum/catalog.ts';
import { findOpenAttempt, handInOpenAttempt, startOpenAttempt } from '../quiz/attempts.server.ts';
import { completeOpenLesson } from './progress.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { rawDrizzle } from '../../platform/db.server.ts';

const TZ = 'Asia/Tokyo';
const catalog = fixtureCatalog();
const tier = catalog.tiers[0]!;
const allCourses = catalog.tiers.flatMap((x) => x.courses);
let t: TempDb;

beforeAll(() => {
  t = tempDb();
});
afterAll(() => t?.cleanup());

async function learner(email: string): Promise<{ id: number; displayName: string }> {
  return { id: await addUser(t.db, { email, department: 'Sales' }), displayName: email };
}

/** Starts an attempt and hands it in, all right or all wrong; the number of certificates issued. */
async function takeQuiz(user: { id: number; displayName: string }, quiz: QuizNode, right: boolean): Promise<number> {
  const started = await startOpenAttempt(t.db, catalog, user.id, quiz, TZ);
  if (started.status !== 'started' && started.status !== 'resumed') throw new Error(`start: ${started.status}`);
  const layout = (await findOpenAttempt(t.db, user.id, quiz.id))!.layout;
  const shown = layout ? layout.questions.map((q) => quiz.questions.find((k) => k.id === q.id)!) : quiz.questions;
  const answers = new Map(shown.map((q) => [q.id, right ? q.correctOptionIds : [q.optionIds.find((o) => !q.correctOptionIds.includes(o))!]]));
  const handed = await handInOpenAttempt(t.db, catalog, user, quiz, started.attemptId, answers, TZ);
  if (handed.status !== 'submitted') throw new Error(`submit: ${handed.status}`);
  return handed.certificatesIssued.length;
}

async function completeAll(user: { id: number; displayName: string }, lessons: readonly { id: string }[]): Promise<number[]> {
  const issued: number[] = [];
  for (const lesson of lessons) {
    const done = await completeOpenLesson(t.db, catalog, user, catalog.lesson(lesson.id)!, TZ);
    if (done.status !== 'completed') throw new Error(`complete: ${done.status}`);
    issued.push(done.certificatesIssued.length);
  }
  return issued;
}

const certificatesOf = async (userId: number) => await rawDrizzle(t.db).select().from(certificates).where(eq(certificates.userId, userId));

describe('write paths on the record read once', () => {
  it('issues the certificate in the lesson completion that completes the tier', async () => {
    const user = await learner('lessons-last@x.jp');
    const issued: number[] = [];
    for (const course of tier.courses) for (const quiz of course.quizzes) issued.push(await takeQuiz(user, quiz, true));
    for (const course of tier.courses) issued.push(...(await completeAll(user, course.lessons)));
    expect(issued.at(-1)).toBe(1);
    expect(issued.slice(0, -1).every((n) => n === 0)).toBe(true);
    expect(await certificatesOf(user.id)).toHaveLength(1);
  });

  it('issues the certificate in the passing quiz that completes the tier, not in a failed one', async () => {
    const user = await learner('quiz-last@x.jp');
    const issued: number[] = [];
    for (const course of tier.courses) issued.push(...(await completeAll(user, course.lessons)));
    const quizzes = tier.courses.flatMap((c) => c.quizzes);
    for (const quiz of quizzes.slice(0, -1)) issued.push(await takeQuiz(user, quiz, true));
    expect(await takeQuiz(user, quizzes.at(-1)!, false)).toBe(0);
    expect(issued.every((n) => n === 0)).toBe(true);
    expect(await takeQuiz(user, quizzes.at(-1)!, true)).toBe(1);
    expect(await certificatesOf(user.id)).toHaveLength(1);
  });

  it('refuses a locked course and stores nothing', async () => {
    const locked = allCourses.find((c) => c.prerequisites.length > 0 && c.quizzes.length > 0)!;
    const user = await learner('locked@x.jp');
    expect((await completeOpenLesson(t.db, catalog, user, locked.lessons[0]!, TZ)).status).toBe('locked');
    expect((await startOpenAttempt(t.db, catalog, user.id, locked.quizzes[0]!, TZ)).status).toBe('locked');
    const db = rawDrizzle(t.db);
    expect(await db.select().from(lessonCompletions).where(eq(lessonCompletions.userId, user.id))).toHaveLength(0);
    expect(await db.select().from(quizAttempts).where(eq(quizAttempts.userId, user.id))).toHaveLength(0);
  });

  it('refuses a new attempt once the cycle’s limit of submitted attempts is used', async () => {
    const quiz = allCourses.flatMap((c) => c.quizzes).find((q) => q.maxAttempts !== null)!;
    const user = await learner('limit@x.jp');
    // Complete every course before the quiz's own, in learning order, so it is not locked.
    for (const course of allCourses) {
      if (course.id === quiz.courseId) break;
      await completeAll(user, course.lessons);
      for (const q of course.quizzes) await takeQuiz(user, q, true);
    }
    for (let i = 0; i < quiz.maxAttempts!; i++) await takeQuiz(user, quiz, false);
    expect((await startOpenAttempt(t.db, catalog, user.id, quiz, TZ)).status).toBe('no_attempts_left');
  });
});
