/**
 * WAL checkpoints off the request thread (issue 17). SQLite's automatic checkpoint runs inside
 * the COMMIT that pushes the WAL past 1,000 pages: that commit copies the pages into the
 * database file and fsyncs it, on the one thread that answers every request. Under the write
 * benchmark the COMMITs were 20–28 % of the server's time, the fsyncs of those checkpoints
 * among it. Here the server's connection turns the automatic checkpoint off and a worker
 * thread, with a connection of its own to the same file, runs a PASSIVE checkpoint every
 * interval: it never blocks a reader or the writer, and SQLite restarts the WAL from its
 * beginning at the next write after a complete one, so the file stays small.
 *
 * Under writes that never pause, though, a PASSIVE checkpoint never completes (commits arrive
 * while it copies), the WAL never restarts and the file grows without bound: 1 GB in a minute
 * of the write benchmark. So when the worker reports more than `limitFrames` frames, the
 * server's own connection, between two transactions, runs a TRUNCATE checkpoint: it copies the
 * few frames the worker's last one left and empties the file, a few milliseconds once every
 * `limitFrames` (the worker doing it instead waited for the writer lock for up to half a second,
 * and the server's writes behind it). Its busy timeout is 0 for that call: a reader in another
 * process (a backup) makes it give up until the next report instead of holding up every request.
 *
 * Durability is unchanged: a commit is in the WAL either way, and a checkpoint only copies
 * committed pages. If the worker stops (it should not), the connection gets its automatic
 * checkpoint back and a warning is logged.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { nowMs } from './clock.ts';
import { logger } from './log.server.ts';

/** SQLite's default: what the connection goes back to without the worker. */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * The worker, as a CommonJS script (an eval worker: the server build has no separate file for
 * it). It gets the driver's resolved path, so it loads the same better-sqlite3 as the server.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let failures = 0;
const tick = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
    parentPort.postMessage({ kind: 'done', ...result });
  } catch (error) {
    failures++;
    parentPort.postMessage({ kind: 'failed', message: String(error && error.message), failures });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  tick();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker after a last checkpoint; the connection gets its automatic checkpoint back. */
  stop(): Promise<void>;
}

type WorkerMessage = { kind: 'done'; busy: number; log: number; checkpointed: number } | { kind: 'failed'; message: string; failures: number };

/**
 * Four checkpoints a second: each copies less, so the frames a truncation has left to copy are
 * fewer. Against one a second, in alternating rounds of the write benchmark: 5–20 % more
 * completions and submissions per second, 5–15 % less CPU per request, a lower p99 in all 8
 * rounds; ten a second gained nothing more.
 */
const INTERVAL_MS = 250;

/** 64 MiB of 4-KiB pages: about a second of the heaviest write load measured. */
const LIMIT_FRAMES = 16_384;

/**
 * Starts checkpointing `file` (the database `sqlite` has open) in a worker thread every
 * `intervalMs`; a WAL of more than `limitFrames` frames is emptied from the connection.
 */
export function startBackgroundCheckpoints(sqlite: Database.Database, file: string, intervalMs = INTERVAL_MS, limitFrames = LIMIT_FRAMES): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  sqlite.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  // The worker alone must not keep the process alive.
  worker.unref();
  let stopping = false;
  let warnedAt = 0;
  const restore = (): void => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  let truncating = false;
  const truncate = (): void => {
    truncating = false;
    // Inside a transaction SQLite cannot checkpoint: the next report tries again.
    if (stopping || !sqlite.open || sqlite.inTransaction) return;
    const timeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
    sqlite.pragma('busy_timeout = 0');
    try {
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      logger.warn({ err: error }, 'WAL truncation failed; retrying at the next checkpoint');
    } finally {
      sqlite.pragma(`busy_timeout = ${timeout}`);
    }
  };
  worker.on('message', (message: WorkerMessage) => {
    if (message.kind === 'done' && message.log > limitFrames && !truncating) {
      truncating = true;
      // After the current task: never inside a request's synchronous work.
      setImmediate(truncate);
    }
    // A failed checkpoint is retried at the next interval; tell the operator at most once a minute.
    if (message.kind === 'failed' && nowMs() - warnedAt > 60_000) {
      warnedAt = nowMs();
      logger.warn({ message: message.message, failures: message.failures }, 'background WAL checkpoint failed; retrying');
    }
  });
  worker.on('error', (error) => logger.warn({ err: error }, 'background WAL checkpoint worker failed'));
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      if (!stopping) logger.warn({ code }, 'background WAL checkpoint worker stopped; SQLite checkpoints automatically again');
      restore();
      resolve();
    });
  });
  return {
    stop: async () => {
      if (stopping) return exited;
      stopping = true;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
