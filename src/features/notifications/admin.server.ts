/**
 * /admin/notifications: the outbox's counts, its failed, queued and sent messages a page at a
 * time, resend, and a test e-mail to the admin. Every list walks the (state, next_attempt_at)
 * index newest first and stops after a page, so months of rows for 20,000 people cost the same
 * as a day's.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { departments, notificationOutbox, users, type OutboxChannel, type OutboxState } from '../../../db/schema/index.ts';
import { now } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { Refusal } from '../../platform/refusal.ts';
import { audit, type AuditCaller } from '../audit/audit.server.ts';
import type { Locale } from './external.ts';
import { dayKey } from './external.ts';
import { formatDateTime } from '../../platform/dates.ts';
import { type OutboxCursor, decodeCursor, encodeCursor, renderTestEmail } from './admin.ts';
import { messageIdFor } from './links.ts';
import { insertOutboxRow } from './outbox.server.ts';
import { PRUNED_PAYLOAD } from './retention.ts';
import { idempotencyKey } from './model.ts';
import { maskWebhookUrl } from './settings.ts';
import { readDepartmentChannels, readNotificationSettings } from './settings.server.ts';
import { nextSendInstant } from './working-days.ts';
import { changes, first } from '../../platform/query.ts';

export const OUTBOX_PAGE_SIZE = 20;
/** "Resend all failed" takes at most this many in one write; the page says to press again for more. */
export const RESEND_ALL_LIMIT = 500;

export const OUTBOX_LISTS = ['failed', 'queued', 'sent'] as const;
export type OutboxList = (typeof OUTBOX_LISTS)[number];

export type OutboxRecipient = { kind: 'user'; id: number; name: string } | { kind: 'department'; id: number; name: string } | { kind: 'programme' };

export interface OutboxRow {
  id: number;
  channel: OutboxChannel;
  state: OutboxState;
  recipient: OutboxRecipient;
  kinds: string[];
  day: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
  /** A sent message whose body was dropped after the retention period (retention.server.ts): it cannot be resent. */
  pruned: boolean;
}

export interface OutboxListPage {
  rows: OutboxRow[];
  /** The cursor of the next page, or null on the last one. */
  next: string | null;
  /** This page is not the first. */
  continued: boolean;
}

export interface NotificationsAdminPage {
  states: Record<OutboxState, number>;
  /** Per channel and state, all time. */
  channels: Record<OutboxChannel, Record<OutboxState, number>>;
  lists: Record<OutboxList, OutboxListPage>;
  smtpConfigured: boolean;
  /** The programme channel's webhooks, masked (host only), or null when not set. */
  programme: { teams: string | null; slack: string | null };
  /** The departments with a webhook set, by name (masked, host only). */
  departmentChannels: { id: number; name: string; teams: string | null; slack: string | null }[];
  sendHour: number;
  /** Kinds the admin switched off for everyone (the page says so). */
  disabledKinds: string[];
  nextRun: Date;
}

export interface NotificationsAdminOptions {
  smtpUrl: string | null;
  timeZone: string;
}

const CHANNELS: readonly OutboxChannel[] = ['email', 'teams', 'slack'];

const zeroStates = (): Record<OutboxState, number> => ({ queued: 0, sending: 0, sent: 0, failed: 0 });

/** One page of a list and one row more (to know there is a next page); exported so a test can read its query plan. */
export function outboxListQuery(q: Tx, state: OutboxList, cursor: OutboxCursor | null) {
  const o = notificationOutbox;
  // (next_attempt_at, id) descending is the due index's own order (SQLite appends the rowid): no sort, no scan.
  const after = cursor ? sql`(${o.nextAttemptAt}, ${o.id}) < (${cursor.at}, ${cursor.id})` : undefined;
  return q
    .select({
      id: o.id,
      channel: o.channel,
      state: o.state,
      userId: o.userId,
      userName: users.displayName,
      departmentId: o.departmentId,
      departmentName: departments.name,
      kinds: o.kinds,
      day: o.day,
      attempts: o.attempts,
      nextAttemptAt: o.nextAttemptAt,
      lastError: o.lastError,
      sentAt: o.sentAt,
      // As text: PostgreSQL has no equality of `json` values; both keep the text as written.
      pruned: sql<number>`cast(${o.payload} as text) = ${JSON.stringify(PRUNED_PAYLOAD)}`,
    })
    .from(o)
    .leftJoin(users, eq(users.id, o.userId))
    .leftJoin(departments, eq(departments.id, o.departmentId))
    .where(and(eq(o.state, state), after))
    .orderBy(desc(o.nextAttemptAt), desc(o.id))
    .limit(OUTBOX_PAGE_SIZE + 1);
}

