/**
 * Queueing a day's notifications in the durable outbox (issue 15): plan against what the outbox
 * already holds, render, and insert each message with its event keys before anything is sent.
 * Each message is inserted in a savepoint of its own: a unique violation (its key, its
 * Message-ID or one of its events is already there, e.g. a second run racing this one) means
 * "already queued" and leaves nothing of it behind. The messages go in chunks of short writes,
 * so a 20,000-person day never holds the database (or the server's event loop) for long.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { and, eq, sql } from 'drizzle-orm';
import { notificationEvents, notificationOutbox, type OutboxChannel } from '../../../db/schema/index.ts';
import { now as clockNow } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { logger } from '../../platform/log.server.ts';
import { renderDigestEmail } from './email.ts';
import { messageIdFor } from './links.ts';
import type { DepartmentWeek, KpiSummary, NotificationSnapshot } from './model.ts';
import { idempotencyKey } from './model.ts';
import type { Digest } from './plan.ts';
import { collectEvents, planDigests } from './plan.ts';
import { readDepartmentChannels, readNotificationSettings } from './settings.server.ts';
import type { NotificationSettings } from './settings.ts';
import type { ChannelPost } from './team-triggers.ts';
import type { LoadedNotificationSnapshot } from './snapshot.server.ts';
import { channelPosts } from './team-triggers.ts';
import { issueToken } from './tokens.server.ts';
import { slackPayload, teamsPayload } from './webhooks.ts';
import { first, isUniqueViolation, savepoint } from '../../platform/query.ts';

export interface QueueOptions {
  /** SITE_URL: every link and the Message-ID's domain. */
  siteUrl: string;
  /** SMTP_URL is set: without it no e-mail is queued (channel posts still are). */
  emailEnabled: boolean;
  /** Messages per write (default 50: about 30 ms of rendering and inserting, so the server's requests get a turn between writes). */
  chunkSize?: number;
}

/** A channel post for one configured webhook. */
export interface PlannedPost {
  key: string;
  channel: Exclude<OutboxChannel, 'email'>;
  departmentId: number | null;
  post: ChannelPost;
}

export interface DayPlan {
  day: string;
  digests: Digest[];
  posts: PlannedPost[];
}

export interface QueueReport {
  day: string;
  /** false: SMTP_URL is not set, so nothing was e-mailed (no e-mail row queued). */
  emailEnabled: boolean;
  emailsQueued: number;
  postsQueued: number;
  /** Messages another run had queued first (a unique key already in the outbox). */
  alreadyQueued: number;
  /** Messages that could not be rendered (logged, not queued). */
  invalid: number;
}

/**
 * The department channels' weeks and the programme's KPI summary: the loader's own (every
 * department, champion or not; the summary without needing an admin) when the snapshot carries
 * them, else from the champions' digests and the first admin's summary.
 */
export function channelInput(snapshot: NotificationSnapshot & Partial<Pick<LoadedNotificationSnapshot, 'departments' | 'programme'>>): {
  departments: DepartmentWeek[];
  programme: KpiSummary | null;
} {
  if (snapshot.departments !== undefined) return { departments: [...snapshot.departments], programme: snapshot.programme ?? null };
  const departments = new Map<string, DepartmentWeek>();
  for (const champion of snapshot.champions) if (!departments.has(champion.week.department.id)) departments.set(champion.week.department.id, champion.week);
  return { departments: [...departments.values()], programme: snapshot.admins[0]?.kpi ?? null };
}

/** What today's run would queue, planned against the outbox (reads only: the dry run uses it too). */
export async function planDay(db: Db, snapshot: NotificationSnapshot, today: string, options: { emailEnabled: boolean }): Promise<DayPlan> {
  const settings = await readNotificationSettings(db);
  const channels = await readDepartmentChannels(db);
  const digests = options.emailEnabled ? await planEmails(db, snapshot, today, settings) : [];
  const byDepartment = new Map(channels.map((channel) => [String(channel.departmentId), channel]));
  const posts: PlannedPost[] = [];
  for (const post of channelPosts(channelInput(snapshot), today, settings.digestWeekday)) {
    if (settings.disabledKinds.includes(post.data.kind)) continue;
    const departmentId = post.target.kind === 'department' ? post.target.departmentId : null;
    const urls =
      departmentId === null
        ? { teams: settings.programmeTeamsUrl, slack: settings.programmeSlackUrl }
        : { teams: byDepartment.get(departmentId)?.teamsUrl ?? null, slack: byDepartment.get(departmentId)?.slackUrl ?? null };
    for (const channel of ['teams', 'slack'] as const) {
      if (urls[channel] === null) continue;
      posts.push({ key: `${post.key}:${channel}`, channel, departmentId: departmentId === null ? null : Number(departmentId), post });
    }
  }
  return { day: today, digests, posts: await withoutQueuedPosts(db, posts) };
}

