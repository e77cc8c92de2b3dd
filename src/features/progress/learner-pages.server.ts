/**
 * What the learner pages show, one load function per page. Every one starts from the same
 * preamble, `loadLearnerContext`: the catalog, the signed-in learner's record and their progress.
 */
import type { Catalog, CourseNode, LessonNode, QuizNode, TierNode } from '../curriculum/catalog.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import type { TierId } from '../curriculum/schemas.ts';
import { now } from '../../platform/clock.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { assignmentsForUser, type UserAssignment } from '../programme/assignments.server.ts';
import { assignmentCalendarIds } from '../notifications/account.server.ts';
import { currentCheckin } from '../programme/checkins.server.ts';
import { listCertificates, newestPerTier, type Certificate } from './certificates.server.ts';
import { afterCourse, courseAction, nextTier, type AfterCourse, type CourseAction } from './next-step.ts';
import { computeProgress, type CourseProgress, type LearnerRecord, type NextStep, type Progress, type TierProgress } from './progress.ts';
import { loadLearnerRecord } from './records.server.ts';

/** The top of every learner page: the catalog, the learner's record and their progress. */
export interface LearnerContext {
  catalog: Catalog;
  record: LearnerRecord;
  progress: Progress;
}

export async function loadLearnerContext(db: Db, userId: number): Promise<LearnerContext> {
  const [catalog, record] = await Promise.all([getCatalog(), loadLearnerRecord(db, userId)]);
  return { catalog, record, progress: computeProgress(catalog, record, { now: now(), timeZone: getConfig().timeZone }) };
}

/** The learner's newest certificate for a tier (the current cycle's, or the one being renewed), if any. */
export async function certificateFor(db: Db, userId: number, tierId: string): Promise<Certificate | null> {
  return newestPerTier(await listCertificates(db, userId)).find((c) => c.tierId === tierId) ?? null;
}

export interface HomePage extends LearnerContext {
  /** The one next step, with its lesson or quiz and course (all null when everything open is done). */
  next: { step: NextStep; lesson: LessonNode | null; quiz: QuizNode | null; course: CourseNode | null } | null;
  /** Anything done yet: "Continue" rather than "Start". */
  started: boolean;
  /** The newest certificate of each tier. */
  certificates: Certificate[];
  /** Tiers whose renewal is open or overdue: "renew by <date>". */
  renewals: TierProgress[];
  assigned: UserAssignment[];
  /** Per assigned tier, the assignment its "add to calendar" download names (src/features/notifications/account.server.ts). */
  calendarIds: Map<string, number>;
  checkin: Awaited<ReturnType<typeof currentCheckin>>;
  timeZone: string;
}

export async function loadHomePage(db: Db, userId: number): Promise<HomePage> {
  const context = await loadLearnerContext(db, userId);
  const { catalog, record, progress } = context;
  const { timeZone } = getConfig();
  const step = progress.next;
  return {
    ...context,
    next: step && {
      step,
      lesson: step.kind === 'lesson' ? catalog.lesson(step.lessonId) : null,
      quiz: step.kind === 'quiz' ? catalog.quiz(step.quizId) : null,
      course: catalog.course(step.courseId),
    },
    started: record.completions.length > 0 || record.attempts.length > 0,
    certificates: newestPerTier(await listCertificates(db, userId)),
    renewals: progress.tiers.filter((t) => t.cycle.status === 'renewal-open' || t.cycle.status === 'expired'),
    assigned: await assignmentsForUser(db, userId, timeZone),
    calendarIds: await assignmentCalendarIds(db, userId),
    checkin: await currentCheckin(db, userId, timeZone),
    timeZone,
  };
}

export interface TierPage extends LearnerContext {
  tier: TierNode;
  tierProgress: TierProgress;
  nextTierId: TierId | null;
  certificate: Certificate | null;
  timeZone: string;
}

/** Null: no such tier (404). */
export async function loadTierPage(db: Db, userId: number, tierId: string): Promise<TierPage | null> {
  const context = await loadLearnerContext(db, userId);
  const tier = context.catalog.tier(tierId);
  if (!tier) return null;
  const tierProgress = context.progress.tier(tier.id)!;
  return {
    ...context,
    tier,
    tierProgress,
    nextTierId: nextTier(context.progress, tier.id),
    certificate: tierProgress.complete ? await certificateFor(db, userId, tier.id) : null,
    timeZone: getConfig().timeZone,
  };
}

export interface CoursePage extends LearnerContext {
  course: CourseNode;
  tier: TierNode;
  courseProgress: CourseProgress;
  /** The page's one filled button. */
  action: CourseAction | null;
  after: AfterCourse | null;
  nextCourse: CourseNode | null;
  certificate: Certificate | null;
  timeZone: string;
}

/** Null: no such course (404). */
export async function loadCoursePage(db: Db, userId: number, courseId: string): Promise<CoursePage | null> {
  const context = await loadLearnerContext(db, userId);
  const { catalog, progress } = context;
  const course = catalog.course(courseId);
  if (!course) return null;
  const courseProgress = progress.course(course.id)!;
  const after = afterCourse(progress, course.id);
  return {
    ...context,
    course,
    tier: catalog.tier(course.tierId)!,
    courseProgress,
    action: courseAction(courseProgress),
    after,
    nextCourse: after?.kind === 'course' ? catalog.course(after.courseId) : null,
    certificate: after?.kind === 'tier-complete' ? await certificateFor(db, userId, after.tierId) : null,
    timeZone: getConfig().timeZone,
  };
}
