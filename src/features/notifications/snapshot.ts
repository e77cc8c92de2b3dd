/**
 * From database rows to the notification snapshot (model.ts): pure conversions the loader
 * (snapshot.server.ts) applies to its bulk reads. Instants become local days in APP_TIMEZONE
 * here and nowhere else; the rules are the programme's own (an assignment is complete with the
 * tier's first certificate, only the newest certificate of a tier counts, the renewal window is
 * tierCycle's, a policy applies by its audience, "expiring" is the KPI's 30 days).
 */
import { pick, type Catalog } from '../curriculum/catalog.ts';
import { EXPIRING_WITHIN_DAYS } from '../kpi/certification.ts';
import type { KpiSet } from '../kpi/kpi.ts';
import { appliesTo, policyText, type Policy, type PolicyCatalog, type PolicyReader } from '../policies/policies.ts';
import { newestCertificates, tierCycle, type CertificateEntry } from '../progress/cycles.ts';
import { dayKey } from '../../platform/dates.ts';
import type { AssignmentSnapshot, CertificateSnapshot, DepartmentWeek, KpiSummary, LearnerSnapshot, LocalizedText, PolicySnapshot, RenewalSnapshot, TierRef } from './model.ts';
import { DEFAULT_DIGEST_WEEKDAY } from './team-triggers.ts';
import { addDays, weeklyDigestDay } from './working-days.ts';

/** One enrolment of a user in an assignment, with its due moment already worked out (dueAtFor). */
export interface EnrolmentRow {
  assignmentId: number;
  tierId: string;
  enrolledAt: Date;
  dueAt: Date | null;
}

export interface CertificateRow extends CertificateEntry {
  id: number;
}

const QUARTER_HOUR = 900_000;

/**
 * `dayKey` memoised per quarter hour: every zone's offset is a whole number of quarter hours, so
 * a local midnight never falls inside one and the whole quarter has one day. A 20,000-user
 * snapshot converts some 100,000 instants; most share a few thousand quarters.
 */
export function localDays(timeZone: string): (instant: Date) => string {
  const days = new Map<number, string>();
  return (instant) => {
    const quarter = Math.floor(instant.getTime() / QUARTER_HOUR);
    let day = days.get(quarter);
    if (day === undefined) days.set(quarter, (day = dayKey(new Date(quarter * QUARTER_HOUR), timeZone)));
    return day;
  };
}

/** A certificate's `validUntil` is the (exclusive) end instant; the snapshot wants its last valid day. */
export function lastValidDay(validUntil: Date, day: (instant: Date) => string): string {
  return day(new Date(validUntil.getTime() - 1));
}

const both = (text: Partial<Record<'ja' | 'en', string>>, fallback: string): LocalizedText => {
  if (text.ja === undefined && text.en === undefined) return { ja: fallback, en: fallback };
  return { ja: pick(text, 'ja').value, en: pick(text, 'en').value };
};

/** Tier references, one object per tier (shared by every learner); a tier the catalog lost keeps its id as title. */
export function tierRefs(catalog: Catalog): (tierId: string) => TierRef {
  const refs = new Map<string, TierRef>();
  return (tierId) => {
    let ref = refs.get(tierId);
    if (!ref) refs.set(tierId, (ref = { id: tierId, title: both(catalog.tier(tierId)?.title ?? {}, tierId) }));
    return ref;
  };
}

/**
 * A user's assignments, one per tier: several assignments of one tier are one duty, the earliest
 * due date wins (as on the learner's pages); assigned on the day the user joined that assignment.
 * Complete once the user holds any certificate of the tier (the due date was for the first cycle).
 */
