/**
 * Sends what the outbox holds (issue 15): e-mails through nodemailer (a pooled SMTP transport
 * from SMTP_URL, STARTTLS and auth as the URL says), channel posts with fetch. Each message is
 * claimed in a write (queued → sending), sent outside any transaction, then recorded with its
 * audit row: sent, or back to queued with backoff and the error, or failed after the last
 * retry. A message is claimed only when a worker is free, so a crash re-sends at most the ones
 * in flight, with the same Message-ID. Never on the request path: the scheduler runs it.
 */
import { and, asc, eq, lte, ne } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import { notificationOutbox } from '../../../db/schema/index.ts';
import { now as clockNow, nowMs } from '../../platform/clock.ts';
import type { Db } from '../../platform/db.server.ts';
import { logger } from '../../platform/log.server.ts';
import { audit } from '../audit/audit.server.ts';
import { backoffMs, retryAfterMs, safeErrorText } from './delivery.ts';
import { readDepartmentChannels, readNotificationSettings } from './settings.server.ts';
import { changes, first, onPostgres } from '../../platform/query.ts';

export interface SenderOptions {
  /** SMTP_URL; null: e-mails stay queued (nothing is e-mailed), channel posts are still sent. */
  smtpUrl: string | null;
  mailFrom: string;
  sendTimeoutMs: number;
  /** Retries after the first try; then the message is failed. */
  retries: number;
  retryBaseMs: number;
  /** Messages in flight at once (default 4; also the SMTP pool's connections). */
  concurrency?: number;
  /** 0..1 for the backoff's jitter (tests pass a fixed one). */
  random?: () => number;
}

export interface SendReport {
  sent: number;
  retried: number;
  failed: number;
}

export interface Sender {
  /** Sends every due message (bounded by `limit`); resolves when none is due or `stop` was called. */
  sendDue: (db: Db, limit?: number) => Promise<SendReport>;
  /** Stops claiming; in-flight messages finish (or are queued again: resetInterruptedSends). */
  stop: () => void;
  close: () => void;
}

type Row = typeof notificationOutbox.$inferSelect;
type EmailPayload = { to: { name: string; address: string }; subject: string; text: string; html: string; headers: Record<string, string> };

/** A send that failed; `retryAfterMs` when the receiver said when to come back (HTTP 429). */
class SendError extends Error {
  retryAfterMs: number | null;
  constructor(message: string, retryAfter: number | null = null) {
    super(message);
    this.retryAfterMs = retryAfter;
  }
}

/**
 * How long a claimed message may stay `sending` before another instance takes it for lost (its
 * instance died mid-send): well past a send's own timeout, so a live send is never taken over.
 */
export function sendLeaseMs(sendTimeoutMs: number): number {
  return Math.max(5 * 60_000, 3 * sendTimeoutMs);
}

/**
 * Rows a stopped process left in `sending` go back to queued, same payload and Message-ID. On
 * SQLite one server owns the database (its lock file), so at start every such row is its own
 * stopped run's. On PostgreSQL other instances may be sending right now: only rows claimed longer
 * ago than `leaseMs` are taken back, and the scheduler asks on every run, not just at start.
 */
export async function resetInterruptedSends(db: Db, leaseMs: number): Promise<number> {
  const at = clockNow();
  const stale = db.dialect === 'postgres' ? lte(notificationOutbox.updatedAt, new Date(at.getTime() - leaseMs)) : undefined;
  return db.write(async (tx) =>
    changes(
      await tx
        .update(notificationOutbox)
        .set({ state: 'queued', nextAttemptAt: at, updatedAt: at })
        .where(and(eq(notificationOutbox.state, 'sending'), stale)),
    ),
  );
}

type Locking = { for: (strength: 'update', options: { skipLocked: boolean }) => Promise<Row[]> };

/**
 * The next due message, marked `sending` in the same write. On PostgreSQL the row is locked as it
 * is read and rows other instances hold are skipped (`for update skip locked`), so two instances
 * claim different messages; the state test in the update is the guarantee on both dialects.
 */
async function claim(db: Db, emailEnabled: boolean): Promise<Row | null> {
  const at = clockNow();
  return db.write(async (tx) => {
    const due = and(eq(notificationOutbox.state, 'queued'), lte(notificationOutbox.nextAttemptAt, at), emailEnabled ? undefined : ne(notificationOutbox.channel, 'email'));
    const next = tx.select().from(notificationOutbox).where(due).orderBy(asc(notificationOutbox.nextAttemptAt), asc(notificationOutbox.id)).limit(1);
    const row = first(onPostgres(tx) ? await (next as unknown as Locking).for('update', { skipLocked: true }) : await next);
    if (!row) return null;
    const claimed = changes(
      await tx
        .update(notificationOutbox)
        .set({ state: 'sending', updatedAt: at })
        .where(and(eq(notificationOutbox.id, row.id), eq(notificationOutbox.state, 'queued'))),
    );
    return claimed === 1 ? row : null;
  });
}

