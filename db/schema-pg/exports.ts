/** xAPI: statements delivered per LRS, and the background push jobs. */
import { index, integer, primaryKey, pgTable, text } from 'drizzle-orm/pg-core';
import { XAPI_JOB_STATES } from '../schema/exports.ts';
import { createdAt, timestampMs } from './columns.ts';
import { users } from './users.ts';

/**
 * xAPI statements delivered, per LRS endpoint: nothing is sent twice to one LRS, nothing is
 * lost, and a new XAPI_ENDPOINT receives everything.
 */
export const xapiDeliveries = pgTable(
  'xapi_deliveries',
  {
    /** The LRS, as configured (without a trailing slash). */
    endpoint: text('endpoint').notNull(),
    statementId: text('statement_id').notNull(),
    /** What the statement records, e.g. `completion:12:prompt-basics`. */
    recordKey: text('record_key').notNull(),
    sentAt: timestampMs('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.endpoint, t.statementId] })],
);

/**
 * Pushes of xAPI statements to the LRS, run in the background by the server. A push that was
 * running when the server stopped is resumed at the next start (`resumedAt`); what was
 * delivered before is in xapi_deliveries, so nothing is sent twice and nothing is lost.
 */
export const xapiPushJobs = pgTable(
  'xapi_push_jobs',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    endpoint: text('endpoint').notNull(),
    state: text('state', { enum: XAPI_JOB_STATES }).notNull(),
    startedBy: integer('started_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    /** Last progress (a batch delivered, a retry): the page shows how fresh the numbers are. */
    updatedAt: timestampMs('updated_at').notNull(),
    finishedAt: timestampMs('finished_at'),
    resumedAt: timestampMs('resumed_at'),
    sent: integer('sent').notNull().default(0),
    alreadyDelivered: integer('already_delivered').notNull().default(0),
    batches: integer('batches').notNull().default(0),
    /** The last failure, retried or final (never a credential). */
    lastError: text('last_error'),
  },
  (t) => [index('xapi_push_jobs_state_idx').on(t.state, t.id)],
);
