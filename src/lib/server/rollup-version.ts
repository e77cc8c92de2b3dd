/**
 * Which version of the roll-up rules built the roll-ups in a database. A developer who changes
 * what a roll-up counts (or a migration that changes its inputs) bumps ROLLUP_VERSION; a server
 * that finds another version (or none: a restored or older database) rebuilds them from the
 * base tables before it serves a request. `npm run db:rebuild-rollups` does the same by hand.
 */
import { eq } from 'drizzle-orm';
import { settings } from '../../../db/schema.ts';
import type { Catalog } from '../content/catalog.ts';
import type { Db, DbExecutor } from './db.ts';
import { logger } from './log.ts';
import { rebuildRollups } from './rollups.ts';
import { isStorageUnavailable, storageErrorCode } from './storage-errors.ts';

/** Bump when the roll-up rules in rollups.ts, or the tables they read, change meaning. */
export const ROLLUP_VERSION = 2;
export const ROLLUP_VERSION_KEY = 'rollups.version';

export function storedRollupVersion(db: DbExecutor): number | null {
  const row = db.select({ value: settings.value }).from(settings).where(eq(settings.key, ROLLUP_VERSION_KEY)).get();
  return typeof row?.value === 'number' ? row.value : null;
}

export function recordRollupVersion(db: DbExecutor, now = new Date()): void {
  db.insert(settings)
    .values({ key: ROLLUP_VERSION_KEY, value: ROLLUP_VERSION, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: ROLLUP_VERSION, updatedAt: now } })
    .run();
}

/** Rebuilds every roll-up and records the version, in one transaction. */
export function rebuildAndRecord(db: Db, catalog: Catalog, timeZone: string): void {
  db.transaction((tx) => {
    rebuildRollups(tx, catalog, timeZone);
    recordRollupVersion(tx);
  }, { behavior: 'immediate' });
}

let ensured: Promise<void> | null = null;
const RETRY_MS = 60_000;

/**
 * Rebuilds the roll-ups once per process when their version is not this code's. A failure
 * (say, a full disk) is logged and tried again on a later request; pages keep working.
 */
export function ensureRollupsCurrent(open: () => Db, catalog: () => Promise<Catalog>, timeZone: string): Promise<void> {
  ensured ??= (async () => {
    const db = open();
    const stored = storedRollupVersion(db);
    if (stored === ROLLUP_VERSION) return;
    const started = Date.now();
    rebuildAndRecord(db, await catalog(), timeZone);
    logger.info({ from: stored, to: ROLLUP_VERSION, ms: Date.now() - started }, 'roll-ups rebuilt');
  })().catch((error: unknown) => {
    // Not on every request: a rebuild reads every attempt and answer.
    setTimeout(() => (ensured = null), RETRY_MS).unref();
    if (isStorageUnavailable(error)) logger.warn({ code: storageErrorCode(error) }, 'roll-up check skipped: storage unavailable');
    else logger.error({ err: error }, 'roll-up rebuild failed');
  });
  return ensured;
}
