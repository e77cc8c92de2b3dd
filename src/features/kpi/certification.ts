/**
 * Certificates that expire: where each person of a tier's audience stands, and the counts the
 * dashboard, the champion view, the exports and the wave targets share (CYCLES.md, BRIEF.md):
 * - certified now: the person's newest certificate of the tier is valid at the moment;
 * - expiring within 30 days: certified now, and that certificate ends within 30 days;
 * - expired: has a certificate of the tier, none valid now;
 * - ever completed: has any certificate of the tier (= certified now + expired).
 * The newest certificate decides: an expired cycle-1 certificate beside a valid cycle-2 one is
 * "certified now". Thirty days are counted as 30 × 24 hours, in SQL and here alike.
 */
import { certificateValid, type CertificateEntry, type TierCycle } from '../progress/cycles.ts';
import { formatDate } from '../../platform/dates.ts';
import type { Translator } from '../../platform/i18n/index.ts';
import type { Locale } from '../../platform/i18n/locales.ts';

export const EXPIRING_WITHIN_DAYS = 30;
export const EXPIRING_WITHIN_MS = EXPIRING_WITHIN_DAYS * 86_400_000;

/** The four states of one person and tier (every person is in exactly one). */
export type CertificationStatus = 'certified' | 'expiring' | 'expired' | 'never';
export const CERTIFICATION_STATUSES: readonly CertificationStatus[] = ['certified', 'expiring', 'expired', 'never'];

/** One person's state from their newest certificate of the tier (null: none) at `now`. */
export function certificationStatus(newest: Pick<CertificateEntry, 'issuedAt' | 'validUntil'> | null, now: Date): CertificationStatus {
  if (newest === null) return 'never';
  if (!certificateValid(newest, now)) return 'expired';
  if (newest.validUntil !== null && newest.validUntil.getTime() - now.getTime() <= EXPIRING_WITHIN_MS) return 'expiring';
  return 'certified';
}

/**
 * What the champion's roster says about one person and tier, with its date:
 * certified until (date null: never expires) / expiring on / in renewal, renew by / expired on / not yet.
 * "In renewal" is the renewal window open (TierCycle `renewal-open`) while more than 30 days are
 * left; in the last 30 days the person counts as expiring, as on the dashboard.
 */
export type RosterTierState =
  | { kind: 'certified'; date: Date | null }
  | { kind: 'renewing'; date: Date }
  | { kind: 'expiring'; date: Date }
  | { kind: 'expired'; date: Date }
  | { kind: 'never'; date: null };

export function rosterTierState(cycle: Pick<TierCycle, 'status' | 'certificate'>, now: Date): RosterTierState {
  const newest = cycle.certificate;
  const status = certificationStatus(newest, now);
  if (newest === null || status === 'never') return { kind: 'never', date: null };
  if (status === 'expired') return { kind: 'expired', date: newest.validUntil! };
  if (status === 'expiring') return { kind: 'expiring', date: newest.validUntil! };
  if (cycle.status === 'renewal-open' && newest.validUntil !== null) return { kind: 'renewing', date: newest.validUntil };
  return { kind: 'certified', date: newest.validUntil };
}

/** Per tier and department: its audience (active users assigned the tier) and where they stand. */
export interface TierFacts {
  /** Active users assigned the tier. */
  assigned: number;
  /** How many assigned users first completed the tier (their first certificate) in each month, up to the facts' period end, for the cumulative trend. */
  completedByMonth: Record<string, number>;
  /** At the facts' moment (now, or the period's end if earlier): certified now, of which expiring within 30 days. */
  certified: number;
  expiring: number;
  expired: number;
  /** Has held a certificate by then: certified + expired. */
  ever: number;
}

export function emptyTierFacts(): TierFacts {
  return { assigned: 0, completedByMonth: {}, certified: 0, expiring: 0, expired: 0, ever: 0 };
}

/** First completions up to the end of `month` (`YYYY-MM`; null: all). */
export function completedBy(t: TierFacts, month: string | null): number {
  let n = 0;
  for (const [m, count] of Object.entries(t.completedByMonth)) if (month === null || m <= month) n += count;
  return n;
}

export function addTierFacts(target: TierFacts, source: TierFacts): void {
  target.assigned += source.assigned;
  for (const [month, n] of Object.entries(source.completedByMonth)) target.completedByMonth[month] = (target.completedByMonth[month] ?? 0) + n;
  target.certified += source.certified;
  target.expiring += source.expiring;
  target.expired += source.expired;
  target.ever += source.ever;
}

/** The counts of one tier in one scope, as shown and exported; `never` = audience − ever completed. */
export interface CertificationCounts {
  audience: number;
  certified: number;
  expiring: number;
  expired: number;
  ever: number;
  never: number;
}

export function certificationCounts(t: TierFacts): CertificationCounts {
  return { audience: t.assigned, certified: t.certified, expiring: t.expiring, expired: t.expired, ever: t.ever, never: Math.max(0, t.assigned - t.ever) };
}

/** The roster's words for a state, and its tone (ok, warn, bad, none). */
export function rosterStateText(state: RosterTierState, t: Translator, locale: Locale, timeZone: string): { text: string; tone: 'ok' | 'warn' | 'bad' | 'none' } {
  const date = state.date ? formatDate(state.date, locale, timeZone) : '';
  switch (state.kind) {
    case 'certified':
      return { text: state.date ? t('roster.certifiedUntil', { date }) : t('roster.certifiedNoExpiry'), tone: 'ok' };
    case 'renewing':
      return { text: t('roster.renewing', { date }), tone: 'warn' };
    case 'expiring':
      return { text: t('roster.expiring', { date }), tone: 'warn' };
    case 'expired':
      return { text: t('roster.expired', { date }), tone: 'bad' };
    default:
      return { text: t('roster.never'), tone: 'none' };
  }
}
