/**
 * A lesson: what its page shows (opening it records a view, the one write a GET may make) and
 * marking it complete.
 */
import type { CourseNode, LessonNode, Revision, TierNode } from '../curriculum/catalog.ts';
import { getCatalog, renderLesson } from '../curriculum/catalog.server.ts';
import { pick } from '../curriculum/catalog.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { bestEffortWrite } from '../../platform/storage-errors.server.ts';
import { ownFeedback, type OwnFeedback } from '../feedback/feedback.server.ts';
import { ownLessonAnswers } from '../practice/practice.server.ts';
import type { PracticeAnswer } from '../practice/practice.ts';
import type { Certificate } from './certificates.server.ts';
import { certificateFor, loadLearnerContext, type LearnerContext } from './learner-pages.server.ts';
import { afterCourse, courseAction, type AfterCourse, type CourseAction } from './next-step.ts';
import type { CourseProgress, TierCycle } from './progress.ts';
import { completedAt, completeOpenLesson, recordLessonView } from './progress.server.ts';

export interface LessonPage extends LearnerContext {
  course: CourseNode;
  lesson: LessonNode;
  tier: TierNode;
  courseProgress: CourseProgress;
  previous: LessonNode | null;
  next: LessonNode | null;
  /** Once this lesson is done: the course's next step, else the next course or the tier's results. */
  action: CourseAction | null;
  after: AfterCourse | null;
  nextCourse: CourseNode | null;
  nextLesson: LessonNode | null;
  /** The rendered body; null while the course is locked. */
  rendered: NonNullable<Awaited<ReturnType<typeof renderLesson>>> | null;
  /** When the learner completed it, if it counts as done in the current cycle. */
  doneAt: Date | null;
  /** A major revision since the learner read it: "updated since you read it", with the note. */
  review: Revision | null;
  /** The tier's renewal, while it is open or overdue. */
  renewal: TierCycle | null;
  feedback: OwnFeedback;
  /** The learner's own practice answers on this lesson, by task id (only ever theirs). */
  practiceAnswers: Record<string, PracticeAnswer>;
  certificate: Certificate | null;
  /** This lesson was the step that completed its tier (the certificate was issued in the same write). */
  completedTierHere: boolean;
  timeZone: string;
}

/**
 * Null: no such lesson in that course, or its body cannot be found (404). `body: false` (the
 * prerendered shells, src/features/lesson-shell) loads the same state without the MDX body.
 */
export async function loadLessonPage(
  db: Db,
  userId: number,
  courseId: string,
  lessonId: string,
  locale: Locale,
  options: { body: boolean } = { body: true },
): Promise<LessonPage | null> {
  const context = await loadLearnerContext(db, userId);
  const { catalog, progress } = context;
  const course = catalog.course(courseId);
  const lesson = catalog.lesson(lessonId);
  if (!course || !lesson || lesson.courseId !== course.id) return null;
  const { timeZone } = getConfig();
  const courseProgress = progress.course(course.id)!;
  const index = course.lessons.findIndex((l) => l.id === lesson.id);
  const action = courseAction(courseProgress);
  const after = afterCourse(progress, course.id);
  let rendered: LessonPage['rendered'] = null;
  let doneAt: Date | null = null;
  let feedback: OwnFeedback = { kind: 'none' };
  let practiceAnswers: Record<string, PracticeAnswer> = {};
  if (!courseProgress.lock) {
    if (options.body) {
      rendered = await renderLesson(pick(lesson.entryIds, locale).value);
      if (!rendered) return null;
    }
    // Analytics: a failed view record is logged, the lesson still opens.
    await bestEffortWrite('lessonViews', () => recordLessonView(db, userId, lesson.id, timeZone));
    doneAt = progress.lessonDone(lesson.id) ? await completedAt(db, userId, lesson.id) : null;
    feedback = await ownFeedback(db, userId, lesson.id);
    practiceAnswers = await ownLessonAnswers(db, userId, lesson.id);
  }
  const certificate = doneAt && after?.kind === 'tier-complete' ? await certificateFor(db, userId, after.tierId) : null;
  const cycle = progress.tier(course.tierId)?.cycle ?? null;
  return {
    ...context,
    course,
    lesson,
    tier: catalog.tier(course.tierId)!,
    courseProgress,
    previous: course.lessons[index - 1] ?? null,
    next: course.lessons[index + 1] ?? null,
    action,
    after,
    nextCourse: after?.kind === 'course' ? catalog.course(after.courseId) : null,
    nextLesson: action?.kind === 'start' || action?.kind === 'resume' ? catalog.lesson(action.lessonId) : null,
    rendered,
    doneAt,
    review: progress.reviews.includes(lesson) ? lesson.majorRevision : null,
    renewal: cycle && (cycle.status === 'renewal-open' || cycle.status === 'expired') ? cycle : null,
    feedback,
    practiceAnswers,
    certificate,
    completedTierHere: certificate !== null && certificate.issuedAt.getTime() === doneAt?.getTime(),
    timeZone,
  };
}

export type MarkCompleteResult = { status: 'not_found' } | { status: 'locked' } | { status: 'completed'; created: boolean; certificatesIssued: string[] };

/** "Mark as complete" from the lesson page: refused for an unknown lesson or a locked course. */
export async function markLessonComplete(db: Db, user: { id: number; displayName: string }, lessonId: string): Promise<MarkCompleteResult> {
  const catalog = await getCatalog();
  const lesson = catalog.lesson(lessonId);
  if (!lesson) return { status: 'not_found' };
  return completeOpenLesson(db, catalog, user, lesson, getConfig().timeZone);
}
