/** What the whole app shares: programme settings, the append-only audit log, post/redirect/get results. */
import type { InferSelectModel } from 'drizzle-orm';
import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Programme settings as JSON values (e.g. the baseline period). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * Who did what, when and from where: sign-ins, failed sign-ins, denials, admin changes,
 * exports. Append-only: triggers abort UPDATE and DELETE. Never a password or token.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** No foreign key: the log outlives what it talks about. */
    actorUserId: integer('actor_user_id'),
    /** The actor's email at the time, or what they tried (a failed sign-in). */
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
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
export const formResults = sqliteTable(
  'form_results',
  {
    id: text('id').primaryKey(),
    /** 12-byte IV, ciphertext, 16-byte GCM tag. */
    sealed: blob('sealed', { mode: 'buffer' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('form_results_expires_idx').on(t.expiresAt)],
);

export type AuditEntry = InferSelectModel<typeof auditLog>;
