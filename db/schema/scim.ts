/**
 * SCIM provisioning (issue 19): the bearer tokens the identity provider presents (only their
 * SHA-256 hash is stored, the token is shown once) and the groups it pushes with their members.
 * A group's configured name gives its members a role (src/features/scim/roles.ts).
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.ts';
import { users } from './users.ts';

export const scimTokens = sqliteTable('scim_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Public half of the token (`<publicId>.<secret>`): finds the row without comparing secrets. */
  publicId: text('public_id').notNull().unique(),
  /** SHA-256 of the secret half. */
  secretHash: text('secret_hash').notNull(),
  label: text('label').notNull(),
  createdAt: createdAt(),
  lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
});

export const scimGroups = sqliteTable(
  'scim_groups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** SCIM's `id`: opaque and random. */
    publicId: text('public_id').notNull().unique(),
    displayName: text('display_name').notNull(),
    externalId: text('external_id'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [uniqueIndex('scim_groups_name_unique').on(sql`lower(${t.displayName})`)],
);

export const scimGroupMembers = sqliteTable(
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

export type ScimToken = typeof scimTokens.$inferSelect;
