/**
 * SCIM provisioning (issue 19), the PostgreSQL mirror of db/schema/scim.ts: the bearer tokens
 * (only their SHA-256 hash stored) and the groups the identity provider pushes with their members.
 */
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, nowMs, timestampMs } from './columns.ts';
import { users } from './users.ts';

export const scimTokens = pgTable('scim_tokens', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  /** Public half of the token (`<publicId>.<secret>`): finds the row without comparing secrets. */
  publicId: text('public_id').notNull().unique(),
  /** SHA-256 of the secret half. */
  secretHash: text('secret_hash').notNull(),
  label: text('label').notNull(),
  createdAt: createdAt(),
  lastUsedAt: timestampMs('last_used_at'),
  revokedAt: timestampMs('revoked_at'),
});

export const scimGroups = pgTable(
  'scim_groups',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** SCIM's `id`: opaque and random. */
    publicId: text('public_id').notNull().unique(),
    displayName: text('display_name').notNull(),
    externalId: text('external_id'),
    createdAt: createdAt(),
    updatedAt: timestampMs('updated_at').notNull().default(nowMs),
  },
  (t) => [uniqueIndex('scim_groups_name_unique').on(sql`lower(${t.displayName})`)],
);

export const scimGroupMembers = pgTable(
  'scim_group_members',
  {
    groupId: integer('group_id')
      .notNull()
      .references(() => scimGroups.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('scim_group_members_user_idx').on(t.userId)],
);
