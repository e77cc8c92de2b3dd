/** Monthly activity for the usage-rate KPI: one row per user and month they did something. */
import { sql } from 'drizzle-orm';
import { now as clockNow } from '../../platform/clock.ts';
import { activityMonths } from '../../../db/schema/index.ts';
import { monthKey } from '../../platform/dates.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { rollupActivity } from '../kpi/rollups.server.ts';

/** Records this month's activity (and its roll-up) in the same write as the work. Call inside `db.write`. */
export function recordActivityIn(tx: Tx, userId: number, timeZone: string, now = clockNow()): void {
  const month = monthKey(now, timeZone);
  const inserted = tx.insert(activityMonths).values({ userId, month, firstAt: now }).onConflictDoNothing().run();
  if (inserted.changes === 1) rollupActivity(tx, userId, month);
}

function activityInsert(q: Tx) {
  return q
    .insert(activityMonths)
    .values({ userId: sql.placeholder('userId'), month: sql.placeholder('month'), firstAt: sql.placeholder('firstAt') })
    .onConflictDoNothing()
    .prepare();
}

/** The statement of `recordActivityWith`, for `db.prepared(...ACTIVITY_INSERT)`. */
export const ACTIVITY_INSERT = ['activityMonths.insert', activityInsert] as const;

/** `recordActivityIn` on the statement prepared once per connection (the hot write paths). Call inside `db.write`. */
export function recordActivityWith(tx: Tx, insert: ReturnType<typeof activityInsert>, userId: number, timeZone: string, now = clockNow()): void {
  const month = monthKey(now, timeZone);
  if (insert.run({ userId, month, firstAt: now }).changes === 1) rollupActivity(tx, userId, month);
}

/** Records this month's activity on its own (both rows or neither). */
export async function recordActivity(db: Db, userId: number, timeZone: string, now = clockNow()): Promise<void> {
  await db.write((tx) => recordActivityIn(tx, userId, timeZone, now));
}