async function listPage(q: Tx, state: OutboxList, cursor: OutboxCursor | null): Promise<OutboxListPage> {
  const found = await outboxListQuery(q, state, cursor);
  const rows = found.slice(0, OUTBOX_PAGE_SIZE).map(
    (r): OutboxRow => ({
      id: r.id,
      channel: r.channel,
      state: r.state,
      recipient:
        r.userId !== null
          ? { kind: 'user', id: r.userId, name: r.userName ?? `#${r.userId}` }
          : r.departmentId !== null
            ? { kind: 'department', id: r.departmentId, name: r.departmentName ?? `#${r.departmentId}` }
            : { kind: 'programme' },
      kinds: Array.isArray(r.kinds) ? r.kinds.map(String) : [],
      day: r.day,
      attempts: r.attempts,
      nextAttemptAt: r.nextAttemptAt,
      lastError: r.lastError,
      sentAt: r.sentAt,
      pruned: Boolean(r.pruned),
    }),
  );
  const last = rows.at(-1);
  const next = found.length > OUTBOX_PAGE_SIZE && last ? encodeCursor({ at: last.nextAttemptAt.getTime(), id: last.id }) : null;
  return { rows, next, continued: cursor !== null };
}

export async function loadNotificationsAdmin(
  db: Db,
  cursors: Partial<Record<OutboxList, string | undefined>>,
  options: NotificationsAdminOptions,
): Promise<NotificationsAdminPage> {
  const at = now();
  const o = notificationOutbox;
  const [data, settings, channels, names] = await Promise.all([
    db.read(async (q) => {
      // Counted on the due index alone (a covering scan, no table rows).
      const states = await q.select({ state: o.state, n: sql<number>`count(*)` }).from(o).groupBy(o.state);
      // Channel posts are the rows without a person (a few per department and week): found on the
      // (user_id, day) index, so only they are read; e-mails are the rest of each state's count.
      const posts = await q.select({ state: o.state, channel: o.channel, n: sql<number>`count(*)` }).from(o).where(isNull(o.userId)).groupBy(o.state, o.channel);
      const lists = {} as Record<OutboxList, OutboxListPage>;
      for (const list of OUTBOX_LISTS) lists[list] = await listPage(q, list, decodeCursor(cursors[list]));
      return { states, posts, lists };
    }),
    readNotificationSettings(db),
    readDepartmentChannels(db),
    db.read(async (q) => new Map((await q.select({ id: departments.id, name: departments.name }).from(departments)).map((d) => [d.id, d.name]))),
  ]);
  const states = zeroStates();
  for (const row of data.states) states[row.state] = row.n;
  const byChannel = Object.fromEntries(CHANNELS.map((c) => [c, zeroStates()])) as Record<OutboxChannel, Record<OutboxState, number>>;
  for (const row of data.posts) byChannel[row.channel][row.state] += row.n;
  for (const state of Object.keys(states) as OutboxState[]) byChannel.email[state] = states[state] - byChannel.teams[state] - byChannel.slack[state];
  return {
    states,
    channels: byChannel,
    lists: data.lists,
    smtpConfigured: options.smtpUrl !== null,
    programme: { teams: maskWebhookUrl(settings.programmeTeamsUrl), slack: maskWebhookUrl(settings.programmeSlackUrl) },
    departmentChannels: channels
      .filter((c) => c.teamsUrl !== null || c.slackUrl !== null)
      .map((c) => ({ id: c.departmentId, name: names.get(c.departmentId) ?? `#${c.departmentId}`, teams: maskWebhookUrl(c.teamsUrl), slack: maskWebhookUrl(c.slackUrl) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    sendHour: settings.sendHour,
    disabledKinds: settings.disabledKinds,
    nextRun: nextSendInstant(at, { timeZone: options.timeZone, hour: settings.sendHour }),
  };
}

type ResendRow = Pick<OutboxRow, 'id' | 'channel' | 'state' | 'kinds'> & { userId: number | null; departmentId: number | null; messageId: string | null };

function target(row: ResendRow): { type: string; id: string | number } {
  if (row.userId !== null) return { type: 'user', id: row.userId };
  return row.departmentId !== null ? { type: 'department', id: row.departmentId } : { type: 'programme', id: 'programme' };
}

/** The contract's resend: queued again now, attempts from zero, the same payload and Message-ID; audited in the same write. */
async function requeue(tx: Tx, row: ResendRow, by: AuditCaller, at: Date): Promise<boolean> {
  const o = notificationOutbox;
  // Only from the state read: a row the sender claimed meanwhile is left to it.
  const changed = changes(
    await tx
      .update(o)
      .set({ state: 'queued', attempts: 0, nextAttemptAt: at, lastError: null, updatedAt: at })
      .where(and(eq(o.id, row.id), eq(o.state, row.state))),
  );
  if (changed === 0) return false;
  const details = { channel: row.channel, kinds: row.kinds, messageId: row.messageId, outboxId: row.id, from: row.state };
  await audit(tx, { ...by, action: 'notification.resent', target: target(row), details }, at);
  return true;
}

/** Built per call: a table's columns are the dialect's once the database is open (db/schema/index.ts), not at import. */
const resendColumns = () => ({
  id: notificationOutbox.id,
  channel: notificationOutbox.channel,
  state: notificationOutbox.state,
  kinds: notificationOutbox.kinds,
  userId: notificationOutbox.userId,
  departmentId: notificationOutbox.departmentId,
  messageId: notificationOutbox.messageId,
  pruned: sql<number>`cast(${notificationOutbox.payload} as text) = ${JSON.stringify(PRUNED_PAYLOAD)}`,
});

/** Resends one failed or sent message. Refuses one that is queued or being sent (it goes anyway). */
export async function resendNotification(db: Db, outboxId: number, by: AuditCaller): Promise<void> {
  await db.write(async (tx) => {
    const row = first(await tx.select(resendColumns()).from(notificationOutbox).where(eq(notificationOutbox.id, outboxId)));
    if (!row) throw new Refusal('NOT_FOUND', 'notify.admin.error.notFound');
    if (row.state !== 'failed' && row.state !== 'sent') throw new Refusal('BAD_REQUEST', 'notify.admin.error.notResendable');
    if (row.pruned) throw new Refusal('BAD_REQUEST', 'notify.admin.error.pruned');
    if (!(await requeue(tx, row, by, now()))) throw new Refusal('BAD_REQUEST', 'notify.admin.error.notResendable');
  });
}

/** Resends the newest RESEND_ALL_LIMIT failed messages; returns how many, and how many failed ones are left. */
export async function resendAllFailed(db: Db, by: AuditCaller): Promise<{ count: number; left: number }> {
  return db.write(async (tx) => {
    const o = notificationOutbox;
    const rows = await tx.select(resendColumns()).from(o).where(eq(o.state, 'failed')).orderBy(desc(o.nextAttemptAt), desc(o.id)).limit(RESEND_ALL_LIMIT);
    const at = now();
    let count = 0;
    for (const row of rows) if (await requeue(tx, row, by, at)) count += 1;
    const left = first(await tx.select({ n: sql<number>`count(*)` }).from(o).where(eq(o.state, 'failed')))?.n ?? 0;
    return { count, left };
  });
}

export interface TestSendOptions {
  siteUrl: string;
  timeZone: string;
}

/** Queues the test e-mail to the admin's own address through the outbox (the sender sends it as any other). */
export async function queueTestEmail(
  db: Db,
  admin: { id: number; name: string; email: string; locale: Locale },
  by: AuditCaller,
  options: TestSendOptions,
): Promise<{ outboxId: number }> {
  const at = now();
  const key = idempotencyKey(String(admin.id), 'digest', 'test', String(at.getTime()));
  const messageId = messageIdFor(key, options.siteUrl);
  const sentAt = formatDateTime(at, admin.locale, options.timeZone);
  const email = renderTestEmail({ name: admin.name, address: admin.email, locale: admin.locale }, { siteUrl: options.siteUrl, messageId, sentAt });
  return db.write(async (tx) => {
    const outboxId = await insertOutboxRow(
      tx,
      {
        key,
        channel: 'email',
        userId: admin.id,
        day: dayKey(at, options.timeZone),
        kinds: ['test'],
        messageId,
        payload: { to: email.to, subject: email.subject, text: email.text, html: email.html, headers: email.headers },
      },
      at,
    );
    await audit(tx, { ...by, action: 'notification.test_queued', target: { type: 'user', id: admin.id }, details: { channel: 'email', kinds: ['test'], messageId, outboxId } }, at);
    return { outboxId };
  });
}
