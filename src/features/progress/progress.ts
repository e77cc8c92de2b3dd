/**
 * A learner's position on the path, computed from the catalog and their records:
 * done/total per course and tier, locks from prerequisites (with the reason), the next step.
 * Completion rules: a course is complete when all its lessons are done and all its quizzes
 * passed; a tier when all its courses are complete. All of it in each tier's current cycle
 * (cycles.ts): a renewal asks again for what its rule says, and what the learner did in earlier
 * cycles stays in the record. A course or tier done once stays open for what depends on it: a
 * renewal never locks the learner out of the next tier.
 */
import type { Catalog, CourseNode, LessonNode, QuizNode, TierNode } from '../curriculum/catalog.ts';
import type { TierId } from '../curriculum/schemas.ts';
import { newestCertificates, outdatedBy, tierCycle, type AttemptSummary, type CertificateEntry, type CompletionEntry, type TierCycle } from './cycles.ts';

export type { AttemptSummary, CertificateEntry, CompletionEntry, TierCycle };

export interface QuizRecord {
  /** Submitted attempts. */
  attempts: number;
  /** Best score in percent over submitted attempts; null before the first. */
  bestPercent: number | null;
  passed: boolean;
}

/** Everything a learner did, in every cycle (records.server.ts loads it). */
export interface LearnerRecord {
  completions: readonly CompletionEntry[];
  attempts: readonly AttemptSummary[];
  certificates: readonly CertificateEntry[];
}

/** The moment progress is computed for, and the zone calendar days are counted in. */
export interface ProgressTime {
  now: Date;
  timeZone: string;
}

/** A record with everything in cycle 1 and current versions (tests, and rebuilt records such as an xAPI export). */
export function firstCycleRecord(completedLessons: Iterable<string>, quizzes: ReadonlyMap<string, QuizRecord> = new Map()): LearnerRecord {
  return {
    completions: [...completedLessons].map((lessonId) => ({ lessonId, cycle: 1, contentVersion: '', majorRevision: null })),
    attempts: [...quizzes].map(([quizId, q]) => ({ quizId, cycle: 1, ...q })),
    certificates: [],
  };
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
  /** The learner's current cycle of the tier: renewal state, what it asks. */
  cycle: TierCycle;
}

export type NextStep = { kind: 'lesson'; courseId: string; lessonId: string } | { kind: 'quiz'; courseId: string; quizId: string };

export interface Progress {
  tiers: TierProgress[];
  tier(id: string): TierProgress | null;
  course(id: string): CourseProgress | null;
  /** Where "continue" leads: the first open step on the path; null when everything open is done. */
  next: NextStep | null;
  /** Done in the current cycle of its tier (or carried over into a `changed` renewal). */
  lessonDone(lessonId: string): boolean;
  /** Lessons read before their newest major revision, in learning order: "updated since you read it". */
  reviews: LessonNode[];
}

const EMPTY_QUIZ: QuizRecord = { attempts: 0, bestPercent: null, passed: false };

function percent(done: number, total: number): number {
  return total === 0 ? 0 : Math.round((done / total) * 100);
}

export function computeProgress(catalog: Catalog, record: LearnerRecord, at: ProgressTime): Progress {
  const newest = newestCertificates(record.certificates);
  const cycles = new Map(catalog.tiers.map((t) => [t.id as string, tierCycle(t, newest.get(t.id) ?? null, at.now)]));
  const completionsOf = new Map<string, CompletionEntry[]>();
  for (const c of record.completions) {
    const list = completionsOf.get(c.lessonId);
    if (list) list.push(c);
    else completionsOf.set(c.lessonId, [c]);
  }

  // Per lesson: done in the current cycle (or carried over), and whether a review is due.
  const done = new Set<string>();
  const reviews: LessonNode[] = [];
  for (const tier of catalog.tiers) {
    const cycle = cycles.get(tier.id)!;
    for (const lesson of tier.courses.flatMap((c) => c.lessons)) {
      const entries = completionsOf.get(lesson.id);
      if (!entries) continue;
      // A `changed` renewal carries over what was read before, unless revised since; once the
      // renewal is certified, the revision is a review (like in cycle 1), not undone work.
      const carried = (e: CompletionEntry): boolean => cycle.takes === 'changed' && e.cycle < cycle.number && (cycle.status === 'certified' || !outdatedBy(lesson, e));
      if (entries.some((e) => e.cycle === cycle.number || carried(e))) done.add(lesson.id);
      if (lesson.majorRevision && entries.every((e) => outdatedBy(lesson, e))) reviews.push(lesson);
    }
  }
  const quizRecords = new Map<string, QuizRecord>();
  for (const a of record.attempts) {
    const quiz = catalog.quiz(a.quizId);
    const tierId = quiz ? catalog.course(quiz.courseId)?.tierId : undefined;
    if (tierId === undefined || cycles.get(tierId)?.number !== a.cycle) continue;
    quizRecords.set(a.quizId, { attempts: a.attempts, bestPercent: a.bestPercent, passed: a.passed });
  }

  // First pass: completion, which locks depend on (a prerequisite may sit in another tier).
  const courseComplete = new Map<string, boolean>();
  for (const tier of catalog.tiers) {
    for (const course of tier.courses) {
      const lessonsDone = course.lessons.every((l) => done.has(l.id));
      const quizzesPassed = course.quizzes.every((q) => quizRecords.get(q.id)?.passed === true);
      courseComplete.set(course.id, lessonsDone && quizzesPassed);
    }
  }
  const tierComplete = new Map(catalog.tiers.map((t) => [t.id, t.courses.length > 0 && t.courses.every((c) => courseComplete.get(c.id))]));
  // Certified once: what needed the tier stays open while it is renewed.
  const opensOthers = (tierId: string): boolean => tierComplete.get(tierId as TierId) === true || newest.has(tierId);
  const courseOpensOthers = (courseId: string): boolean => {
    const tierId = catalog.course(courseId)?.tierId;
    return courseComplete.get(courseId) === true || (tierId !== undefined && newest.has(tierId));
  };

  const tiers: TierProgress[] = catalog.tiers.map((tier) => {
    const missingTiers = tier.requires.filter((id) => !opensOthers(id));
    const tierLock: Lock | null = missingTiers.length > 0 ? { kind: 'tier', ids: missingTiers } : null;

    const courses: CourseProgress[] = tier.courses.map((course) => {
      const lessonsDone = course.lessons.filter((l) => done.has(l.id)).length;
      const quizzes = course.quizzes.map((quiz) => ({ quiz, record: quizRecords.get(quiz.id) ?? EMPTY_QUIZ }));
      const quizzesPassed = quizzes.filter((q) => q.record.passed).length;
      const missingCourses = course.prerequisites.filter((id) => !courseOpensOthers(id));
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
        nextLessonId: course.lessons.find((l) => !done.has(l.id))?.id ?? null,
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
      cycle: cycles.get(tier.id)!,
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
    lessonDone: (id) => done.has(id),
    reviews,
  };
}
