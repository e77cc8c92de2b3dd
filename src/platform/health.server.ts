/**
 * Whether the database can still write: a query alone answers from a read-only or full disk,
 * so /healthz also commits a write that leaves nothing behind (a row added and removed in one
 * transaction still writes its page to the log). At most one probe per interval, so a health
 * check polled every second costs one small write every few seconds; a write that failed for
 * storage in between makes the next check probe at once.
 */
import { isStorageUnavailable, lastStorageFailure, storageErrorCode } from './storage-errors.server.ts';
import { logger } from './log.server.ts';
import type { Db } from './db.server.ts';

const OK_INTERVAL_MS = 5000;
/** A failed probe is repeated sooner: the service comes back soon after the disk does. */
const FAILED_INTERVAL_MS = 1000;
const PROBE_KEY = 'healthz.write_probe';

let last: { at: number; writable: boolean } | null = null;

export function databaseWritable(db: Db, now = Date.now()): boolean {
  const fresh = last && now - last.at < (last.writable ? OK_INTERVAL_MS : FAILED_INTERVAL_MS) && lastStorageFailure() < last.at;
  if (last && fresh) return last.writable;
  let writable: boolean;
  try {
    const client = db.$client;
    client
      .transaction(() => {
        client.prepare('insert or replace into settings (key, value, updated_at) values (?, ?, ?)').run(PROBE_KEY, '0', now);
        client.prepare('delete from settings where key = ?').run(PROBE_KEY);
      })
      .immediate();
    writable = true;
  } catch (error) {
    // Busy: another writer holds the lock, which is no fault of the disk; keep the last answer.
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return last?.writable ?? true;
    if (!isStorageUnavailable(error)) throw error;
    if (last?.writable !== false) logger.error({ code: storageErrorCode(error) }, 'database cannot write');
    writable = false;
  }
  last = { at: now, writable };
  return writable;
}
