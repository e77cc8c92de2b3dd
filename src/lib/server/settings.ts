/** Programme settings stored as JSON values. */
import { eq } from 'drizzle-orm';
import { settings } from '../../../db/schema.ts';
import type { DbExecutor } from './db.ts';

export interface BaselinePeriod {
  /** `YYYY-MM`, inclusive. */
  from: string;
  to: string;
}

export function getBaseline(db: DbExecutor): BaselinePeriod | null {
  const row = db.select().from(settings).where(eq(settings.key, 'baseline')).get();
  return (row?.value as BaselinePeriod | undefined) ?? null;
}

export function setBaseline(db: DbExecutor, period: BaselinePeriod, now = new Date()): void {
  db.insert(settings)
    .values({ key: 'baseline', value: period, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: period, updatedAt: now } })
    .run();
}
