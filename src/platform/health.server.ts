/**
 * Whether the database can still write: a query alone answers from a read-only or full disk,
 * so /healthz also commits a write that leaves nothing behind (a row added and removed in one
 * transaction still writes its page to the log). At most one probe per interval, so a health
 * check polled every second costs one small write every few seconds; a write that failed for
 * storage in between makes the next check probe at once.
 *
 * On SQLite the probe alone can pass on a full disk: after a checkpoint the next transaction
 * rewrites the log from its start, in space the file already has, while any write that needs a
 * new page fails. So the file system of the database also needs MIN_FREE_BYTES free.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { settings } from '../../db/schema/index.ts';
import { isStorageUnavailable, lastStorageFailure, storageErrorCode } from './storage-errors.server.ts';
import { logger } from './log.server.ts';
import { databaseFileOf, type Db } from './db.server.ts';
import { nowMs } from './clock.ts';
import { rows } from './query.ts';

const OK_INTERVAL_MS = 5000;
/** A failed probe is repeated sooner: the service comes back soon after the disk does. */
const FAILED_INTERVAL_MS = 1000;
const PROBE_KEY = 'healthz.write_probe';
/** Below this, a full page of log or a checkpoint may not fit: the disk counts as full. */
export const MIN_FREE_BYTES = 1024 * 1024;

let last: { at: number; writable: boolean } | null = null;

/**
 * The answer of /healthz: the database answers a query and can write. Throws when it cannot be
 * opened; on PostgreSQL the query takes a connection from the pool, so a pool that cannot connect
 * (the server down, every connection stuck past the connect timeout) throws too.
 */
export async function databaseHealthy(db: Db, now = nowMs()): Promise<boolean> {
  await db.read((q) => rows(q, sql`select 1`));
  return databaseWritable(db, now);
}

export async function databaseWritable(db: Db, now = nowMs()): Promise<boolean> {
  const fresh = last && now - last.at < (last.writable ? OK_INTERVAL_MS : FAILED_INTERVAL_MS) && lastStorageFailure() < last.at;
  if (last && fresh) return last.writable;
  let writable: boolean;
  try {
    await db.write(async (tx) => {
      await tx
        .insert(settings)
        .values({ key: PROBE_KEY, value: '0', updatedAt: new Date(now) })
        .onConflictDoUpdate({ target: settings.key, set: { value: '0', updatedAt: new Date(now) } });
      await tx.delete(settings).where(eq(settings.key, PROBE_KEY));
    });
    writable = enoughFreeSpace(db);
  } catch (error) {
    // Busy: another writer holds the lock, which is no fault of the disk; keep the last answer.
    if (storageErrorCode(error) === 'SQLITE_BUSY') return last?.writable ?? true;
    if (!isStorageUnavailable(error)) throw error;
    if (last?.writable !== false) logger.error({ code: storageErrorCode(error) }, 'database cannot write');
    writable = false;
  }
  last = { at: now, writable };
  return writable;
}

/** Whether the database's file system has room (SQLite; PostgreSQL watches its own disk). */
function enoughFreeSpace(db: Db): boolean {
  if (db.dialect !== 'sqlite') return true;
  const file = databaseFileOf(db);
  if (file === ':memory:' || file === '') return true;
  const stats = fs.statfsSync(path.dirname(file));
  const free = stats.bavail * stats.bsize;
  if (free >= MIN_FREE_BYTES) return true;
  if (last?.writable !== false) logger.error({ code: 'ENOSPC', freeBytes: free }, 'database cannot write: its disk is full');
  return false;
}
