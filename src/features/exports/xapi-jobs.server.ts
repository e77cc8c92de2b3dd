/**
 * xAPI pushes as background jobs: the admin's request starts one and returns at once; the job
 * runs in the server process and stores its progress (batches, counts, the last error) in
 * xapi_push_jobs after every batch and every failed try, so /admin/exports shows it on reload.
 * One job per endpoint at a time. A job the database still calls `running` at start belonged
 * to a server that stopped (SQLite: one server per database; PostgreSQL: a job silent past its
 * lease, claimed by one instance): it is resumed for the same endpoint —
 * deliveries already recorded are skipped, so nothing is sent twice — or marked `interrupted`
 * when XAPI_ENDPOINT changed since.
 */
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { xapiDeliveries, xapiPushJobs, type XapiJobState } from '../../../db/schema/index.ts';
import type { XapiSettings } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { logger } from '../../platform/log.server.ts';
import { bestEffortWrite } from '../../platform/storage-errors.server.ts';
import { audit } from '../audit/audit.server.ts';
import type { KeyedStatement } from './xapi-export.server.ts';
import { endpointKey, pushStatements } from './xapi-push.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { changes, exec, first, onPostgres, rows } from '../../platform/query.ts';

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

export type StatementSource = () => Promise<Iterable<KeyedStatement> | AsyncIterable<KeyedStatement>>;

/** Jobs this process is running now, by id. */
const active = new Map<number, Promise<void>>();

/** The newest job for `endpoint`, or null. */
export async function latestJob(db: Db, endpoint: string): Promise<PushJob | null> {
  return (
    (await db.read(async (q) =>
      first(
        await q
          .select()
          .from(xapiPushJobs)
          .where(eq(xapiPushJobs.endpoint, endpointKey(endpoint)))
          .orderBy(desc(xapiPushJobs.id))
          .limit(1),
      ),
    )) ?? null
  );
}

export async function countDeliveredTo(db: Db, endpoint: string): Promise<number> {
  return db.read(async (q) => first(await rows<{ n: number }>(q, sql`select count(*) n from ${xapiDeliveries} where ${xapiDeliveries.endpoint} = ${endpointKey(endpoint)}`))!.n);
}

/** Starts a push to the configured LRS, or returns the one already running for it; audited (with the admin who asked) in the same write. */
export async function startPushJob(
  db: Db,
  settings: XapiSettings,
  caller: { actor: { id: number; email: string } | null; ip: string | null },
  statements: StatementSource,
): Promise<{ job: PushJob; started: boolean }> {
  const endpoint = endpointKey(settings.endpoint);
  const now = clockNow();
  const { job, started } = await db.write(async (tx) => {
    // Several instances: one start per endpoint at a time, so two admins' clicks make one job.
    if (onPostgres(tx)) await exec(tx, sql`select pg_advisory_xact_lock(hashtext(${`xapi-push:${endpoint}`}))`);
    const running = first(
      await tx
        .select()
        .from(xapiPushJobs)
        .where(and(eq(xapiPushJobs.endpoint, endpoint), eq(xapiPushJobs.state, 'running'))),
    );
    const found =
      running ??
      first(
        await tx
          .insert(xapiPushJobs)
          .values({ endpoint, state: 'running', startedBy: caller.actor?.id ?? null, createdAt: now, updatedAt: now })
          .returning(),
      )!;
    const details = { jobId: found.id, started: !running, endpoint: found.endpoint };
    if (caller.actor) await audit(tx, { actor: caller.actor, action: 'xapi.pushed', details, ip: caller.ip });
    return { job: found, started: !running };
  });
  if (started || !active.has(job.id)) run(db, job, settings, statements);
  return { job, started };
}

/** A running job writes its progress after every batch and every failed try; silent this long, its instance is gone. */
const PUSH_LEASE_MS = 10 * 60_000;

/**
 * At start: every job left `running` by a server that stopped is resumed (same endpoint) or
 * marked `interrupted` (XAPI_ENDPOINT changed or unset). Returns how many were resumed.
 */
