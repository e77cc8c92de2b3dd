/** Who is who: departments and users (roles, locale, the linked OpenID identity). */
import { sql, type InferInsertModel, type InferSelectModel } from 'drizzle-orm';
import { type AnySQLiteColumn, check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { LOCALES } from '../../src/platform/i18n/locales.ts';
import { createdAt } from './columns.ts';

import { ROLES, type Role } from '../../src/features/users/roles.ts';

export { ROLES };
export type { Role };

export const departments = sqliteTable(
  'departments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('departments_name_unique').on(sql`lower(${t.name})`)],
);

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Opaque, random id for exports and xAPI actors; never the email or the row id. */
    publicId: text('public_id').notNull().unique(),
    /** Stored trimmed and lower-cased; unique case-insensitively. */
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    locale: text('locale', { enum: LOCALES }).notNull().default('ja'),
    role: text('role', { enum: ROLES }).notNull().default('learner'),
    departmentId: integer('department_id').references(() => departments.id, {
      onDelete: 'restrict',
    }),
    /** argon2id PHC string; null for users who have not set a password (SSO, invited). */
    passwordHash: text('password_hash'),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** OpenID Connect issuer of the identity linked to this user; null for password-only users. */
    oidcIssuer: text('oidc_issuer'),
    /** The `sub` claim at `oidcIssuer`: the stable identity, unlike the email. */
    oidcSubject: text('oidc_subject'),
    /**
     * When an admin erased this person's personal data (a data-subject request): name and email
     * are then a pseudonym and a non-routable placeholder, the account inactive for good, the
     * records kept under this id (src/features/users/erasure.server.ts). Null for everyone else.
     */
    erasedAt: integer('erased_at', { mode: 'timestamp_ms' }),
    /** SCIM (issue 19): the identity provider's own id for this person (Entra's objectId, Okta's id); null when not provisioned. */
    externalId: text('external_id'),
    /** SCIM's name.givenName / name.familyName, kept as the provider sent them; null when not provided. */
    givenName: text('given_name'),
    familyName: text('family_name'),
    /** The line manager (SCIM's enterprise `manager`); null for none. */
    managerId: integer('manager_id').references((): AnySQLiteColumn => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex('users_email_unique').on(sql`lower(${t.email})`),
    uniqueIndex('users_oidc_identity_unique').on(t.oidcIssuer, t.oidcSubject),
    index('users_department_idx').on(t.departmentId),
    // Partial: most users have no externalId or manager, and after ANALYZE a full index whose
    // one common value is NULL looks unselective, so SQLite scanned users for every lookup.
    index('users_external_id_idx').on(t.externalId).where(sql`${t.externalId} is not null`),
    index('users_manager_idx').on(t.managerId).where(sql`${t.managerId} is not null`),
    // The dashboard's first month of data: min(created_at) without a scan of users.
    index('users_created_idx').on(t.createdAt),
    check('users_role_check', sql`${t.role} in ('learner', 'champion', 'admin')`),
    check('users_locale_check', sql`${t.locale} in ('ja', 'en')`),
  ],
);

export type Department = InferSelectModel<typeof departments>;
export type User = InferSelectModel<typeof users>;
export type NewUser = InferInsertModel<typeof users>;
