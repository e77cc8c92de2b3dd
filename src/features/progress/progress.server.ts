/**
 * Lesson completions, lesson views (activity) and the lock rule, on the database; the learner
 * record itself is loaded in `records.server.ts`. Always scoped by the session's user id.
 */
import { and, eq, sql } from 'drizzle-orm';
import { certificates, lessonCompletions, lessonViews } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { dayKey } from '../../platform/dates.ts';
import { computeProgress } from './progress.ts';
import { recordActivityIn } from './activity.server.ts';
import { learnerRecordIn, loadLearnerRecord } from './records.server.ts';
import { generateSecureRandomString } from '../auth/session.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';

/**
 * Work on a course whose prerequisites are not complete is refused: locked means locked, not
 * just a hidden button.
 */
export async function courseLocked(db: Db, catalog: Catalog, userId: number, courseId: string): Promise<boolean> {
  return computeProgress(catalog, await loadLearnerRecord(db, userId)).course(courseId)?.lock != null;
}

export async function completedAt(db: Db, userId: number, lessonId: string): Promise<Date | null> {
  const statement = db.prepared('learner.completedAt', (q) =>
    q
      .select({ at: lessonCompletions.completedAt })
      .from(lessonCompletions)
      .where(and(eq(lessonCompletions.userId, sql.placeholder('userId')), eq(lessonCompletions.lessonId, sql.placeholder('lessonId'))))
      .prepare(),
  );
  return db.read(() => statement.get({ userId, lessonId })?.at ?? null);
}

export interface CompletionResult {
  /** False when the lesson was already complete (a double submission stores one row). */
  created: boolean;
  certificatesIssued: string[];
}

/**
 * Marks a lesson complete (once), issues the certificate of any tier this completes and records
 * the month's activity, in one short immediate transaction.
 */
export async function completeLesson(
  db: Db,
  catalog: Catalog,
  user: { id: number; displayName: string },
  lessonId: string,
  timeZone: string,
  now = new Date(),
): Promise<CompletionResult> {
  return db.write((tx) => {
    const created = tx.insert(lessonCompletions).values({ userId: user.id, lessonId, completedAt: now }).onConflictDoNothing().run().changes === 1;
    const certificatesIssued = created ? issueDueCertificates(tx, catalog, user, now) : [];
    recordActivityIn(tx, user.id, timeZone, now);
    return { created, certificatesIssued };
  });
}

/** Lesson views known to be stored, per connection: `userId:lessonId` → day. Bounded, as a cache. */
const viewsSeen = new WeakMap<object, Map<string, string>>();
const MAX_VIEWS_SEEN = 100_000;

/** The analytics record of opening a lesson: at most one row per user, lesson and day (and the month's activity). */
export async function recordLessonView(db: Db, userId: number, lessonId: string, timeZone: string, now = new Date()): Promise<void> {
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
  await db.write((tx) => {
    if (insert.run({ userId, lessonId, day, viewedAt: now }).changes === 1) recordActivityIn(tx, userId, timeZone, now);
  });
  if (seen.size >= MAX_VIEWS_SEEN) seen.clear();
  seen.set(key, day);
}

/**
 * Issues one certificate per completed tier that has none yet; returns the new codes.
 * Call inside `db.write`, right after the write that may complete a tier.
 */
export function issueDueCertificates(tx: Tx, catalog: Catalog, user: { id: number; displayName: string }, now: Date): string[] {
  const progress = computeProgress(catalog, learnerRecordIn(tx, user.id));
  const issued: string[] = [];
  for (const tier of progress.tiers) {
    if (!tier.complete) continue;
    const code = generateSecureRandomString();
    const inserted = tx
      .insert(certificates)
      .values({ code, userId: user.id, tierId: tier.tier.id, holderName: user.displayName, issuedAt: now })
      .onConflictDoNothing({ target: [certificates.userId, certificates.tierId] })
      .run().changes;
    if (inserted === 1) issued.push(code);
  }
  return issued;
}
