/**
 * Acknowledging a policy, and what the pages need of it: the banner's pending policies (on every
 * signed-in page, so one prepared statement, and none at all when no required policy applies),
 * and the policy page.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { policyAcknowledgements } from '../../../db/schema/index.ts';
import type { Db } from '../../platform/db.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { getPolicyCatalog, renderPolicy } from './catalog.server.ts';
import { appliesTo, pendingPolicies, policyNotices, policyText, requiredFor, type Acknowledged, type Policy, type PolicyNotice, type PolicyReader } from './policies.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { changes } from '../../platform/query.ts';

/** Every policy version this user has acknowledged: a handful of rows, read from the unique index alone. */
function ownAcknowledgements(db: Db) {
  return db.prepared('policies.own', (q) =>
    q
      .select({ policyId: policyAcknowledgements.policyId, version: policyAcknowledgements.version })
      .from(policyAcknowledgements)
      .where(eq(policyAcknowledgements.userId, sql.placeholder('userId')))
      .prepare(),
  );
}

/** The banner's contents: required policies that apply to the user and wait for their acknowledgement. */
export async function loadPolicyNotices(db: Db, user: PolicyReader & { id: number }, locale: Locale): Promise<PolicyNotice[]> {
  const catalog = await getPolicyCatalog();
  if (requiredFor(catalog, user).length === 0) return [];
  const lookup = ownAcknowledgements(db);
  const acknowledged: Acknowledged[] = await db.read(async () => await lookup.execute({ userId: user.id }));
  return policyNotices(pendingPolicies(catalog, user, acknowledged), acknowledged, locale);
}

export type AcknowledgeResult =
  | { status: 'not_found' }
  /** The policy does not ask this user (its audience). */
  | { status: 'not_applicable' }
  /** The form was for another version than the current one: nothing stored. */
  | { status: 'outdated'; current: number }
  | { status: 'acknowledged'; policyId: string; version: number; created: boolean };

/**
 * The session user confirms they have read the current version of a policy and will follow it.
 * Stored once per user, policy and version (a double submit changes nothing), with the time and
 * the language it was read in; earlier versions' rows stay as history.
 */
export async function acknowledgePolicy(
  db: Db,
  user: PolicyReader & { id: number },
  input: { policyId: string; version: number; locale: Locale },
  now = clockNow(),
): Promise<AcknowledgeResult> {
  const policy = (await getPolicyCatalog()).policy(input.policyId);
  if (!policy) return { status: 'not_found' };
  if (!appliesTo(policy.audience, user)) return { status: 'not_applicable' };
  if (input.version !== policy.version) return { status: 'outdated', current: policy.version };
  const created = await db.write(
    async (tx) =>
      changes(
        await tx
          .insert(policyAcknowledgements)
          .values({ userId: user.id, policyId: policy.id, version: policy.version, locale: input.locale, acknowledgedAt: now })
          .onConflictDoNothing(),
      ) > 0,
  );
  return { status: 'acknowledged', policyId: policy.id, version: policy.version, created };
}

export interface PolicyPage {
  policy: Policy;
  text: ReturnType<typeof policyText>;
  rendered: NonNullable<Awaited<ReturnType<typeof renderPolicy>>>;
  /** The policy asks this user (its audience); only then is there a form. */
  applies: boolean;
  /** When the user acknowledged the current version; null when not (yet). */
  acknowledgedAt: Date | null;
  /** The user's acknowledgements of this policy, oldest first (earlier versions included). */
  history: { version: number; acknowledgedAt: Date; locale: Locale }[];
}

/** Null: no such policy (404). */
export async function loadPolicyPage(db: Db, user: PolicyReader & { id: number }, policyId: string, locale: Locale): Promise<PolicyPage | null> {
  const policy = (await getPolicyCatalog()).policy(policyId);
  if (!policy) return null;
  const text = policyText(policy, locale);
  const rendered = await renderPolicy(text.entryId);
  if (!rendered) return null;
  const history = await db.read(
    async (q) =>
      await q
        .select({ version: policyAcknowledgements.version, acknowledgedAt: policyAcknowledgements.acknowledgedAt, locale: policyAcknowledgements.locale })
        .from(policyAcknowledgements)
        .where(and(eq(policyAcknowledgements.userId, user.id), eq(policyAcknowledgements.policyId, policy.id)))
        .orderBy(asc(policyAcknowledgements.version)),
  );
  const current = history.find((h) => h.version === policy.version) ?? null;
  return { policy, text, rendered, applies: appliesTo(policy.audience, user), acknowledgedAt: current?.acknowledgedAt ?? null, history };
}
