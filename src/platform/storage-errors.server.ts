/**
 * One classification of "the database cannot store this now": a full disk, an I/O error, a
 * read-only or unopenable file. These are conditions of the host, not bugs, so they get a 503
 * with "your input was not saved" instead of the 500 page, and analytics writes that fail
 * this way are logged and skipped instead of failing the page.
 */
import { logger } from './log.server.ts';
import { nowMs } from './clock.ts';

/** SQLite's primary result codes of storage faults; extended codes (SQLITE_IOERR_WRITE …) start with them. */
const STORAGE_CODES = ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'DB_UNAVAILABLE'];
/** PostgreSQL's SQLSTATEs of a lost server (class 08, shutting down or starting, too many connections): for a statement run outside a read or write. */
export const POSTGRES_GONE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** The same faults as the operating system reports them (a file size limit, a full or read-only disk). */
const OS_CODES = new Set(['ENOSPC', 'EFBIG', 'EROFS', 'EDQUOT', 'EIO']);

/** True when `error` (or an error it wraps, as Drizzle's query errors do) is a storage fault. */
export function isStorageUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (STORAGE_CODES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))) return true;
      if (OS_CODES.has(code) || POSTGRES_GONE.test(code)) return true;
    }
    current = current.cause;
  }
  return false;
}

/** The code to show in a log line or a start-up message (never the SQL). */
export function storageErrorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return 'unknown';
}

let lastFailure = 0;

/** Remembers that a write just failed this way, so /healthz probes again at once instead of answering from its cache. */
export function reportStorageFailure(): void {
  lastFailure = nowMs();
}

/** When a write last failed for storage (ms since the epoch; 0: never). */
export function lastStorageFailure(): number {
  return lastFailure;
}

/**
 * Runs a write that is worth having but not worth failing the request for (lesson views,
 * a session's last-active time): a storage fault is logged and the request goes on.
 * Any other error is a bug and is thrown. An asynchronous write (`() => db.write(…)`) gives
 * a promise to await, which rejects only for such a bug.
 */
export function bestEffortWrite(what: string, write: () => Promise<unknown>): Promise<void>;
export function bestEffortWrite(what: string, write: () => void): void;
export function bestEffortWrite(what: string, write: () => unknown): Promise<void> | void {
  const skip = (error: unknown): void => {
    if (!isStorageUnavailable(error)) throw error;
    reportStorageFailure();
    logger.warn({ what, code: storageErrorCode(error) }, 'write skipped: storage unavailable');
  };
  try {
    const result = write();
    if (result instanceof Promise) return result.then(() => undefined, skip);
  } catch (error) {
    skip(error);
  }
}
