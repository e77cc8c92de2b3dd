/** The monthly check-in: hours saved with AI this month and on which tasks; editable within the month. */
import { and, eq } from 'drizzle-orm';
import { checkins, type Checkin } from '../../../db/schema.ts';
import { monthKey } from '../dates.ts';
import type { Db, DbExecutor } from './db.ts';
import { rollupCheckin } from './rollups.ts';

export function currentCheckin(db: DbExecutor, userId: number, timeZone: string, now = new Date()): Checkin | null {
  return db.select().from(checkins).where(and(eq(checkins.userId, userId), eq(checkins.month, monthKey(now, timeZone)))).get() ?? null;
}

/** Saves this month's answer (a new month starts a new row; past months are closed). */
export function saveCheckin(
  db: Db,
  input: { userId: number; hoursSaved: number; tasks: string | null },
  timeZone: string,
  now = new Date(),
): void {
  const month = monthKey(now, timeZone);
  db.transaction((tx) => {
    const before = tx.select({ hours: checkins.hoursSaved }).from(checkins).where(and(eq(checkins.userId, input.userId), eq(checkins.month, month))).get()?.hours ?? null;
    tx.insert(checkins)
    .values({ userId: input.userId, month, hoursSaved: input.hoursSaved, tasks: input.tasks, dismissed: false, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [checkins.userId, checkins.month],
      set: { hoursSaved: input.hoursSaved, tasks: input.tasks, dismissed: false, updatedAt: now },
    })
    .run();
    rollupCheckin(tx, input.userId, month, before, input.hoursSaved);
  }, { behavior: 'immediate' });
}

/** "Not now": hides the question for this month without recording hours. */
export function dismissCheckin(db: DbExecutor, userId: number, timeZone: string, now = new Date()): void {
  const month = monthKey(now, timeZone);
  db.insert(checkins)
    .values({ userId, month, hoursSaved: null, tasks: null, dismissed: true, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: [checkins.userId, checkins.month], set: { dismissed: true, updatedAt: now } })
    .run();
}
