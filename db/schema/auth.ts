/** Signing in: sessions and one-time sign-in links (only hashes of their secrets are stored). */
import type { InferSelectModel } from 'drizzle-orm';
import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.ts';
import { users } from './users.ts';

export const sessions = sqliteTable(
  'sessions',
  {
    /** Public half of the `id.secret` token. */
    id: text('id').primaryKey(),
    /** SHA-256 of the secret half; the secret itself is never stored. */
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    /** Refreshed at most once a minute; drives the inactivity timeout. */
    lastActiveAt: integer('last_active_at', { mode: 'timestamp_ms' }).notNull(),
    /** How the user signed in: `oidc` sessions also sign out at the provider. */
    authMethod: text('auth_method', { enum: ['password', 'link', 'oidc'] })
      .notNull()
      .default('password'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** One-time sign-in links (first sign-in, password reset): only a hash is stored; single use; short-lived. */
export const loginTokens = sqliteTable('login_tokens', {
  id: text('id').primaryKey(),
  secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  purpose: text('purpose', { enum: ['first_login', 'reset'] }).notNull(),
  createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  usedAt: integer('used_at', { mode: 'timestamp_ms' }),
});

export type Session = InferSelectModel<typeof sessions>;