export async function resumeInterruptedJobs(db: Db, settings: XapiSettings | null, statements: StatementSource): Promise<number> {
  const now = clockNow();
  let resumed = 0;
  // On PostgreSQL another instance may be running the job: only one silent past the lease is taken.
  const stale = db.dialect === 'postgres' ? lt(xapiPushJobs.updatedAt, new Date(now.getTime() - PUSH_LEASE_MS)) : undefined;
  for (const job of await db.read(
    async (q) =>
      await q
        .select()
        .from(xapiPushJobs)
        .where(and(eq(xapiPushJobs.state, 'running'), stale)),
  )) {
    if (active.has(job.id)) continue;
    if (settings && endpointKey(settings.endpoint) === job.endpoint) {
      // Claimed by moving its updatedAt on: of two instances starting at once, one changes the row.
      const claimed = await db.write(async (tx) =>
        changes(
          await tx
            .update(xapiPushJobs)
            .set({ resumedAt: now, updatedAt: now })
            .where(and(eq(xapiPushJobs.id, job.id), eq(xapiPushJobs.state, 'running'), eq(xapiPushJobs.updatedAt, job.updatedAt))),
        ),
      );
      // Checked again after the write: a push started meanwhile runs this job already.
      if (claimed === 0 || active.has(job.id)) continue;
      logger.info({ jobId: job.id }, 'xAPI push resumed after a restart');
      run(db, job, settings, statements);
      resumed++;
    } else {
      await db.write(
        async (tx) =>
          await tx
            .update(xapiPushJobs)
            .set({ state: 'interrupted', finishedAt: now, updatedAt: now, lastError: 'the server stopped during the push, and XAPI_ENDPOINT has changed since' })
            .where(eq(xapiPushJobs.id, job.id)),
      );
    }
  }
  return resumed;
}

/** Runs the job in the background; registered as active before this returns. */
function run(db: Db, job: PushJob, settings: XapiSettings, statements: StatementSource): void {
  const { id } = job;
  // Counts go on from where a resumed job stopped.
  const base = { sent: job.sent, batches: job.batches };
  const task = (async () => {
    let state: XapiJobState = 'failed';
    let lastError: string | null = null;
    let counts = { sent: base.sent, alreadyDelivered: job.alreadyDelivered, batches: base.batches };
    // A bug (not a storage fault) while storing progress fails the job, as it did when the write threw.
    let progressError: unknown = null;
    try {
      const result = await pushStatements(db, await statements(), {
        ...settings,
        onProgress: (progress) => {
          counts = { sent: base.sent + progress.sent, alreadyDelivered: Math.max(0, progress.alreadyDelivered - base.sent), batches: base.batches + progress.batches };
          const update = { ...counts, lastError: progress.retrying, updatedAt: clockNow() };
          bestEffortWrite('xapi.progress', () => db.write(async (tx) => await tx.update(xapiPushJobs).set(update).where(eq(xapiPushJobs.id, id)))).catch((error: unknown) => {
            progressError ??= error;
          });
        },
      });
      if (progressError !== null) throw progressError;
      counts = { sent: base.sent + result.sent, alreadyDelivered: Math.max(0, result.alreadyDelivered - base.sent), batches: base.batches + result.batches };
      state = result.error ? 'failed' : 'done';
      lastError = result.error;
    } catch (error) {
      logger.error({ err: error, jobId: id }, 'xAPI push failed');
      lastError = 'internal error (see the server log)';
    }
    const now = clockNow();
    // If even this cannot be stored, the job stays `running` and the next start resumes it.
    await bestEffortWrite('xapi.finish', () =>
      db.write(
        async (tx) =>
          await tx
            .update(xapiPushJobs)
            .set({ ...counts, state, lastError, finishedAt: now, updatedAt: now })
            .where(eq(xapiPushJobs.id, id)),
      ),
    );
    logger.info({ jobId: id, state, ...counts, lastError }, 'xAPI push finished');
  })().finally(() => active.delete(id));
  active.set(id, task);
}
