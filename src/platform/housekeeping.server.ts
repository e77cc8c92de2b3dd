/**
 * Housekeeping in the server process: expired sessions (and expired answers to posts, sign-in
 * counters and known sign-in addresses) are deleted at start and then every few minutes (an unref'd timer, so it never keeps the process
 * alive), in batches with a pause between them, so a huge backlog never holds the database or
 * the event loop for long.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from './db.server.ts';
import { logger } from './log.server.ts';
import { deleteExpiredSessions, type SessionLifetime } from '../features/auth/session.server.ts';
import { pruneFormResults } from './http/form-results.server.ts';
import { pruneNotifications } from '../features/notifications/retention.server.ts';
import { pruneSignInThrottle } from '../features/auth/rate-limit.server.ts';
import { now as clockNow } from './clock.ts';

export const SESSION_CLEANUP_BATCH = 500;
/** Old notification bodies and tokens go at most this often (they age in days, not minutes). */
export const NOTIFICATION_PRUNE_EVERY_MS = 6 * 3_600_000;

/** Deletes every expired session, `batchSize` rows per statement, yielding between statements. */
export async function deleteExpiredSessionsInBatches(db: Db, lifetime: SessionLifetime, batchSize = SESSION_CLEANUP_BATCH, now = clockNow()): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteExpiredSessions(db, lifetime, now, batchSize);
    total += deleted;
    if (deleted < batchSize) return total;
    await nextTurn();
  }
}

export interface SessionCleanup {
  /** Stops the timer and closes the connection, if one was opened. */
  stop: () => void;
}

/**
 * Runs the cleanup now and every `intervalMs` on its own connection, opened on first use; a
 * failed run (an unusable database too: the server keeps answering, /healthz says 503) is
 * logged and tried again next time.
 */
export function startSessionCleanup(open: () => Db, lifetime: SessionLifetime, intervalMs: number): SessionCleanup {
  let db: Db | null = null;
  let running = false;
  let prunedAt: number | null = null;
  const run = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      db ??= open();
      const deleted = await deleteExpiredSessionsInBatches(db, lifetime);
      if (deleted > 0) logger.info({ deleted }, 'expired sessions deleted');
      // Answers to posts nobody came back for (src/platform/http/form-results.server.ts).
      await pruneFormResults(db);
      // Sign-in throttling's shared tables (src/features/auth/rate-limit.server.ts).
      const throttle = await pruneSignInThrottle(db);
      if (throttle.counters > 0 || throttle.knownAddresses > 0) logger.info({ ...throttle }, 'expired sign-in counters and known addresses deleted');
      const at = clockNow();
      if (prunedAt === null || at.getTime() - prunedAt >= NOTIFICATION_PRUNE_EVERY_MS) {
        prunedAt = at.getTime();
        const pruned = await pruneNotifications(db, at);
        if (pruned.bodies > 0 || pruned.tokens > 0) logger.info({ ...pruned }, 'old notification bodies and tokens pruned');
      }
    } catch (error) {
      logger.error({ err: error }, 'expired session cleanup failed');
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      void db?.close();
      db = null;
    },
  };
}
