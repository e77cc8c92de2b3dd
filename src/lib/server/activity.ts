/** Monthly activity for the usage-rate KPI: one row per user and month they did something. */
import { activityMonths } from '../../../db/schema.ts';
import { monthKey } from '../dates.ts';
import type { DbExecutor } from './db.ts';
import { rollupActivity } from './rollups.ts';

export function recordActivity(db: DbExecutor, userId: number, timeZone: string, now = new Date()): void {
  const month = monthKey(now, timeZone);
  // Both rows or neither (a savepoint when the caller already holds a transaction).
  db.transaction((tx) => {
    const inserted = tx.insert(activityMonths).values({ userId, month, firstAt: now }).onConflictDoNothing().run();
    if (inserted.changes === 1) rollupActivity(tx, userId, month);
  });
}
