/**
 * The one next action a learner is offered on a course, after a course and after a tier,
 * derived from their progress (src/features/progress/progress.ts). Lessons come first and the quiz is the
 * last step of a course; taking the quiz early stays possible, it just is not the step offered.
 */
import type { TierId } from '../curriculum/schemas.ts';
import type { CourseProgress, Progress } from './progress.ts';

export type CourseAction =
  /** No lesson done yet: the first lesson (position is 1-based). */
  | { kind: 'start'; lessonId: string; position: number }
  /** Some lessons done: the first one not done, in order. */
  | { kind: 'resume'; lessonId: string; position: number }
  /** Every lesson done, a quiz not passed yet. */
  | { kind: 'quiz'; quizId: string }
  /** Lessons done and quizzes passed: see `afterCourse`. */
  | { kind: 'complete' };

/** What a course offers as its next step; null while it is locked. */
export function courseAction(course: CourseProgress): CourseAction | null {
  if (course.lock) return null;
  if (course.nextLessonId) {
    const position = course.course.lessons.findIndex((l) => l.id === course.nextLessonId) + 1;
    return { kind: course.lessonsDone === 0 ? 'start' : 'resume', lessonId: course.nextLessonId, position };
  }
  const quiz = course.quizzes.find((q) => !q.record.passed);
  if (quiz) return { kind: 'quiz', quizId: quiz.quiz.id };
  return { kind: 'complete' };
}

export type AfterCourse =
  /** Another course to do: the next open one in the same tier, else the path's next step. */
  | { kind: 'course'; courseId: string }
  /** The course completed its tier: the certificate, then the next tier open to the learner (null: none left). */
  | { kind: 'tier-complete'; tierId: TierId; nextTierId: TierId | null };

/** Where a completed course leads; null when the course is not complete or nothing is open. */
export function afterCourse(progress: Progress, courseId: string): AfterCourse | null {
  const course = progress.course(courseId);
  if (!course?.complete) return null;
  const tier = progress.tier(course.course.tierId)!;
  if (tier.complete) return { kind: 'tier-complete', tierId: tier.tier.id, nextTierId: nextTier(progress, tier.tier.id) };
  // The courses after this one first, then any the learner skipped before it.
  const index = tier.courses.findIndex((c) => c.course.id === courseId);
  const ordered = [...tier.courses.slice(index + 1), ...tier.courses.slice(0, index)];
  const open = ordered.find((c) => !c.complete && !c.lock);
  if (open) return { kind: 'course', courseId: open.course.id };
  return progress.next ? { kind: 'course', courseId: progress.next.courseId } : null;
}

/** The next tier in order after `tierId` that is open (unlocked) and not complete; null when none is left. */
export function nextTier(progress: Progress, tierId: string): TierId | null {
  const index = progress.tiers.findIndex((t) => t.tier.id === tierId);
  const ordered = [...progress.tiers.slice(index + 1), ...progress.tiers.slice(0, index)];
  return ordered.find((t) => !t.complete && !t.lock && t.courses.length > 0)?.tier.id ?? null;
}
