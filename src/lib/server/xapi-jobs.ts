/**
 * xAPI pushes as background jobs: the admin's request starts one and returns at once; the job
 * runs in the server process and stores its progress (batches, counts, the last error) in
 * xapi_push_jobs after every batch and every failed try, so /admin/exports shows it on reload.
 * One job per endpoint at a time. A job the database still calls `running` at start belonged
 * to a server that stopped (one server per database): it is resumed for the same endpoint —
 * deliveries already recorded are skipped, so nothing is sent twice — or marked `interrupted`
 * when XAPI_ENDPOINT changed since.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { xapiDeliveries, xapiPushJobs, type XapiJobState } from '../../../db/schema.ts';
import type { XapiSettings } from './config.ts';
import type { Db } from './db.ts';
import { logger } from './log.ts';
import { bestEffortWrite } from './storage-errors.ts';
import type { KeyedStatement } from './xapi-export.ts';
import { endpointKey, pushStatements } from './xapi-push.ts';

export interface PushJob {
  id: number;
  endpoint: string;
  state: XapiJobState;
  sent: number;
  alreadyDelivered: number;
  batches: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  resumedAt: Date | null;
}

export type StatementSource = () => Promise<Iterable<KeyedStatement>>;

/** Jobs this process is running now, by id. */
const active = new Map<number, Promise<void>>();

function jobById(db: Db, id: number): PushJob | null {
  return db.select().from(xapiPushJobs).where(eq(xapiPushJobs.id, id)).get() ?? null;
}

/** The newest job for `endpoint`, or null. */
export function latestJob(db: Db, endpoint: string): PushJob | null {
  return db.select().from(xapiPushJobs).where(eq(xapiPushJobs.endpoint, endpointKey(endpoint))).orderBy(desc(xapiPushJobs.id)).limit(1).get() ?? null;
}

export function countDeliveredTo(db: Db, endpoint: string): number {
  return db.get<{ n: number }>(sql`select count(*) n from ${xapiDeliveries} where ${xapiDeliveries.endpoint} = ${endpointKey(endpoint)}`)!.n;
}

/** Starts a push to the configured LRS, or returns the one already running for it. */
export function startPushJob(db: Db, settings: XapiSettings, startedBy: number | null, statements: StatementSource): { job: PushJob; started: boolean } {
  const endpoint = endpointKey(settings.endpoint);
  const now = new Date();
  const { id, started } = db.transaction(
    (tx) => {
      const running = tx
        .select({ id: xapiPushJobs.id })
        .from(xapiPushJobs)
        .where(and(eq(xapiPushJobs.endpoint, endpoint), eq(xapiPushJobs.state, 'running')))
        .get();
      if (running) return { id: running.id, started: false };
      const inserted = tx.insert(xapiPushJobs).values({ endpoint, state: 'running', startedBy, createdAt: now, updatedAt: now }).returning({ id: xapiPushJobs.id }).get();
      return { id: inserted.id, started: true };
    },
    { behavior: 'immediate' },
  );
  if (started || !active.has(id)) run(db, id, settings, statements);
  return { job: jobById(db, id)!, started };
}

/**
 * At start: every job left `running` by a server that stopped is resumed (same endpoint) or
 * marked `interrupted` (XAPI_ENDPOINT changed or unset). Returns how many were resumed.
 */
export function resumeInterruptedJobs(db: Db, settings: XapiSettings | null, statements: StatementSource): number {
  const now = new Date();
  let resumed = 0;
  for (const job of db.select().from(xapiPushJobs).where(eq(xapiPushJobs.state, 'running')).all()) {
    if (active.has(job.id)) continue;
    if (settings && endpointKey(settings.endpoint) === job.endpoint) {
      db.update(xapiPushJobs).set({ resumedAt: now, updatedAt: now }).where(eq(xapiPushJobs.id, job.id)).run();
      logger.info({ jobId: job.id }, 'xAPI push resumed after a restart');
      run(db, job.id, settings, statements);
      resumed++;
    } else {
      db.update(xapiPushJobs)
        .set({ state: 'interrupted', finishedAt: now, updatedAt: now, lastError: 'the server stopped during the push, and XAPI_ENDPOINT has changed since' })
        .where(eq(xapiPushJobs.id, job.id))
        .run();
    }
  }
  return resumed;
}

function run(db: Db, id: number, settings: XapiSettings, statements: StatementSource): void {
  const job = jobById(db, id)!;
  // Counts go on from where a resumed job stopped.
  const base = { sent: job.sent, batches: job.batches };
  const task = (async () => {
    let state: XapiJobState = 'failed';
    let lastError: string | null = null;
    let counts = { sent: base.sent, alreadyDelivered: job.alreadyDelivered, batches: base.batches };
    try {
      const result = await pushStatements(db, await statements(), {
        ...settings,
        onProgress: (progress) => {
          counts = { sent: base.sent + progress.sent, alreadyDelivered: Math.max(0, progress.alreadyDelivered - base.sent), batches: base.batches + progress.batches };
          bestEffortWrite('xapi.progress', () =>
            db.update(xapiPushJobs).set({ ...counts, lastError: progress.retrying, updatedAt: new Date() }).where(eq(xapiPushJobs.id, id)).run(),
          );
        },
      });
      counts = { sent: base.sent + result.sent, alreadyDelivered: Math.max(0, result.alreadyDelivered - base.sent), batches: base.batches + result.batches };
      state = result.error ? 'failed' : 'done';
      lastError = result.error;
    } catch (error) {
      logger.error({ err: error, jobId: id }, 'xAPI push failed');
      lastError = 'internal error (see the server log)';
    }
    const now = new Date();
    // If even this cannot be stored, the job stays `running` and the next start resumes it.
    bestEffortWrite('xapi.finish', () =>
      db.update(xapiPushJobs).set({ ...counts, state, lastError, finishedAt: now, updatedAt: now }).where(eq(xapiPushJobs.id, id)).run(),
    );
    logger.info({ jobId: id, state, ...counts, lastError }, 'xAPI push finished');
  })().finally(() => active.delete(id));
  active.set(id, task);
}