function target(row: Row): { type: string; id: string | number } {
  if (row.userId !== null) return { type: 'user', id: row.userId };
  return row.departmentId !== null ? { type: 'department', id: row.departmentId } : { type: 'programme', id: 'programme' };
}

export function createSender(options: SenderOptions): Sender {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const random = options.random ?? Math.random;
  let stopped = false;
  let transport: Transporter | null = null;
  const mailer = (): Transporter => {
    transport ??= nodemailer.createTransport({
      url: options.smtpUrl!,
      pool: true,
      maxConnections: concurrency,
      connectionTimeout: options.sendTimeoutMs,
      greetingTimeout: options.sendTimeoutMs,
      socketTimeout: options.sendTimeoutMs,
    });
    return transport;
  };
  // Teams' webhooks answer 429 above about four posts a second: posts leave at most every 300 ms.
  let nextPostAt = 0;
  const postSlot = async (): Promise<void> => {
    const wait = nextPostAt - performance.now();
    nextPostAt = Math.max(performance.now(), nextPostAt) + 300;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };

  const sendEmail = async (row: Row): Promise<void> => {
    const payload = row.payload as EmailPayload;
    const { 'Message-ID': _id, ...headers } = payload.headers;
    await mailer().sendMail({
      from: options.mailFrom,
      to: payload.to,
      subject: payload.subject,
      text: payload.text,
      html: payload.html,
      headers,
      messageId: row.messageId ?? undefined,
    });
  };

  const sendPost = async (db: Db, row: Row): Promise<void> => {
    const settings = await readNotificationSettings(db);
    const department = row.departmentId === null ? null : (await readDepartmentChannels(db)).find((channel) => channel.departmentId === row.departmentId);
    const urls =
      row.departmentId === null
        ? { teams: settings.programmeTeamsUrl, slack: settings.programmeSlackUrl }
        : { teams: department?.teamsUrl ?? null, slack: department?.slackUrl ?? null };
    const url = row.channel === 'teams' ? urls.teams : urls.slack;
    if (!url) throw new SendError(`no ${row.channel} webhook is configured for this channel`);
    await postSlot();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify((row.payload as { body: unknown }).body),
      signal: AbortSignal.timeout(options.sendTimeoutMs),
      redirect: 'error',
    });
    const text = (await response.text().catch(() => '')).slice(0, 200);
    if (response.ok) return;
    // The webhook URL is the secret: the error names the status only.
    throw new SendError(
      `${row.channel} webhook answered HTTP ${response.status}${text ? `: ${text}` : ''}`,
      response.status === 429 ? retryAfterMs(response.headers.get('retry-after'), nowMs()) : null,
    );
  };

  const record = async (db: Db, row: Row, error: unknown | null): Promise<'sent' | 'retried' | 'failed'> => {
    const at = clockNow();
    const attempts = row.attempts + 1;
    const details = { channel: row.channel, kinds: row.kinds, messageId: row.messageId, outboxId: row.id, attempts };
    const mine = and(eq(notificationOutbox.id, row.id), eq(notificationOutbox.state, 'sending'));
    if (error === null) {
      await db.write(async (tx) => {
        await tx.update(notificationOutbox).set({ state: 'sent', attempts, sentAt: at, lastError: null, updatedAt: at }).where(mine);
        await audit(tx, { actor: null, actorLabel: 'notifications', action: 'notification.sent', target: target(row), details }, at);
      });
      return 'sent';
    }
    const lastError = safeErrorText(error, options.smtpUrl);
    if (attempts > options.retries) {
      await db.write(async (tx) => {
        await tx.update(notificationOutbox).set({ state: 'failed', attempts, lastError, updatedAt: at }).where(mine);
        await audit(tx, { actor: null, actorLabel: 'notifications', action: 'notification.failed', target: target(row), details }, at);
      });
      logger.warn({ outboxId: row.id, channel: row.channel, attempts }, 'notification failed after its last try');
      return 'failed';
    }
    const wait = Math.max(backoffMs(attempts, options.retryBaseMs, random()), error instanceof SendError ? (error.retryAfterMs ?? 0) : 0);
    await db.write(
      async (tx) =>
        await tx
          .update(notificationOutbox)
          .set({ state: 'queued', attempts, lastError, nextAttemptAt: new Date(at.getTime() + wait), updatedAt: at })
          .where(mine),
    );
    return 'retried';
  };

  const sendDue = async (db: Db, limit = 100_000): Promise<SendReport> => {
    const report: SendReport = { sent: 0, retried: 0, failed: 0 };
    let claimed = 0;
    const worker = async (): Promise<void> => {
      while (!stopped && claimed < limit) {
        claimed += 1;
        const row = await claim(db, options.smtpUrl !== null);
        if (row === null) return;
        let failure: unknown | null = null;
        try {
          if (row.channel === 'email') await sendEmail(row);
          else await sendPost(db, row);
        } catch (error) {
          failure = error ?? new Error('unknown error');
        }
        report[await record(db, row, failure)] += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return report;
  };

  return {
    sendDue,
    stop: () => {
      stopped = true;
    },
    close: () => {
      stopped = true;
      transport?.close();
      transport = null;
    },
  };
}
