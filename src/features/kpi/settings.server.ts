/** Programme settings stored as JSON values. */
import { eq } from 'drizzle-orm';
import { settings } from '../../../db/schema/index.ts';
import { audit, type AuditInput } from '../audit/audit.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { first } from '../../platform/query.ts';

export interface BaselinePeriod {
  /** `YYYY-MM`, inclusive. */
  from: string;
  to: string;
}

export async function getBaseline(db: Db): Promise<BaselinePeriod | null> {
  const row = await db.read(async (q) => first(await q.select().from(settings).where(eq(settings.key, 'baseline'))));
  return (row?.value as BaselinePeriod | undefined) ?? null;
}

/** Sets the baseline period; with `by`, its audit row goes in the same write. */
export async function setBaseline(db: Db, period: BaselinePeriod, by: Pick<AuditInput, 'actor' | 'ip'> | null = null, now = clockNow()): Promise<void> {
  await db.write(async (tx) => {
    await tx
      .insert(settings)
      .values({ key: 'baseline', value: period, updatedAt: now })
      .onConflictDoUpdate({ target: settings.key, set: { value: period, updatedAt: now } });
    if (by) await audit(tx, { ...by, action: 'baseline.saved', details: { from: period.from, to: period.to } }, now);
  });
}