export function assignmentSnapshots(
  rows: readonly EnrolmentRow[],
  certifiedTiers: ReadonlySet<string>,
  tier: (id: string) => TierRef,
  day: (instant: Date) => string,
): AssignmentSnapshot[] {
  const chosen = new Map<string, EnrolmentRow>();
  for (const row of rows) {
    const seen = chosen.get(row.tierId);
    const earlier = seen === undefined || (row.dueAt !== null && (seen.dueAt === null || row.dueAt < seen.dueAt));
    const tie = seen !== undefined && (row.dueAt?.getTime() ?? null) === (seen.dueAt?.getTime() ?? null) && row.assignmentId < seen.assignmentId;
    if (earlier || tie) chosen.set(row.tierId, row);
  }
  return [...chosen.values()]
    .sort((a, b) => a.tierId.localeCompare(b.tierId))
    .map((row) => ({
      id: String(row.assignmentId),
      tier: tier(row.tierId),
      assignedOn: day(row.enrolledAt),
      dueOn: row.dueAt === null ? null : day(row.dueAt),
      completed: certifiedTiers.has(row.tierId),
    }));
}

/** The newest certificate of each tier (highest cycle) that expires; one that never does has no day to tell. */
export function certificateSnapshots(rows: readonly CertificateRow[], tier: (id: string) => TierRef, day: (instant: Date) => string): CertificateSnapshot[] {
  return [...newestCertificates(rows).values()]
    .filter((c): c is CertificateRow & { validUntil: Date } => c.validUntil !== null)
    .sort((a, b) => a.tierId.localeCompare(b.tierId))
    .map((c) => ({ id: String(c.id), tier: tier(c.tierId), validUntil: lastValidDay(c.validUntil, day) }));
}

/**
 * The renewals open at `now`: tierCycle says the newest certificate's window is open (or it has
 * expired without a renewal). A finished renewal makes a newer certificate, and the tier is
 * `certified` again, so every renewal listed here is still to do.
 */
export function renewalSnapshots(catalog: Catalog, rows: readonly CertificateRow[], now: Date, tier: (id: string) => TierRef, day: (instant: Date) => string): RenewalSnapshot[] {
  const renewals: RenewalSnapshot[] = [];
  for (const newest of newestCertificates(rows).values()) {
    const node = catalog.tier(newest.tierId);
    if (!node) continue;
    const cycle = tierCycle(node, newest, now);
    // `renewBy` is set exactly while the window is open or the certificate expired unrenewed.
    if (cycle.renewalOpensAt === null || cycle.renewBy === null) continue;
    renewals.push({ tier: tier(newest.tierId), cycle: cycle.number, openedOn: day(cycle.renewalOpensAt), renewBy: lastValidDay(cycle.renewBy, day), completed: false });
  }
  return renewals.sort((a, b) => a.tier.id.localeCompare(b.tier.id));
}

/** One title object per policy, shared by every learner's snapshot (20,000 learners, a few policies). */
const policyTitles = new WeakMap<Policy, LocalizedText>();

function policyTitle(policy: Policy): LocalizedText {
  let title = policyTitles.get(policy);
  if (!title) policyTitles.set(policy, (title = { ja: policyText(policy, 'ja').title, en: policyText(policy, 'en').title }));
  return title;
}

/** Every policy, with whether it asks this reader and the newest version they acknowledged. */
export function policySnapshots(policies: PolicyCatalog, reader: PolicyReader, acknowledged: ReadonlyMap<string, number> | undefined): PolicySnapshot[] {
  return policies.policies.map((policy) => ({
    id: policy.id,
    title: policyTitle(policy),
    version: policy.version,
    effectiveOn: policy.effective,
    required: policy.required,
    applies: appliesTo(policy.audience, reader),
    acknowledgedVersion: acknowledged?.get(policy.id) ?? null,
  }));
}

/** A department member as the weekly digest sees them: their snapshot and their name. */
export interface Member {
  learner: Pick<LearnerSnapshot, 'assignments' | 'certificates' | 'policies'>;
  name: string;
}

/**
 * What the weekly digest due on `today` covers: the days from the previous digest day to the
 * day before this one (`from`..`until`), judged on this week's digest day (`on`). Anchored to the
 * digest days, not to today, so a digest caught up later in its week says what it would have
 * said on its day, and two digests never cover the same day. A week without a digest day
 * (holidays) leaves its days to the next digest. Before this week's digest day (a later
 * weekday), the week just gone is the one shown.
 */
