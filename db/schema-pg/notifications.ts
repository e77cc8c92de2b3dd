/**
 * Notifications (issue 15): the durable outbox, the events each message carries, the users'
 * opt-outs, the secret tokens (unsubscribe links, calendar feeds; only their SHA-256 hash is
 * stored) and the departments' channels. The programme-wide switches (send hour, digest weekday,
 * kinds switched off, the programme team's webhooks) live in `settings` under `notifications`.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, json, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { NOTIFICATION_TOKEN_PURPOSES, OUTBOX_CHANNELS, OUTBOX_STATES } from '../schema/notifications.ts';
import { createdAt, timestampMs } from './columns.ts';
import { departments, users } from './users.ts';

/**
 * One message, written before it is sent: a person's e-mail of the day (at most one per person
 * per day) or a post to a channel. The rendered message is stored, so a retry or a resend is
 * byte for byte the same message with the same Message-ID.
 */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
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
    kinds: json('kinds').$type<string[]>().notNull(),
    /** E-mails only: the stable Message-ID (`<hash@domain>`). */
    messageId: text('message_id').unique(),
    /**
     * The rendered message as JSON: an e-mail's to, subject, text, html and headers, or a
     * webhook's JSON body. Never a webhook URL (those are secrets, read from the settings when sending).
     */
    payload: json('payload').$type<Record<string, unknown>>().notNull(),
    state: text('state', { enum: OUTBOX_STATES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** When the sender may try (again); a retry's backoff moves it on. */
    nextAttemptAt: timestampMs('next_attempt_at').notNull(),
    /** The last failure, retried or final (never a credential). */
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: timestampMs('updated_at').notNull(),
    sentAt: timestampMs('sent_at'),
  },
  (t) => [
    index('notification_outbox_due_idx').on(t.state, t.nextAttemptAt),
    index('notification_outbox_user_day_idx').on(t.userId, t.day),
    check('notification_outbox_state_check', sql`${t.state} in ('queued', 'sending', 'sent', 'failed')`),
    check('notification_outbox_channel_check', sql`${t.channel} in ('email', 'teams', 'slack')`),
  ],
);

/** Each event a message carries (recipient, kind, subject, period), once: a unique key is "already queued". */
export const notificationEvents = pgTable(
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
export const notificationOptOuts = pgTable(
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

/**
 * Secret URLs, stored as the SHA-256 hex of the token: an unsubscribe link (one per e-mail with
 * optional kinds) and a user's calendar feed (at most one live; revoking deletes it).
 */
export const notificationTokens = pgTable(
  'notification_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose', { enum: NOTIFICATION_TOKEN_PURPOSES }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    /** Last use (a feed's fetch, an unsubscribe): shown on /account, never needed to answer. */
    usedAt: timestampMs('used_at'),
  },
  (t) => [index('notification_tokens_user_idx').on(t.userId, t.purpose), check('notification_tokens_purpose_check', sql`${t.purpose} in ('unsubscribe', 'calendar')`)],
);

/** A department's channel (its champions' Teams and Slack incoming webhooks). The URLs are secrets: the pages show only their host. */
export const departmentChannels = pgTable('department_channels', {
  departmentId: integer('department_id')
    .primaryKey()
    .references(() => departments.id, { onDelete: 'cascade' }),
  teamsUrl: text('teams_url'),
  slackUrl: text('slack_url'),
  updatedAt: timestampMs('updated_at').notNull(),
});
