/**
 * A learner's position on the path, computed from the catalog and their records:
 * done/total per course and tier, locks from prerequisites (with the reason), the next step.
 * Completion rules: a course is complete when all its lessons are done and all its quizzes
 * passed; a tier when all its courses are complete.
 */
import type { Catalog, CourseNode, QuizNode, TierNode } from '../curriculum/catalog.ts';
import type { TierId } from '../curriculum/schemas.ts';

export interface QuizRecord {
  /** Submitted attempts. */
  attempts: number;
  /** Best score in percent over submitted attempts; null before the first. */
  bestPercent: number | null;
  passed: boolean;
}

export interface LearnerRecord {
  completedLessons: ReadonlySet<string>;
  quizzes: ReadonlyMap<string, QuizRecord>;
}

/** Why something is locked: the tiers or courses to finish first. */
export type Lock = { kind: 'tier'; ids: TierId[] } | { kind: 'course'; ids: string[] };

export interface QuizProgress {
  quiz: QuizNode;
  record: QuizRecord;
}

export interface CourseProgress {
  course: CourseNode;
  lessonsDone: number;
  lessonsTotal: number;
  quizzes: QuizProgress[];
  quizzesPassed: number;
  complete: boolean;
  lock: Lock | null;
  /** Steps (lessons + quizzes) done, 0–100. */
  percent: number;
  /** The first lesson not done yet, in order. */
  nextLessonId: string | null;
}

export interface TierProgress {
  tier: TierNode;
  courses: CourseProgress[];
  lessonsDone: number;
  lessonsTotal: number;
  quizzesPassed: number;
  quizzesTotal: number;
  complete: boolean;
  lock: Lock | null;
  percent: number;
}

export type NextStep = { kind: 'lesson'; courseId: string; lessonId: string } | { kind: 'quiz'; courseId: string; quizId: string };

export interface Progress {
  tiers: TierProgress[];
  tier(id: string): TierProgress | null;
  course(id: string): CourseProgress | null;
  /** Where "continue" leads: the first open step on the path; null when everything open is done. */
  next: NextStep | null;
}

const EMPTY_QUIZ: QuizRecord = { attempts: 0, bestPercent: null, passed: false };

function percent(done: number, total: number): number {
  return total === 0 ? 0 : Math.round((done / total) * 100);
}

export function computeProgress(catalog: Catalog, record: LearnerRecord): Progress {
  // First pass: completion, which locks depend on (a prerequisite may sit in another tier).
  const courseComplete = new Map<string, boolean>();
  for (const tier of catalog.tiers) {
    for (const course of tier.courses) {
      const lessonsDone = course.lessons.every((l) => record.completedLessons.has(l.id));
      const quizzesPassed = course.quizzes.every((q) => record.quizzes.get(q.id)?.passed === true);
      courseComplete.set(course.id, lessonsDone && quizzesPassed);
    }
  }
  const tierComplete = new Map(catalog.tiers.map((t) => [t.id, t.courses.length > 0 && t.courses.every((c) => courseComplete.get(c.id))]));

  const tiers: TierProgress[] = catalog.tiers.map((tier) => {
    const missingTiers = tier.requires.filter((id) => !tierComplete.get(id));
    const tierLock: Lock | null = missingTiers.length > 0 ? { kind: 'tier', ids: missingTiers } : null;

    const courses: CourseProgress[] = tier.courses.map((course) => {
      const lessonsDone = course.lessons.filter((l) => record.completedLessons.has(l.id)).length;
      const quizzes = course.quizzes.map((quiz) => ({ quiz, record: record.quizzes.get(quiz.id) ?? EMPTY_QUIZ }));
      const quizzesPassed = quizzes.filter((q) => q.record.passed).length;
      const missingCourses = course.prerequisites.filter((id) => !courseComplete.get(id));
      const lock: Lock | null = tierLock ?? (missingCourses.length > 0 ? { kind: 'course', ids: missingCourses } : null);
      const steps = course.lessons.length + course.quizzes.length;
      return {
        course,
        lessonsDone,
        lessonsTotal: course.lessons.length,
        quizzes,
        quizzesPassed,
        complete: courseComplete.get(course.id) ?? false,
        lock,
        percent: percent(lessonsDone + quizzesPassed, steps),
        nextLessonId: course.lessons.find((l) => !record.completedLessons.has(l.id))?.id ?? null,
      };
    });

    const lessonsDone = courses.reduce((n, c) => n + c.lessonsDone, 0);
    const lessonsTotal = courses.reduce((n, c) => n + c.lessonsTotal, 0);
    const quizzesPassed = courses.reduce((n, c) => n + c.quizzesPassed, 0);
    const quizzesTotal = courses.reduce((n, c) => n + c.quizzes.length, 0);
    return {
      tier,
      courses,
      lessonsDone,
      lessonsTotal,
      quizzesPassed,
      quizzesTotal,
      complete: tierComplete.get(tier.id) ?? false,
      lock: tierLock,
      percent: percent(lessonsDone + quizzesPassed, lessonsTotal + quizzesTotal),
    };
  });

  const byTier = new Map(tiers.map((t) => [t.tier.id as string, t]));
  const byCourse = new Map(tiers.flatMap((t) => t.courses.map((c) => [c.course.id, c] as const)));

  let next: NextStep | null = null;
  for (const course of tiers.flatMap((t) => t.courses)) {
    if (course.lock || course.complete) continue;
    if (course.nextLessonId) next = { kind: 'lesson', courseId: course.course.id, lessonId: course.nextLessonId };
    else {
      const quiz = course.quizzes.find((q) => !q.record.passed);
      if (quiz) next = { kind: 'quiz', courseId: course.course.id, quizId: quiz.quiz.id };
    }
    if (next) break;
  }

  return {
    tiers,
    tier: (id) => byTier.get(id) ?? null,
    course: (id) => byCourse.get(id) ?? null,
    next,
  };
}