export function digestWeek(today: string, weekday: number = DEFAULT_DIGEST_WEEKDAY): { from: string; until: string; on: string } {
  const digestOn = (day: string): string | null => weeklyDigestDay(day, weekday);
  let on = digestOn(today);
  for (let back = 7; (on === null || on > today) && back <= 28; back += 7) on = digestOn(addDays(today, -back));
  const anchor = on ?? today;
  let previous: string | null = null;
  for (let back = 7; previous === null && back <= 28; back += 7) previous = digestOn(addDays(anchor, -back));
  return { from: previous ?? addDays(anchor, -7), until: addDays(anchor, -1), on: anchor };
}

const sortedNames = (names: Iterable<string>): string[] => [...new Set(names)].sort((a, b) => a.localeCompare(b, 'ja'));

/**
 * A department's week for its champions, from its members' snapshots (`week` from digestWeek):
 * - newly overdue: an open assignment whose due day was in the week (overdue since the day after);
 * - expiring: the newest certificate of an assigned tier valid on the digest day and ending
 *   within 30 days of it (the KPI's "expiring within 30 days");
 * - expired: such a certificate whose last valid day was in the week, not renewed;
 * - policy missing: a required policy version in effect on the digest day that applies and is
 *   not acknowledged;
 * - new comments: named lesson comments of members written in the week (the loader counts them;
 *   comments sent without a name keep only their month and cannot be dated to a week).
 */
export function departmentWeek(
  department: DepartmentWeek['department'],
  members: readonly Member[],
  week: { from: string; until: string; on: string },
  newComments: number,
): DepartmentWeek {
  const inWeek = (day: string): boolean => week.from <= day && day <= week.until;
  const today = week.on;
  const expiringUntil = addDays(today, EXPIRING_WITHIN_DAYS - 1);
  const newOverdue: string[] = [];
  const expiringSoon: string[] = [];
  const expired: string[] = [];
  const policyMissing: string[] = [];
  for (const { learner, name } of members) {
    if (learner.assignments.some((a) => !a.completed && a.dueOn !== null && inWeek(a.dueOn))) newOverdue.push(name);
    const assigned = new Set(learner.assignments.map((a) => a.tier.id));
    const held = learner.certificates.filter((c) => assigned.has(c.tier.id));
    if (held.some((c) => today <= c.validUntil && c.validUntil <= expiringUntil)) expiringSoon.push(name);
    if (held.some((c) => inWeek(c.validUntil))) expired.push(name);
    const missing = (p: LearnerSnapshot['policies'][number]): boolean =>
      p.required && p.applies && p.effectiveOn <= today && (p.acknowledgedVersion === null || p.acknowledgedVersion < p.version);
    if (learner.policies.some(missing)) policyMissing.push(name);
  }
  return {
    department,
    newOverdue: sortedNames(newOverdue),
    expiringSoon: sortedNames(expiringSoon),
    expired: sortedNames(expired),
    policyMissing: sortedNames(policyMissing),
    newComments,
  };
}

/** The tier whose completion and certification the monthly summary reports: the one for all staff. */
export const SUMMARY_TIER = 'basic';

/** The month's summary from the dashboard's KPIs of the company over that month (each against the baseline). */
export function kpiSummary(kpis: KpiSet, month: string, tierId: string = SUMMARY_TIER): KpiSummary {
  const figure = (value: { value: number | null; baseline: number | null } | undefined): KpiSummary['usageRate'] => ({
    value: value?.value ?? null,
    baseline: value?.baseline ?? null,
  });
  return {
    month,
    usageRate: figure(kpis.usageRate),
    completionRate: figure(kpis.completion[tierId]),
    certifiedNow: figure(kpis.certification[tierId]?.certifiedNow),
    hoursSaved: figure(kpis.hoursSaved),
    inquiries: figure(kpis.inquiries),
  };
}
