/** Signing in: sessions and one-time sign-in links (only hashes of their secrets are stored). */
import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { bytea, createdAt, timestampMs } from './columns.ts';
import { users } from './users.ts';

export const sessions = pgTable(
  'sessions',
  {
    /** Public half of the `id.secret` token. */
    id: text('id').primaryKey(),
    /** SHA-256 of the secret half; the secret itself is never stored. */
    secretHash: bytea('secret_hash').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    /** Refreshed at most once a minute; drives the inactivity timeout. */
    lastActiveAt: timestampMs('last_active_at').notNull(),
    /** How the user signed in: `oidc` sessions also sign out at the provider. */
    authMethod: text('auth_method', { enum: ['password', 'link', 'oidc'] })
      .notNull()
      .default('password'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** One-time sign-in links (first sign-in, password reset): only a hash is stored; single use; short-lived. */
export const loginTokens = pgTable('login_tokens', {
  id: text('id').primaryKey(),
  secretHash: bytea('secret_hash').notNull(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  purpose: text('purpose', { enum: ['first_login', 'reset'] }).notNull(),
  createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  expiresAt: timestampMs('expires_at').notNull(),
  usedAt: timestampMs('used_at'),
});
