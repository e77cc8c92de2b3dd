/** Monthly activity for the usage-rate KPI: one row per user and month they did something. */
import { sql } from 'drizzle-orm';
import { now as clockNow } from '../../platform/clock.ts';
import { activityMonths } from '../../../db/schema/index.ts';
import { monthKey } from '../../platform/dates.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { ACTIVITY_ROLLUP, DEPARTMENT_OF, departmentIdWith, rollupActivity } from '../kpi/rollups.server.ts';
import { changes } from '../../platform/query.ts';

function activityStatements(q: Tx) {
  return {
    insert: q
      .insert(activityMonths)
      .values({ userId: sql.placeholder('userId'), month: sql.placeholder('month'), firstAt: sql.placeholder('firstAt') })
      .onConflictDoNothing()
      .prepare(),
    department: DEPARTMENT_OF[1](q),
    rollup: ACTIVITY_ROLLUP[1](q),
  };
}

export type ActivityStatements = ReturnType<typeof activityStatements>;

/** The statements of `recordActivityWith`, for `db.prepared(...ACTIVITY_INSERT)`. */
export const ACTIVITY_INSERT = ['activityMonths.insert', activityStatements] as const;

/**
 * Records this month's activity (and its roll-up) in the same write as the work, on the
 * statements prepared once per connection. Call inside `db.write`. `departmentId`: the
 * learner's, when the request has read it already (else read here, only for a new month).
 */
export async function recordActivityWith(_tx: Tx, run: ActivityStatements, userId: number, timeZone: string, now = clockNow(), departmentId?: number): Promise<void> {
  const month = monthKey(now, timeZone);
  if (changes(await run.insert.execute({ userId, month, firstAt: now })) === 1)
    await rollupActivity(run.rollup, departmentId ?? (await departmentIdWith(run.department, userId)), month);
}

/** Records this month's activity on its own (both rows or neither). */
export async function recordActivity(db: Db, userId: number, timeZone: string, now = clockNow()): Promise<void> {
  await db.write(async (tx) => await recordActivityWith(tx, db.prepared(...ACTIVITY_INSERT), userId, timeZone, now));
}
