/** The one next action per course, after a course and after a tier, on the shipped curriculum. */
import { describe, expect, it } from 'vitest';
import { afterCourse, courseAction, nextTier } from './next-step.ts';
import { computeProgress, firstCycleRecord, type LearnerRecord, type Progress } from './progress.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { shippedCatalog } from '../../../tests/helpers/catalog.ts';

const catalog = shippedCatalog();
const basic = catalog.tier('basic')!;
const [first, second] = basic.courses as [(typeof basic.courses)[number], (typeof basic.courses)[number]];

function record(lessons: string[], passed: string[] = []): LearnerRecord {
  return firstCycleRecord(lessons, new Map(passed.map((id) => [id, { attempts: 1, bestPercent: 100, passed: true }])));
}

const progressOf = (c: Catalog, r: LearnerRecord): Progress => computeProgress(c, r, { now: new Date('2026-12-01T00:00:00Z'), timeZone: 'Asia/Tokyo' });
const lessonsOf = (courseIds: string[]): string[] => courseIds.flatMap((id) => catalog.course(id)!.lessons.map((l) => l.id));
const quizzesOf = (courseIds: string[]): string[] => courseIds.flatMap((id) => catalog.course(id)!.quizzes.map((q) => q.id));

describe('courseAction', () => {
  it('starts with lesson 1, resumes at the first lesson not done, then offers the quiz as the last step', () => {
    const none = progressOf(catalog, record([]));
    expect(courseAction(none.course(first.id)!)).toEqual({ kind: 'start', lessonId: first.lessons[0]!.id, position: 1 });

    const one = progressOf(catalog, record([first.lessons[0]!.id]));
    expect(courseAction(one.course(first.id)!)).toEqual({ kind: 'resume', lessonId: first.lessons[1]!.id, position: 2 });

    // A lesson skipped in the middle is where the course resumes.
    const gap = progressOf(catalog, record([first.lessons[0]!.id, first.lessons[2]!.id]));
    expect(courseAction(gap.course(first.id)!)).toEqual({ kind: 'resume', lessonId: first.lessons[1]!.id, position: 2 });

    const read = progressOf(catalog, record(lessonsOf([first.id])));
    expect(courseAction(read.course(first.id)!)).toEqual({ kind: 'quiz', quizId: first.quizzes[0]!.id });
  });

  it('a quiz passed early does not skip the lessons; a locked course offers nothing; a complete one says so', () => {
    const early = progressOf(catalog, record([], quizzesOf([first.id])));
    expect(courseAction(early.course(first.id)!)).toMatchObject({ kind: 'start', position: 1 });
    expect(courseAction(early.course(second.id)!)).toBeNull();
    const done = progressOf(catalog, record(lessonsOf([first.id]), quizzesOf([first.id])));
    expect(courseAction(done.course(first.id)!)).toEqual({ kind: 'complete' });
  });
});

describe('afterCourse and nextTier', () => {
  it('leads to the next course of the tier, and nowhere while the course is not complete', () => {
    const done = progressOf(catalog, record(lessonsOf([first.id]), quizzesOf([first.id])));
    expect(afterCourse(done, first.id)).toEqual({ kind: 'course', courseId: second.id });
    expect(afterCourse(progressOf(catalog, record(lessonsOf([first.id]))), first.id)).toBeNull();
  });

  it('completing the tier leads to its results and the next open tier; with every tier done, to none', () => {
    const basicIds = basic.courses.map((c) => c.id);
    const tierDone = progressOf(catalog, record(lessonsOf(basicIds), quizzesOf(basicIds)));
    const last = basicIds.at(-1)!;
    expect(afterCourse(tierDone, last)).toEqual({ kind: 'tier-complete', tierId: 'basic', nextTierId: 'applied' });
    expect(nextTier(tierDone, 'applied')).toBe('specialist');

    const all = catalog.tiers.flatMap((t) => t.courses.map((c) => c.id));
    const everything = progressOf(catalog, record(lessonsOf(all), quizzesOf(all)));
    expect(afterCourse(everything, last)).toEqual({ kind: 'tier-complete', tierId: 'basic', nextTierId: null });
  });

  it('skips tiers still locked: before Basic is complete no other tier is next', () => {
    const none = progressOf(catalog, record([]));
    expect(nextTier(none, 'basic')).toBeNull();
  });
});
