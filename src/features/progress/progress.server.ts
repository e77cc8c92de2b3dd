/**
 * Lesson completions, lesson views (activity) and the lock rule, on the database; the learner
 * record itself is loaded in `records.server.ts`. Always scoped by the session's user id.
 */
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import { assignmentEnrolments, assignments, certificates, lessonCompletions, lessonViews } from '../../../db/schema/index.ts';
import type { Catalog, LessonNode, TierNode } from '../curriculum/catalog.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { getConfig } from '../../platform/config.server.ts';
import { dayKey } from '../../platform/dates.ts';
import { newestCertificates, tierCycle, validityEnd, type CompletionEntry, type TierCycle } from './cycles.ts';
import { computeProgress, type LearnerRecord, type Progress } from './progress.ts';
import { ACTIVITY_INSERT, recordActivityWith } from './activity.server.ts';
import { learnerRecordIn, loadLearnerRecord, OWN_RECORD, ownRecordIn } from './records.server.ts';
import { generateSecureRandomString } from '../auth/session.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { syncCertificateEvents } from '../kpi/certificate-rollups.server.ts';
import { changes, first } from '../../platform/query.ts';

/**
 * Work on a course whose prerequisites are not complete is refused: locked means locked, not
 * just a hidden button.
 */
export async function courseLocked(db: Db, catalog: Catalog, userId: number, courseId: string): Promise<boolean> {
  return computeProgress(catalog, await loadLearnerRecord(db, userId), { now: clockNow(), timeZone: getConfig().timeZone }).course(courseId)?.lock != null;
}

/** Work on a locked course is refused (the rule of `courseLocked`, on the record already read). */
export function lockedFor(catalog: Catalog, record: LearnerRecord, courseId: string, now: Date, timeZone: string): boolean {
  return computeProgress(catalog, record, { now, timeZone }).course(courseId)?.lock != null;
}

/** When the learner last completed the lesson (any cycle, any version); null if never. */
export async function completedAt(db: Db, userId: number, lessonId: string): Promise<Date | null> {
  const statement = db.prepared('learner.completedAt', (q) =>
    q
      .select({ at: lessonCompletions.completedAt })
      .from(lessonCompletions)
      .where(and(eq(lessonCompletions.userId, sql.placeholder('userId')), eq(lessonCompletions.lessonId, sql.placeholder('lessonId'))))
      .orderBy(desc(lessonCompletions.completedAt))
      .limit(1)
      .prepare(),
  );
  return db.read(async () => first(await statement.execute({ userId, lessonId }))?.at ?? null);
}

export interface CompletionResult {
  /** False when the lesson was already complete (a double submission stores one row). */
  created: boolean;
  certificatesIssued: string[];
}

export type OpenCompletionResult = { status: 'locked' } | ({ status: 'completed' } & CompletionResult);

/**
 * "Mark as complete" on a known lesson, in one short immediate transaction: the learner record,
 * read once on prepared statements, decides the lock (refused: nothing written) and the cycle,
 * and, with the new completion added, which certificates are due.
 */
export async function completeOpenLesson(
  db: Db,
  catalog: Catalog,
  user: { id: number; displayName: string },
  lesson: LessonNode,
  timeZone: string,
  now = clockNow(),
): Promise<OpenCompletionResult> {
  return db.write(async (tx): Promise<OpenCompletionResult> => {
    const record = await ownRecordIn(tx, db.prepared(...OWN_RECORD), user.id);
    if (lockedFor(catalog, record, lesson.courseId, now, timeZone)) return { status: 'locked' };
    return { status: 'completed', ...(await storeCompletionIn(db, tx, catalog, user, lesson.id, record, timeZone, now)) };
  });
}

/**
 * Marks a lesson complete in the current cycle of its tier, against the version read (once per
 * cycle and version: a double submission stores one row, a review of a revised lesson a new one),
 * issues the certificate of any tier this completes and records the month's activity, in one
 * short immediate transaction.
 */
export async function completeLesson(
  db: Db,
  catalog: Catalog,
  user: { id: number; displayName: string },
  lessonId: string,
  timeZone: string,
  now = clockNow(),
): Promise<CompletionResult> {
  return db.write(async (tx) => await storeCompletionIn(db, tx, catalog, user, lessonId, await ownRecordIn(tx, db.prepared(...OWN_RECORD), user.id), timeZone, now));
}

/** The learner's current cycle of one tier, from their record. */
export function currentCycleOf(record: LearnerRecord, tier: TierNode, now: Date): TierCycle {
  return tierCycle(tier, newestCertificates(record.certificates).get(tier.id) ?? null, now);
}