async function planEmails(db: Db, snapshot: NotificationSnapshot, today: string, settings: NotificationSettings): Promise<Digest[]> {
  return db.read(async (q) => {
    const mailed = new Set(
      (
        await q
          .select({ key: notificationOutbox.key })
          .from(notificationOutbox)
          .where(and(eq(notificationOutbox.day, today), eq(notificationOutbox.channel, 'email')))
      ).map((row) => row.key),
    );
    const queued = q
      .select({ one: sql<number>`1` })
      .from(notificationEvents)
      .where(eq(notificationEvents.key, sql.placeholder('key')))
      .prepare();
    const options = { weeklyDigestWeekday: settings.digestWeekday, disabledKinds: settings.disabledKinds };
    // One indexed lookup per event: the events table grows every day, so it is never read whole.
    // Looked up before planning, in order, since the planner asks synchronously.
    const held = new Set<string>();
    for (const event of collectEvents(snapshot, today, options)) if (first(await queued.execute({ key: event.key })) !== null) held.add(event.key);
    return planDigests(snapshot, today, {
      ...options,
      alreadyQueued: (key) => held.has(key),
      mailedToday: (userId) => mailed.has(idempotencyKey(userId, 'digest', 'email', today)),
    });
  });
}

async function withoutQueuedPosts(db: Db, posts: PlannedPost[]): Promise<PlannedPost[]> {
  if (posts.length === 0) return posts;
  return db.read(async (q) => {
    const found = q
      .select({ one: sql<number>`1` })
      .from(notificationOutbox)
      .where(eq(notificationOutbox.key, sql.placeholder('key')))
      .prepare();
    const left: PlannedPost[] = [];
    for (const post of posts) if (first(await found.execute({ key: post.key })) === null) left.push(post);
    return left;
  });
}

type Outcome = 'queued' | 'already' | 'invalid';
type OutboxRow = typeof notificationOutbox.$inferInsert;
type Built = { row: OutboxRow; events: { key: string; kind: string }[] };

/** The outbox insert, prepared once per write (a 20,000-message day spent most of its time building it). */
function outboxInsert(tx: Tx) {
  const p = <K extends string>(name: K) => sql.placeholder(name);
  return tx
    .insert(notificationOutbox)
    .values({
      key: p('key'),
      channel: p('channel'),
      userId: p('userId'),
      departmentId: p('departmentId'),
      day: p('day'),
      kinds: p('kinds'),
      messageId: p('messageId'),
      payload: p('payload'),
      nextAttemptAt: p('nextAttemptAt'),
      createdAt: p('createdAt'),
      updatedAt: p('updatedAt'),
    })
    .returning({ id: notificationOutbox.id })
    .prepare();
}

/** The two inserts of a planned message. */
function statements(tx: Tx) {
  const p = <K extends string>(name: K) => sql.placeholder(name);
  const event = tx
    .insert(notificationEvents)
    .values({ key: p('key'), outboxId: p('outboxId'), kind: p('kind'), createdAt: p('createdAt') })
    .prepare();
  return { outbox: outboxInsert(tx), event };
}

/** A message outside the day's plan (an admin's test send), queued as the planned ones are and due at once. */
export async function insertOutboxRow(
  tx: Tx,
  row: Omit<OutboxRow, 'id' | 'state' | 'attempts' | 'lastError' | 'sentAt' | 'nextAttemptAt' | 'createdAt' | 'updatedAt'>,
  at: Date,
): Promise<number> {
  const { id } = first(await outboxInsert(tx).execute({ userId: null, departmentId: null, messageId: null, ...row, nextAttemptAt: at, createdAt: at, updatedAt: at })) as {
    id: number;
  };
  return id;
}

