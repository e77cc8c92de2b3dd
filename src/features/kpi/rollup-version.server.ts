/**
 * Which version of the roll-up rules built the roll-ups in a database. A developer who changes
 * what a roll-up counts (or a migration that changes its inputs) bumps ROLLUP_VERSION; a server
 * that finds another version (or none: a restored or older database) rebuilds them from the
 * base tables before it serves a request. `npm run db:rebuild-rollups` does the same by hand.
 */
import { eq, sql } from 'drizzle-orm';
import { settings } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { logger } from '../../platform/log.server.ts';
import { rebuildRollupsIn } from './rollups.server.ts';
import { isStorageUnavailable, storageErrorCode } from '../../platform/storage-errors.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { exec, first, onPostgres, rows } from '../../platform/query.ts';

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

/** The advisory lock key of roll-up rebuilds (any constant shared by every instance). */
const REBUILD_LOCK_KEY = 4_318_002;

/**
 * On PostgreSQL, before a rebuild: one rebuild at a time across instances (the advisory lock), and
 * the roll-up tables locked against writes (EXCLUSIVE: reads go on), so a learner's write on another
 * instance either committed before (and is counted by the rebuild) or adds its share after it.
 */
async function lockForRebuild(tx: Tx): Promise<void> {
  await exec(tx, sql`select pg_advisory_xact_lock(${REBUILD_LOCK_KEY})`);
  const tables = await rows<{ name: string }>(
    tx,
    sql`select tablename as name from pg_tables where schemaname = current_schema() and (left(tablename, 4) = 'kpi_' or tablename = 'quiz_pairs') order by tablename`,
  );
  if (tables.length > 0) await exec(tx, sql.raw(`lock table ${tables.map((t) => `"${t.name.replaceAll('"', '""')}"`).join(', ')} in exclusive mode`));
}

/**
 * Rebuilds every roll-up and records the version, in one transaction. `unlessCurrent`: not when
 * the version is already this code's by the time the write runs (another instance starting at
 * the same time rebuilt them first).
 */
export async function rebuildAndRecord(db: Db, catalog: Catalog, timeZone: string, options: { unlessCurrent?: boolean } = {}): Promise<boolean> {
  return db.write(async (tx) => {
    if (onPostgres(tx)) await lockForRebuild(tx);
    if (options.unlessCurrent) {
      const row = first(await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, ROLLUP_VERSION_KEY)));
      if (row?.value === ROLLUP_VERSION) return false;
    }
    await rebuildRollupsIn(tx, catalog, timeZone);
    await recordRollupVersion(tx);
    return true;
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
    if (!(await rebuildAndRecord(db, await catalog(), timeZone, { unlessCurrent: true }))) return;
    logger.info({ from: stored, to: ROLLUP_VERSION, ms: Math.round(performance.now() - started) }, 'roll-ups rebuilt');
  })().catch((error: unknown) => {
    // Not on every request: a rebuild reads every attempt and answer.
    setTimeout(() => (ensured = null), RETRY_MS).unref();
    if (isStorageUnavailable(error)) logger.warn({ code: storageErrorCode(error) }, 'roll-up check skipped: storage unavailable');
    else logger.error({ err: error }, 'roll-up rebuild failed');
  });
  return ensured;
}
