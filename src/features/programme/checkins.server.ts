/** The monthly check-in: hours saved with AI this month and on which tasks; editable within the month. */
import { and, eq } from 'drizzle-orm';
import { checkins, type Checkin } from '../../../db/schema/index.ts';
import { monthKey } from '../../platform/dates.ts';
import type { Db } from '../../platform/db.server.ts';
import { rollupCheckin } from '../kpi/rollups.server.ts';
import { recordActivity } from '../progress/activity.server.ts';
import { now as clockNow } from '../../platform/clock.ts';

export async function currentCheckin(db: Db, userId: number, timeZone: string, now = clockNow()): Promise<Checkin | null> {
  return db.read(
    (q) =>
      q
        .select()
        .from(checkins)
        .where(and(eq(checkins.userId, userId), eq(checkins.month, monthKey(now, timeZone))))
        .get() ?? null,
  );
}

/** Saves this month's answer (a new month starts a new row; past months are closed). */
export async function saveCheckin(db: Db, input: { userId: number; hoursSaved: number; tasks: string | null }, timeZone: string, now = clockNow()): Promise<void> {
  const month = monthKey(now, timeZone);
  await db.write((tx) => {
    const before =
      tx
        .select({ hours: checkins.hoursSaved })
        .from(checkins)
        .where(and(eq(checkins.userId, input.userId), eq(checkins.month, month)))
        .get()?.hours ?? null;
    tx.insert(checkins)
      .values({ userId: input.userId, month, hoursSaved: input.hoursSaved, tasks: input.tasks, dismissed: false, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [checkins.userId, checkins.month],
        set: { hoursSaved: input.hoursSaved, tasks: input.tasks, dismissed: false, updatedAt: now },
      })
      .run();
    rollupCheckin(tx, input.userId, month, before, input.hoursSaved);
  });
}

/** The check-in form's answer: saved, and answering counts as activity this month (usage rate). */
export async function answerCheckin(db: Db, input: { userId: number; hoursSaved: number; tasks: string | null }, timeZone: string): Promise<void> {
  // One time for both: the activity month is the check-in's month, on the clock a test may move.
  const now = clockNow();
  await saveCheckin(db, input, timeZone, now);
  await recordActivity(db, input.userId, timeZone, now);
}

/** "Not now": hides the question for this month without recording hours. */
export async function dismissCheckin(db: Db, userId: number, timeZone: string, now = clockNow()): Promise<void> {
  const month = monthKey(now, timeZone);
  await db.write((tx) =>
    tx
      .insert(checkins)
      .values({ userId, month, hoursSaved: null, tasks: null, dismissed: true, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: [checkins.userId, checkins.month], set: { dismissed: true, updatedAt: now } })
      .run(),
  );
}
