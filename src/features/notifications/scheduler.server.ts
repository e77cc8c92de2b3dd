/**
 * The notification scheduler in the server process (issue 15): a croner job every
 * NOTIFY_INTERVAL_SECONDS that never overlaps itself. Each tick asks `runDayAt` whether today's
 * run is due (a working day, at or after the send hour), queues the day once per process and
 * day, then sends whatever is due (new messages, retries whose backoff has passed). After
 * downtime the trigger windows catch up; the outbox's unique keys keep anything from going twice.
 */
import { Cron } from 'croner';
import { now as clockNow } from '../../platform/clock.ts';
import type { Db } from '../../platform/db.server.ts';
import { logger } from '../../platform/log.server.ts';
import type { NotificationSnapshot } from './model.ts';
import { type DayPlan, queueDay, queuePlan, type QueueReport } from './outbox.server.ts';
import { createSender, resetInterruptedSends, sendLeaseMs, type Sender, type SenderOptions, type SendReport } from './sender.server.ts';
import { readDepartmentChannels, readNotificationSettings } from './settings.server.ts';
import type { NotificationSettings } from './settings.ts';
import { loadNotificationSnapshot } from './snapshot.server.ts';
import { runDayAt } from './working-days.ts';

/** Builds the day's snapshot from the database (`loadNotificationSnapshot`). */
export type SnapshotLoader = (db: Db, today: string) => Promise<NotificationSnapshot>;

/** Makes the day's plan elsewhere (the server: a worker thread, plan-worker.server.ts); without one the loader plans on this thread. */
export type DayPlanner = (day: string, emailEnabled: boolean) => Promise<DayPlan>;

/** The loader the server and `npm run notify` use: the curriculum and policies of MANABI_CONTENT_DIR (the build's, as `npm start` rebuilds when they change). */
export const SNAPSHOT_LOADER: SnapshotLoader | null = (db, today) => loadNotificationSnapshot(db, today);

export interface NotifyConfig extends SenderOptions {
  siteUrl: string;
  timeZone: string;
}

export interface TickReport {
  /** The day queued in this tick, or null (not due, already queued by this process, or no loader). */
  queued: QueueReport | null;
  sent: SendReport;
}

export interface Notifier {
  /** One tick now (what the timer runs); never two at once. */
  tick: () => Promise<TickReport | null>;
  stop: () => Promise<void>;
}

/** Queues today's run if it is due at `at` and not yet queued, then sends what is due. */
export async function runOnce(
  db: Db,
  sender: Sender,
  config: NotifyConfig,
  loader: SnapshotLoader | null,
  at: Date,
  queuedDays: Set<string> = new Set(),
  planner: DayPlanner | null = null,
): Promise<TickReport> {
  const settings = await readNotificationSettings(db);
  const day = runDayAt(at, { timeZone: config.timeZone, hour: settings.sendHour });
  let queued: QueueReport | null = null;
  if (day !== null && loader !== null && !queuedDays.has(day) && (await anywhereToSend(db, config, settings))) {
    const options = { siteUrl: config.siteUrl, emailEnabled: config.smtpUrl !== null };
    queued = planner ? await queuePlan(db, await planner(day, options.emailEnabled), options) : await queueDay(db, await loader(db, day), day, options);
    queuedDays.add(day);
    logger.info({ ...queued }, 'notifications queued');
  }
  const sent = await sender.sendDue(db);
  if (sent.sent + sent.retried + sent.failed > 0) logger.info({ ...sent }, 'notifications sent');
  return { queued, sent };
}

/**
 * Whether anything could leave: SMTP_URL, or a webhook of the programme or a department. Without
 * one the day's snapshot is not even read (a test server, a site still being set up); what falls
 * due meanwhile is not sent later in a flood, as each trigger's window passes.
 */
async function anywhereToSend(db: Db, config: NotifyConfig, settings: NotificationSettings): Promise<boolean> {
  if (config.smtpUrl !== null) return true;
  if (settings.programmeTeamsUrl !== null || settings.programmeSlackUrl !== null) return true;
  return (await readDepartmentChannels(db)).length > 0;
}

/**
 * Starts the scheduler on its own connection (`open`): resets sends a stopped process left
 * behind, runs a first tick at once, then every `intervalMs`.
 */
export function startNotificationScheduler(options: { open: () => Db; config: NotifyConfig; intervalMs: number; loader: SnapshotLoader | null; planner?: DayPlanner }): Notifier {
  const sender = createSender(options.config);
  const queuedDays = new Set<string>();
  let db: Db | null = null;
  let resetDone = false;
  let running: Promise<TickReport | null> | null = null;
  let stopped = false;
  if (options.loader === null) logger.info('notifications: no snapshot loader yet, so nothing new is queued; queued messages are still sent');

  const work = async (): Promise<TickReport | null> => {
    try {
      db ??= options.open();
      // SQLite: once, at start (this server owns the file). PostgreSQL: each run, past the lease.
      if (!resetDone || db.dialect === 'postgres') {
        const reset = await resetInterruptedSends(db, sendLeaseMs(options.config.sendTimeoutMs));
        if (reset > 0) logger.info({ reset }, 'notifications left sending by a stopped server are queued again');
        resetDone = true;
      }
      return await runOnce(db, sender, options.config, options.loader, clockNow(), queuedDays, options.planner ?? null);
    } catch (error) {
      logger.error({ err: error }, 'notification run failed; tried again at the next tick');
      return null;
    }
  };
  const tick = (): Promise<TickReport | null> => {
    if (stopped) return Promise.resolve(null);
    running ??= work().finally(() => {
      running = null;
    });
    return running;
  };
  const job = new Cron('* * * * * *', { interval: Math.max(1, Math.round(options.intervalMs / 1000)), protect: true, unref: true, catch: true }, async (): Promise<void> => {
    await tick();
  });
  void tick();
  return {
    tick,
    stop: async () => {
      stopped = true;
      job.stop();
      sender.stop();
      // In-flight sends get a moment; whatever is still `sending` is queued again at the next start.
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      sender.close();
      await db?.close();
      db = null;
    },
  };
}

/** The scheduler's settings from getConfig(). */
export function notifyConfigFrom(config: {
  siteUrl: string;
  timeZone: string;
  notifications: { smtpUrl: string | null; mailFrom: string; sendTimeoutMs: number; retries: number; retryBaseMs: number };
}): NotifyConfig {
  const { smtpUrl, mailFrom, sendTimeoutMs, retries, retryBaseMs } = config.notifications;
  return { siteUrl: config.siteUrl, timeZone: config.timeZone, smtpUrl, mailFrom, sendTimeoutMs, retries, retryBaseMs };
}