async function storeCompletionIn(
  db: Db,
  tx: Tx,
  catalog: Catalog,
  user: { id: number; displayName: string },
  lessonId: string,
  record: LearnerRecord,
  timeZone: string,
  now: Date,
): Promise<CompletionResult> {
  const lesson = catalog.lesson(lessonId);
  const tierId = lesson ? catalog.course(lesson.courseId)?.tierId : undefined;
  const tier = tierId ? catalog.tier(tierId) : null;
  const entry: CompletionEntry = {
    lessonId,
    cycle: tier ? currentCycleOf(record, tier, now).number : 1,
    contentVersion: lesson?.version ?? '',
    majorRevision: lesson?.majorRevision?.date ?? null,
  };
  const insert = db.prepared('lessonCompletions.insert', (q) =>
    q
      .insert(lessonCompletions)
      .values({
        userId: sql.placeholder('userId'),
        lessonId: sql.placeholder('lessonId'),
        cycle: sql.placeholder('cycle'),
        contentVersion: sql.placeholder('contentVersion'),
        majorRevision: sql.placeholder('majorRevision'),
        completedAt: sql.placeholder('completedAt'),
      })
      .onConflictDoNothing()
      .prepare(),
  );
  const created = changes(await insert.execute({ userId: user.id, ...entry, completedAt: now })) === 1;
  // The record as it is now: the one read, with this completion.
  const certificatesIssued = created ? await issueDueCertificates(tx, catalog, user, now, timeZone, { ...record, completions: [...record.completions, entry] }) : [];
  await recordActivityWith(tx, db.prepared(...ACTIVITY_INSERT), user.id, timeZone, now);
  return { created, certificatesIssued };
}

/** Lesson views known to be stored, per connection: `userId:lessonId` → day. Bounded, as a cache. */
const viewsSeen = new WeakMap<object, Map<string, string>>();
const MAX_VIEWS_SEEN = 100_000;

/** The analytics record of opening a lesson: at most one row per user, lesson and day (and the month's activity). */
export async function recordLessonView(db: Db, userId: number, lessonId: string, timeZone: string, now = clockNow()): Promise<void> {
  const day = dayKey(now, timeZone);
  // Most views repeat one already recorded today: remembering those spares the database a
  // write attempt on nearly every lesson page. The row stays the single source of truth.
  let seen = viewsSeen.get(db);
  if (!seen) viewsSeen.set(db, (seen = new Map()));
  const key = `${userId}:${lessonId}`;
  if (seen.get(key) === day) return;
  const insert = db.prepared('lessonViews.insert', (q) =>
    q
      .insert(lessonViews)
      .values({ userId: sql.placeholder('userId'), lessonId: sql.placeholder('lessonId'), day: sql.placeholder('day'), viewedAt: sql.placeholder('viewedAt') })
      .onConflictDoNothing()
      .prepare(),
  );
  await db.write(async (tx) => {
    if (changes(await insert.execute({ userId, lessonId, day, viewedAt: now })) === 1) await recordActivityWith(tx, db.prepared(...ACTIVITY_INSERT), userId, timeZone, now);
  });
  if (seen.size >= MAX_VIEWS_SEEN) seen.clear();
  seen.set(key, day);
}

/**
 * How long a new certificate of `tier` is valid for this learner: the shortest override of the
 * assignments that cover them, else the tier's `validForMonths`; null: it never expires.
 */
export async function validityMonthsIn(tx: Tx, userId: number, tier: TierNode): Promise<number | null> {
  const override = first(
    await tx
      .select({ months: sql<number | null>`min(${assignments.validForMonths})` })
      .from(assignmentEnrolments)
      .innerJoin(assignments, eq(assignments.id, assignmentEnrolments.assignmentId))
      .where(and(eq(assignmentEnrolments.userId, userId), eq(assignments.tierId, tier.id), isNotNull(assignments.validForMonths))),
  )?.months;
  return override ?? tier.renewal?.validForMonths ?? null;
}

/**
 * Issues the certificate of every tier whose current cycle is now complete and has none yet;
 * returns the new codes. Call inside `db.write`, right after the write that may complete a tier.
 */
export async function issueDueCertificates(
  tx: Tx,
  catalog: Catalog,
  user: { id: number; displayName: string },
  now: Date,
  timeZone: string,
  /** The learner's record as it stands in this write, when the caller has it already. */
  record: LearnerRecord | null = null,
): Promise<string[]> {
  record ??= await learnerRecordIn(tx, user.id);
  const progress: Progress = computeProgress(catalog, record, { now, timeZone });
  const issued: string[] = [];
  for (const tier of progress.tiers) {
    const { cycle } = tier;
    if (!tier.complete || cycle.certificate?.cycle === cycle.number) continue;
    const code = generateSecureRandomString();
    const validUntil = validityEnd(now, await validityMonthsIn(tx, user.id, tier.tier), cycle.certificate?.validUntil ?? null, timeZone);
    const inserted = changes(
      await tx
        .insert(certificates)
        .values({ code, userId: user.id, tierId: tier.tier.id, cycle: cycle.number, holderName: user.displayName, issuedAt: now, validUntil })
        .onConflictDoNothing({ target: [certificates.userId, certificates.tierId, certificates.cycle] }),
    );
    if (inserted === 1) issued.push(code);
  }
  // The dashboard's certificate standing (kpi/certificate-rollups.server.ts).
  if (issued.length > 0) await syncCertificateEvents(tx, user.id, timeZone);
  return issued;
}
