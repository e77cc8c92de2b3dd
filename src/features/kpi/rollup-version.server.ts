/**
 * Which version of the roll-up rules built the roll-ups in a database. A developer who changes
 * what a roll-up counts (or a migration that changes its inputs) bumps ROLLUP_VERSION; a server
 * that finds another version (or none: a restored or older database) rebuilds them from the
 * base tables before it serves a request. `npm run db:rebuild-rollups` does the same by hand.
 */
import { eq } from 'drizzle-orm';
import { settings } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { logger } from '../../platform/log.server.ts';
import { rebuildRollupsIn } from './rollups.server.ts';
import { isStorageUnavailable, storageErrorCode } from '../../platform/storage-errors.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { first } from '../../platform/query.ts';

/** Bump when the roll-up rules in rollups.ts, or the tables they read, change meaning. */
export const ROLLUP_VERSION = 4;
export const ROLLUP_VERSION_KEY = 'rollups.version';

export async function storedRollupVersion(db: Db): Promise<number | null> {
  const row = await db.read(async (q) => first(await q.select({ value: settings.value }).from(settings).where(eq(settings.key, ROLLUP_VERSION_KEY))));
  return typeof row?.value === 'number' ? row.value : null;
}

/** Call inside `db.write`, with the roll-ups it vouches for. */
export async function recordRollupVersion(tx: Tx, now = clockNow()): Promise<void> {
  await tx
    .insert(settings)
    .values({ key: ROLLUP_VERSION_KEY, value: ROLLUP_VERSION, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: ROLLUP_VERSION, updatedAt: now } });
}

/** Rebuilds every roll-up and records the version, in one transaction. */
export async function rebuildAndRecord(db: Db, catalog: Catalog, timeZone: string): Promise<void> {
  await db.write(async (tx) => {
    await rebuildRollupsIn(tx, catalog, timeZone);
    await recordRollupVersion(tx);
  });
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
    const stored = await storedRollupVersion(db);
    if (stored === ROLLUP_VERSION) return;
    // Elapsed time for the log line only (no date decision): the real monotonic clock, not the app's clock.
    const started = performance.now();
    await rebuildAndRecord(db, await catalog(), timeZone);
    logger.info({ from: stored, to: ROLLUP_VERSION, ms: Math.round(performance.now() - started) }, 'roll-ups rebuilt');
  })().catch((error: unknown) => {
    // Not on every request: a rebuild reads every attempt and answer.
    setTimeout(() => (ensured = null), RETRY_MS).unref();
    if (isStorageUnavailable(error)) logger.warn({ code: storageErrorCode(error) }, 'roll-up check skipped: storage unavailable');
    else logger.error({ err: error }, 'roll-up rebuild failed');
  });
  return ensured;
}
