/**
 * One server per database file. The server holds an exclusive OS lock for its whole life on a
 * small lock file next to the database (`<DATABASE_PATH>.lock`): SQLite's own POSIX (fcntl)
 * lock, taken with `locking_mode=EXCLUSIVE` and never released until the process ends. The
 * kernel drops it when the process dies, however it dies (kill -9 included), so a restart
 * after a crash needs no cleanup, and a second server or a restore is refused while one runs.
 *
 * Why not a lock directory with a refreshed mtime (proper-lockfile): after a kill -9 it stays
 * "held" until it goes stale, so a supervisor's immediate restart would be refused; and a busy
 * event loop can miss a refresh and lose the lock. The pid file beside it only names the holder.
 *
 * The CLI commands that write users (user:create, users:import, user:password, db:migrate) do
 * not take this lock: SQLite's own locking lets them write beside the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface DatabaseLock {
  file: string;
  release: () => void;
}

export class LockHeldError extends Error {
  readonly holderPid: number | null;
  constructor(databaseFile: string, holderPid: number | null) {
    super(`another Manabi server${holderPid ? ` (pid ${holderPid})` : ''} is using ${databaseFile}`);
    this.holderPid = holderPid;
  }
}

export function lockFileOf(databaseFile: string): string {
  return `${databaseFile}.lock`;
}

function pidFileOf(databaseFile: string): string {
  return `${databaseFile}.pid`;
}

let held: DatabaseLock | null = null;

/**
 * Takes the exclusive lock for `databaseFile`, or throws LockHeldError at once when another
 * process holds it. Idempotent within a process (npm start takes it before it seeds, the
 * server again before it listens).
 */
export function lockDatabase(databaseFile: string, options: { writePid?: boolean } = {}): DatabaseLock {
  if (held?.file === databaseFile) return held;
  fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
  const lock = new Database(lockFileOf(databaseFile), { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the EXCLUSIVE lock; in this mode it is kept until close.
    lock.exec('create table if not exists holder (pid integer not null); delete from holder; insert into holder values (' + process.pid + ')');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new LockHeldError(databaseFile, readPid(databaseFile));
    throw error;
  }
  if (options.writePid ?? true) fs.writeFileSync(pidFileOf(databaseFile), String(process.pid));
  const taken: DatabaseLock = {
    file: databaseFile,
    release: () => {
      if (held === taken) held = null;
      if (readPid(databaseFile) === process.pid) fs.rmSync(pidFileOf(databaseFile), { force: true });
      lock.close();
    },
  };
  held = taken;
  return taken;
}

/** The pid a holder wrote, when there is one (for the message only: the lock is what counts). */
function readPid(databaseFile: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFileOf(databaseFile), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
