import { describe, expect, it } from 'vitest';
import { computeProgress, firstCycleRecord, type LearnerRecord, type Progress, type QuizRecord } from './progress.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';

// Fixture: basic → basic-ai-essentials (what-is-generative-ai, safe-use-basics; quiz basic-ai-essentials)
//          applied (requires basic) → applied-department-pilot (prerequisite basic-ai-essentials)
//          specialist (requires applied) → specialist-operations
const catalog = fixtureCatalog();

function record(lessons: string[], quizzes: Record<string, Partial<QuizRecord>> = {}): LearnerRecord {
  return firstCycleRecord(lessons, new Map(Object.entries(quizzes).map(([id, r]) => [id, { attempts: 1, bestPercent: 100, passed: true, ...r }])));
}

const AT = { now: new Date('2026-12-01T00:00:00Z'), timeZone: 'Asia/Tokyo' };
const progressOf = (c: Catalog, r: LearnerRecord): Progress => computeProgress(c, r, AT);

describe('progress', () => {
  it('starts with the first lesson, everything after Basic locked with the reason', () => {
    const p = progressOf(catalog, record([]));
    expect(p.next).toEqual({ kind: 'lesson', courseId: 'basic-ai-essentials', lessonId: 'what-is-generative-ai' });
    expect(p.tier('basic')!.lock).toBeNull();
    expect(p.tier('applied')!.lock).toEqual({ kind: 'tier', ids: ['basic'] });
    expect(p.course('applied-department-pilot')!.lock).toEqual({ kind: 'tier', ids: ['basic'] });
    expect(p.tier('basic')).toMatchObject({ lessonsDone: 0, lessonsTotal: 2, quizzesPassed: 0, quizzesTotal: 1, percent: 0 });
  });

  it('counts lessons done and points to the next one, then to the quiz', () => {
    const half = progressOf(catalog, record(['what-is-generative-ai']));
    expect(half.course('basic-ai-essentials')).toMatchObject({ lessonsDone: 1, percent: 33, nextLessonId: 'safe-use-basics', complete: false });
    expect(half.next).toMatchObject({ kind: 'lesson', lessonId: 'safe-use-basics' });
    const read = progressOf(catalog, record(['what-is-generative-ai', 'safe-use-basics']));
    expect(read.next).toEqual({ kind: 'quiz', courseId: 'basic-ai-essentials', quizId: 'basic-ai-essentials' });
    expect(read.course('basic-ai-essentials')!.complete).toBe(false);
  });

  it('a failed quiz does not complete the course; a passed one does, and opens the next tier', () => {
    const lessons = ['what-is-generative-ai', 'safe-use-basics'];
    const failed = progressOf(catalog, record(lessons, { 'basic-ai-essentials': { passed: false, bestPercent: 33.3 } }));
    expect(failed.course('basic-ai-essentials')!.complete).toBe(false);
    expect(failed.tier('applied')!.lock).not.toBeNull();
    expect(failed.next).toMatchObject({ kind: 'quiz' });

    const passed = progressOf(catalog, record(lessons, { 'basic-ai-essentials': {} }));
    expect(passed.course('basic-ai-essentials')).toMatchObject({ complete: true, percent: 100 });
    expect(passed.tier('basic')!.complete).toBe(true);
    expect(passed.tier('applied')!.lock).toBeNull();
    expect(passed.course('applied-department-pilot')!.lock).toBeNull();
    expect(passed.tier('specialist')!.lock).toEqual({ kind: 'tier', ids: ['applied'] });
    expect(passed.next).toMatchObject({ kind: 'lesson', courseId: 'applied-department-pilot', lessonId: 'finding-use-cases' });
  });

  it('all lessons without the quiz is not complete, and completing lessons of a locked course does not unlock it', () => {
    const p = progressOf(catalog, record(['finding-use-cases', 'data-handling-rules']));
    expect(p.course('applied-department-pilot')).toMatchObject({ lessonsDone: 2, complete: false });
    expect(p.course('applied-department-pilot')!.lock).not.toBeNull();
  });

  it('has nothing next when everything is done', () => {
    const all = catalog.allLessons().map((l) => l.id);
    const quizzes = Object.fromEntries(catalog.tiers.flatMap((t) => t.courses.flatMap((c) => c.quizzes.map((q) => [q.id, {}]))));
    const p = progressOf(catalog, record(all, quizzes));
    expect(p.next).toBeNull();
    expect(p.tiers.every((t) => t.complete && t.percent === 100)).toBe(true);
  });

  it('a course prerequisite in the same tier locks with the course named', () => {
    const withPrereq = { ...catalog };
    const basic = catalog.tier('basic')!;
    const extra = { ...basic.courses[0]!, id: 'basic-extra', order: 2, prerequisites: ['basic-ai-essentials'], lessons: [], quizzes: [] };
    const tiers = catalog.tiers.map((t) => (t.id === 'basic' ? { ...t, courses: [...t.courses, extra] } : t));
    const p = progressOf({ ...withPrereq, tiers }, record([]));
    expect(p.course('basic-extra')!.lock).toEqual({ kind: 'course', ids: ['basic-ai-essentials'] });
  });
});
