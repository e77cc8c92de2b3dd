/**
 * The day's plan (the snapshot of every user and the digests planned against the outbox) made
 * in a worker thread on a read connection of its own: for 20,000 users it is about a second of
 * synchronous reads and planning, which on the server's thread would hold up every request at
 * the send hour. The server's thread then only inserts the plan, a chunk per write.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { installClockFile } from '../../platform/clock.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import { openDatabase } from '../../platform/db.server.ts';
import { type DayPlan, planDay } from './outbox.server.ts';
import { loadNotificationSnapshot } from './snapshot.server.ts';

interface PlanRequest {
  databasePath: string;
  day: string;
  emailEnabled: boolean;
}

/**
 * The plan arrives in parts, one at a time: 20,000 digests in one message took the server's thread
 * 110–270 ms to receive (one structured clone), and parts sent all at once are drained in one task
 * just the same; so the worker sends the next part only when asked, after the server's thread has
 * had a turn (setImmediate).
 */
type PlanMessage = { kind: 'digests'; digests: DayPlan['digests'] } | { kind: 'done'; plan: Omit<DayPlan, 'digests'> } | { kind: 'error'; error: string };

const PART_SIZE = 250;

/** Plans `day` in a new worker thread (one per day's run: it ends when the plan is made). */
export function planDayInWorker(request: PlanRequest, timeoutMs = 120_000): Promise<DayPlan> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: request });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the day's plan took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const digests: DayPlan['digests'] = [];
    worker.on('message', (message: PlanMessage) => {
      if (message.kind === 'digests') {
        for (const digest of message.digests) digests.push(digest);
        setImmediate(() => worker.postMessage('next'));
        return;
      }
      clearTimeout(timer);
      void worker.terminate();
      if (message.kind === 'done') resolve({ ...message.plan, digests });
      else reject(new Error(message.error));
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function planHere(request: PlanRequest, send: (message: PlanMessage) => Promise<void>): Promise<void> {
  installClockFile(getConfig().clockFile);
  const db = openDatabase(request.databasePath, { migrate: false, readonly: true });
  try {
    const snapshot = await loadNotificationSnapshot(db, request.day);
    const { digests, ...rest } = await planDay(db, snapshot, request.day, { emailEnabled: request.emailEnabled });
    for (let i = 0; i < digests.length; i += PART_SIZE) await send({ kind: 'digests', digests: digests.slice(i, i + PART_SIZE) });
    await send({ kind: 'done', plan: rest });
  } catch (error) {
    await send({ kind: 'error', error: error instanceof Error ? error.message : String(error) });
  } finally {
    await db.close();
  }
}

if (!isMainThread && parentPort && (workerData as PlanRequest | undefined)?.day) {
  const port = parentPort;
  // A part waits for the server's "next"; the last message (done or error) needs none.
  await planHere(workerData as PlanRequest, async (message) => {
    port.postMessage(message);
    if (message.kind === 'digests') await new Promise<void>((resolve) => port.once('message', () => resolve()));
  });
}
