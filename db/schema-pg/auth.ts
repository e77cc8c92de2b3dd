/** Signing in: sessions, one-time sign-in links (only hashes of their secrets are stored) and sign-in throttling. */
import { bigint, index, integer, pgTable, text, varchar } from 'drizzle-orm/pg-core';
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

/**
 * Sign-in throttling counters (db/schema/auth.ts): exactly the table RateLimiterPostgres would
 * create (`key varchar(255) primary key, points integer not null default 0, expire bigint`, in
 * this order: it inserts positionally), plus the index housekeeping prunes by.
 */
export const signInLimits = pgTable(
  'sign_in_limits',
  {
    key: varchar('key', { length: 255 }).primaryKey(),
    points: integer('points').notNull().default(0),
    expire: bigint('expire', { mode: 'number' }),
  },
  (t) => [index('sign_in_limits_expire_idx').on(t.expire)],
);

/** Account and address pairs that gave the right password (db/schema/auth.ts): SHA-256 keys only. */
export const signInKnownAddresses = pgTable(
  'sign_in_known_addresses',
  {
    keyHash: text('key_hash').primaryKey(),
    expiresAt: timestampMs('expires_at').notNull(),
  },
  (t) => [index('sign_in_known_addresses_expires_idx').on(t.expiresAt)],
);
