/** What the whole app shares: programme settings, the append-only audit log, post/redirect/get results. */
import { index, integer, json, pgTable, text } from 'drizzle-orm/pg-core';
import { bytea, timestampMs } from './columns.ts';

/** Programme settings as JSON values (e.g. the baseline period). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: json('value').notNull(),
  updatedAt: timestampMs('updated_at').notNull(),
});

/**
 * Who did what, when and from where: sign-ins, failed sign-ins, denials, admin changes,
 * exports. Append-only: triggers abort UPDATE and DELETE. Never a password or token.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    at: timestampMs('at').notNull(),
    /** No foreign key: the log outlives what it talks about. */
    actorUserId: integer('actor_user_id'),
    /** The actor's email at the time, or what they tried (a failed sign-in). */
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: json('details').$type<Record<string, unknown>>(),
    ip: text('ip'),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_action_idx').on(t.action, t.at)],
);

/**
 * The answer to a form post, kept for the one redirect after it (post/redirect/get): the
 * browser holds `id.key` in an HttpOnly cookie; the row holds the result sealed with AES-256-GCM
 * under that key, so the server alone cannot read it. Read once (deleted as it is read),
 * expires within minutes, never holds a password (src/platform/http/form-results.server.ts).
 */
export const formResults = pgTable(
  'form_results',
  {
    id: text('id').primaryKey(),
    /** 12-byte IV, ciphertext, 16-byte GCM tag. */
    sealed: bytea('sealed').notNull(),
    expiresAt: timestampMs('expires_at').notNull(),
  },
  (t) => [index('form_results_expires_idx').on(t.expiresAt)],
);
