/**
 * Notifications (issue 15): the durable outbox, the events each message carries, the users'
 * opt-outs, the secret tokens (unsubscribe links, calendar feeds; only their SHA-256 hash is
 * stored) and the departments' channels. The programme-wide switches (send hour, digest weekday,
 * kinds switched off, the programme team's webhooks) live in `settings` under `notifications`.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.ts';
import { departments, users } from './users.ts';

export const OUTBOX_CHANNELS = ['email', 'teams', 'slack'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

/** queued → sending → sent; a failed try goes back to queued with a later `nextAttemptAt`, the last one to failed. */
export const OUTBOX_STATES = ['queued', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * One message, written before it is sent: a person's e-mail of the day (at most one per person
 * per day) or a post to a channel. The rendered message is stored, so a retry or a resend is
 * byte for byte the same message with the same Message-ID.
 */
export const notificationOutbox = sqliteTable(
  'notification_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The digest's or the post's idempotency key (`user:digest:email:day`, the channel post's key). */
    key: text('key').notNull().unique(),
    channel: text('channel', { enum: OUTBOX_CHANNELS }).notNull(),
    /** The person an e-mail goes to; null for a channel post. Erasure deletes the person's rows. */
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** The department whose channel a post goes to; null for the programme team's channel and for e-mails. */
    departmentId: integer('department_id').references(() => departments.id, { onDelete: 'cascade' }),
    /** The local day (APP_TIMEZONE, `YYYY-MM-DD`) the message belongs to. */
    day: text('day').notNull(),
    /** The notification kinds in it, as a JSON array (the audit log and the admin page show them). */
    kinds: text('kinds', { mode: 'json' }).$type<string[]>().notNull(),
    /** E-mails only: the stable Message-ID (`<hash@domain>`). */
    messageId: text('message_id').unique(),
    /**
     * The rendered message as JSON: an e-mail's to, subject, text, html and headers, or a
     * webhook's JSON body. Never a webhook URL (those are secrets, read from the settings when sending).
     */
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    state: text('state', { enum: OUTBOX_STATES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** When the sender may try (again); a retry's backoff moves it on. */
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    /** The last failure, retried or final (never a credential). */
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('notification_outbox_due_idx').on(t.state, t.nextAttemptAt),
    index('notification_outbox_user_day_idx').on(t.userId, t.day),
    check('notification_outbox_state_check', sql`${t.state} in ('queued', 'sending', 'sent', 'failed')`),
    check('notification_outbox_channel_check', sql`${t.channel} in ('email', 'teams', 'slack')`),
  ],
);

/** Each event a message carries (recipient, kind, subject, period), once: a unique key is "already queued". */
export const notificationEvents = sqliteTable(
  'notification_events',
  {
    key: text('key').primaryKey(),
    outboxId: integer('outbox_id')
      .notNull()
      .references(() => notificationOutbox.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('notification_events_outbox_idx').on(t.outboxId)],
);

/** The optional kinds a user switched off (from /account or a one-click unsubscribe). */
export const notificationOptOuts = sqliteTable(
  'notification_opt_outs',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

export const NOTIFICATION_TOKEN_PURPOSES = ['unsubscribe', 'calendar'] as const;
export type NotificationTokenPurpose = (typeof NOTIFICATION_TOKEN_PURPOSES)[number];

/**
 * Secret URLs, stored as the SHA-256 hex of the token: an unsubscribe link (one per e-mail with
 * optional kinds) and a user's calendar feed (at most one live; revoking deletes it).
 */
export const notificationTokens = sqliteTable(
  'notification_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose', { enum: NOTIFICATION_TOKEN_PURPOSES }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    /** Last use (a feed's fetch, an unsubscribe): shown on /account, never needed to answer. */
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('notification_tokens_user_idx').on(t.userId, t.purpose), check('notification_tokens_purpose_check', sql`${t.purpose} in ('unsubscribe', 'calendar')`)],
);

/** A department's channel (its champions' Teams and Slack incoming webhooks). The URLs are secrets: the pages show only their host. */
export const departmentChannels = sqliteTable('department_channels', {
  departmentId: integer('department_id')
    .primaryKey()
    .references(() => departments.id, { onDelete: 'cascade' }),
  teamsUrl: text('teams_url'),
  slackUrl: text('slack_url'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
