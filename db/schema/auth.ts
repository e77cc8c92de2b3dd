/** Signing in: sessions, one-time sign-in links (only hashes of their secrets are stored) and sign-in throttling. */
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

/**
 * Sign-in throttling counters, shared by every instance (src/features/auth/rate-limit.server.ts):
 * rate-limiter-flexible's store table, in the shape its RateLimiterSQLite/RateLimiterPostgres
 * read and write (`key`, `points`, `expire` in epoch ms; they insert positionally, so keep the
 * column order). Created by our migrations, not by the library. Keys are `<bucket>:<SHA-256>`:
 * no email or address in clear. Expired rows are pruned by housekeeping (the expire index).
 */
export const signInLimits = sqliteTable(
  'sign_in_limits',
  {
    key: text('key').primaryKey(),
    points: integer('points').notNull().default(0),
    expire: integer('expire'),
  },
  (t) => [index('sign_in_limits_expire_idx').on(t.expire)],
);

/**
 * Account and address pairs that gave the right password (30 days from the last time), so an
 * attacker elsewhere cannot throttle the owner at their usual address: only the SHA-256 of
 * `account\naddress` is stored, never the address.
 */
export const signInKnownAddresses = sqliteTable(
  'sign_in_known_addresses',
  {
    keyHash: text('key_hash').primaryKey(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('sign_in_known_addresses_expires_idx').on(t.expiresAt)],
);

export type Session = InferSelectModel<typeof sessions>;