/** One message and its events, in a savepoint of the caller's transaction. */
async function insertMessage(tx: Tx, prepared: ReturnType<typeof statements>, build: (tx: Tx) => Built | Promise<Built>): Promise<Outcome> {
  try {
    await savepoint(tx, async (sp) => {
      const { row, events } = await build(sp);
      const { id } = first(await prepared.outbox.execute({ userId: null, departmentId: null, messageId: null, ...row })) as { id: number };
      for (const event of events) await prepared.event.execute({ key: event.key, outboxId: id, kind: event.kind, createdAt: row.createdAt });
    });
    return 'queued';
  } catch (error) {
    if (isUniqueViolation(error)) return 'already';
    if (error instanceof RangeError) {
      logger.error({ err: error }, 'notification not queued: it cannot be rendered');
      return 'invalid';
    }
    throw error;
  }
}

async function digestRow(tx: Tx, digest: Digest, siteUrl: string): Promise<Built> {
  const userId = Number(digest.recipient.userId);
  const token = digest.optionalKinds.length > 0 ? await issueToken(tx, 'unsubscribe', userId) : null;
  const email = renderDigestEmail(digest, { siteUrl, unsubscribe: token === null ? null : { token, mailto: null } });
  const at = clockNow();
  const kinds = digest.sections.map((section) => section.kind);
  const events = digest.sections.flatMap((section) => section.events.map((event) => ({ key: event.key, kind: section.kind })));
  const payload = { to: email.to, subject: email.subject, text: email.text, html: email.html, headers: email.headers };
  const row = { key: digest.key, channel: 'email' as const, userId, day: digest.day, kinds, messageId: email.messageId, payload, nextAttemptAt: at, createdAt: at, updatedAt: at };
  return { row, events };
}

function postRow(planned: PlannedPost, day: string, siteUrl: string): Built {
  const render = planned.channel === 'teams' ? teamsPayload : slackPayload;
  const body = render(planned.post, { siteUrl, locale: 'ja' });
  const at = clockNow();
  const kind = planned.post.data.kind;
  const row = {
    key: planned.key,
    channel: planned.channel,
    departmentId: planned.departmentId,
    day,
    kinds: [kind],
    messageId: null,
    payload: { body },
    nextAttemptAt: at,
    createdAt: at,
    updatedAt: at,
  };
  return { row, events: [{ key: planned.key, kind }] };
}

/** Queues today's messages; returns what was queued. Safe to run any number of times, concurrently too. */
export async function queueDay(db: Db, snapshot: NotificationSnapshot, today: string, options: QueueOptions): Promise<QueueReport> {
  const plan = await planDay(db, snapshot, today, { emailEnabled: options.emailEnabled });
  return queuePlan(db, plan, options);
}

/** Inserts a plan's messages, a chunk per write, yielding between writes. */
export async function queuePlan(db: Db, plan: DayPlan, options: QueueOptions): Promise<QueueReport> {
  const report: QueueReport = { day: plan.day, emailEnabled: options.emailEnabled, emailsQueued: 0, postsQueued: 0, alreadyQueued: 0, invalid: 0 };
  const size = options.chunkSize ?? 50;
  const count = (outcome: Outcome, queued: 'emailsQueued' | 'postsQueued'): void => {
    if (outcome === 'queued') report[queued] += 1;
    else if (outcome === 'already') report.alreadyQueued += 1;
    else report.invalid += 1;
  };
  for (let i = 0; i < plan.digests.length; i += size) {
    const chunk = plan.digests.slice(i, i + size);
    const outcomes = await db.write(async (tx) => {
      const prepared = statements(tx);
      const done: Outcome[] = [];
      for (const digest of chunk) done.push(await insertMessage(tx, prepared, (sp) => digestRow(sp, digest, options.siteUrl)));
      return done;
    });
    for (const outcome of outcomes) count(outcome, 'emailsQueued');
    await nextTurn();
  }
  if (plan.posts.length > 0) {
    const outcomes = await db.write(async (tx) => {
      const prepared = statements(tx);
      const done: Outcome[] = [];
      for (const post of plan.posts) done.push(await insertMessage(tx, prepared, () => postRow(post, plan.day, options.siteUrl)));
      return done;
    });
    for (const outcome of outcomes) count(outcome, 'postsQueued');
  }
  return report;
}

/** The Message-ID a digest of `userId` on `day` has (for tests and the dry run). */
export function digestMessageId(userId: string, day: string, siteUrl: string): string {
  return messageIdFor(idempotencyKey(userId, 'digest', 'email', day), siteUrl);
}
