/** Monthly activity for the usage-rate KPI: one row per user and month they did something. */
import { activityMonths } from '../../../db/schema.ts';
import { monthKey } from '../dates.ts';
import type { DbExecutor } from './db.ts';

export function recordActivity(db: DbExecutor, userId: number, timeZone: string, now = new Date()): void {
  db.insert(activityMonths).values({ userId, month: monthKey(now, timeZone), firstAt: now }).onConflictDoNothing().run();
}
