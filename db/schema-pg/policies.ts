/** Policy acknowledgements: who confirmed which version of which policy, when, and in which language. */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { LOCALES } from '../../src/platform/i18n/locales.ts';
import { timestampMs } from './columns.ts';
import { users } from './users.ts';

/**
 * One row per user, policy and version: history is kept (a new version is a new row, the old
 * ones stay), and a double submit of the same version is stored once.
 */
export const policyAcknowledgements = pgTable(
  'policy_acknowledgements',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    /** The policy's folder name in `content/policies/`. */
    policyId: text('policy_id').notNull(),
    /** The policy's `version` the user confirmed. */
    version: integer('version').notNull(),
    /** The language the policy was read in. */
    locale: text('locale', { enum: LOCALES }).notNull(),
    acknowledgedAt: timestampMs('acknowledged_at').notNull(),
  },
  (t) => [
    // Also the banner's lookup on every page: all of one user's rows from the index alone.
    uniqueIndex('policy_acknowledgements_user_policy_version_unique').on(t.userId, t.policyId, t.version),
    index('policy_acknowledgements_policy_version_idx').on(t.policyId, t.version),
    check('policy_acknowledgements_version_check', sql`${t.version} >= 1`),
    check('policy_acknowledgements_locale_check', sql`${t.locale} in ('ja', 'en')`),
  ],
);
