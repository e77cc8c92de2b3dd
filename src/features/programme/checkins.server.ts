/** The monthly check-in: hours saved with AI this month and on which tasks; editable within the month. */
import { and, eq, sql } from 'drizzle-orm';
import { checkins, type Checkin } from '../../../db/schema/index.ts';
import { monthKey } from '../../platform/dates.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { CHECKIN_ROLLUP, DEPARTMENT_OF, departmentIdWith, rollupCheckin } from '../kpi/rollups.server.ts';
import { ACTIVITY_INSERT, recordActivityWith } from '../progress/activity.server.ts';
import { lockLearnerIn } from '../progress/records.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { first } from '../../platform/query.ts';

export async function currentCheckin(db: Db, userId: number, timeZone: string, now = clockNow()): Promise<Checkin | null> {
  return db.read(
    async (q) =>
      first(
        await q
          .select()
          .from(checkins)
          .where(and(eq(checkins.userId, userId), eq(checkins.month, monthKey(now, timeZone)))),
      ) ?? null,
  );
}

/** Saves this month's answer (a new month starts a new row; past months are closed). */
export async function saveCheckin(db: Db, input: CheckinInput, timeZone: string, now = clockNow()): Promise<void> {
  await db.write(async (tx) => await saveCheckinIn(db, tx, input, await departmentIdWith(db.prepared(...DEPARTMENT_OF), input.userId), timeZone, now));
}

interface CheckinInput {
  userId: number;
  hoursSaved: number;
  tasks: string | null;
}

/** `saveCheckin` inside a write that does more, on statements prepared once per connection. */
async function saveCheckinIn(db: Db, tx: Tx, input: CheckinInput, departmentId: number, timeZone: string, now: Date): Promise<void> {
  const month = monthKey(now, timeZone);
  const run = db.prepared('checkins.save', (q) => ({
    before: q
      .select({ hours: checkins.hoursSaved })
      .from(checkins)
      .where(and(eq(checkins.userId, sql.placeholder('userId')), eq(checkins.month, sql.placeholder('month'))))
      .prepare(),
    upsert: q
      .insert(checkins)
      .values({
        userId: sql.placeholder('userId'),
        month: sql.placeholder('month'),
        hoursSaved: sql.placeholder('hoursSaved'),
        tasks: sql.placeholder('tasks'),
        dismissed: false,
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })
      // The row's new values are the ones just offered (`excluded`, as in PostgreSQL).
      .onConflictDoUpdate({
        target: [checkins.userId, checkins.month],
        set: { hoursSaved: sql`excluded.hours_saved`, tasks: sql`excluded.tasks`, dismissed: false, updatedAt: sql`excluded.updated_at` },
      })
      .prepare(),
  }));
  // The roll-up moves by the difference to what was stored: another instance's save for this learner waits.
  await lockLearnerIn(tx, input.userId);
  const before = first(await run.before.execute({ userId: input.userId, month }))?.hours ?? null;
  await run.upsert.execute({ userId: input.userId, month, hoursSaved: input.hoursSaved, tasks: input.tasks, now });
  await rollupCheckin(db.prepared(...CHECKIN_ROLLUP), departmentId, month, before, input.hoursSaved);
}

/**
 * The check-in form's answer: saved, and answering counts as activity this month (usage rate),
 * in one short write on prepared statements, the department read once for both roll-ups.
 */
export async function answerCheckin(db: Db, input: CheckinInput, timeZone: string): Promise<void> {
  // One time for both: the activity month is the check-in's month, on the clock a test may move.
  const now = clockNow();
  await db.write(async (tx) => {
    const departmentId = await departmentIdWith(db.prepared(...DEPARTMENT_OF), input.userId);
    await saveCheckinIn(db, tx, input, departmentId, timeZone, now);
    await recordActivityWith(tx, db.prepared(...ACTIVITY_INSERT), input.userId, timeZone, now, departmentId);
  });
}

/** "Not now": hides the question for this month without recording hours (one prepared upsert). */
export async function dismissCheckin(db: Db, userId: number, timeZone: string, now = clockNow()): Promise<void> {
  const dismiss = db.prepared('checkins.dismiss', (q) =>
    q
      .insert(checkins)
      .values({
        userId: sql.placeholder('userId'),
        month: sql.placeholder('month'),
        hoursSaved: null,
        tasks: null,
        dismissed: true,
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })
      .onConflictDoUpdate({ target: [checkins.userId, checkins.month], set: { dismissed: true, updatedAt: sql`excluded.updated_at` } })
      .prepare(),
  );
  await db.write(async () => await dismiss.execute({ userId, month: monthKey(now, timeZone), now }));
}
