/**
 * Renewal cycles: training that is not done once and forgotten. A learner's first pass through a
 * tier is cycle 1; its certificate is valid until `validUntil` (the tier's `validForMonths`, or
 * an assignment's override). When the renewal window opens (`renewWindowDays` before that), cycle
 * 2 starts: new work is recorded in it, and what it asks is the tier's renewal rule (`full`:
 * everything again; `changed`: every quiz, plus the lessons with a major revision since the
 * learner read them). Nothing is overwritten: each cycle keeps its completions, attempts and
 * certificate. The cycle is computed from the certificates and the clock, so no job has to run
 * for a window to open.
 */
import type { LessonNode, TierNode } from '../curriculum/catalog.ts';
import { DEFAULT_RENEW_WINDOW_DAYS } from '../curriculum/schemas.ts';
import { addMonthsAt } from '../../platform/dates.ts';

/** One completion of a lesson: in which cycle, against which version. */
export interface CompletionEntry {
  lessonId: string;
  cycle: number;
  contentVersion: string;
  /** The lesson's newest major revision (`YYYY-MM-DD`) when it was completed; null: none then. */
  majorRevision: string | null;
}

/** A learner's submitted attempts at one quiz in one cycle. */
export interface AttemptSummary {
  quizId: string;
  cycle: number;
  attempts: number;
  /** Best score in percent, rounded to 0.1; null before the first. */
  bestPercent: number | null;
  passed: boolean;
}

export interface CertificateEntry {
  tierId: string;
  cycle: number;
  code: string;
  issuedAt: Date;
  /** Null: it never expires. */
  validUntil: Date | null;
}

/**
 * - `first`: working through the tier for the first time (no certificate yet);
 * - `certified`: the newest certificate is valid and its renewal window is not open;
 * - `renewal-open`: the window is open, the certificate still valid until `renewBy`;
 * - `expired`: the certificate has expired and the renewal is not done.
 */
export type CycleStatus = 'first' | 'certified' | 'renewal-open' | 'expired';

export interface TierCycle {
  tierId: string;
  /** The cycle new work on the tier is recorded in. */
  number: number;
  status: CycleStatus;
  /** The tier's newest certificate; null before the first. */
  certificate: CertificateEntry | null;
  /** When the newest certificate's renewal window opens; null when it never expires. */
  renewalOpensAt: Date | null;
  /** Renew by this moment (the newest certificate's end) while renewing or expired; else null. */
  renewBy: Date | null;
  /** What the cycle asks for: everything, or (a `changed` renewal) the quizzes and the lessons revised since. */
  takes: 'all' | 'changed';
}

/** The newest certificate of each tier (highest cycle). */
export function newestCertificates(certificates: readonly CertificateEntry[]): Map<string, CertificateEntry> {
  const newest = new Map<string, CertificateEntry>();
  for (const c of certificates) {
    const seen = newest.get(c.tierId);
    if (!seen || c.cycle > seen.cycle) newest.set(c.tierId, c);
  }
  return newest;
}

const DAY_MS = 86_400_000;

/**
 * When a certificate's renewal window opens: `renewWindowDays` × 24 hours before it expires; null
 * if it never does. Plain hours, not calendar days in the zone: this runs for every tier of
 * every learner on each page and roster row, and a daylight-saving hour does not matter to a
 * window of weeks (the certificate's own end is in calendar months, `validityEnd`).
 */
export function renewalOpensAt(tier: TierNode, certificate: CertificateEntry): Date | null {
  if (certificate.validUntil === null) return null;
  // An assignment's override can make a tier without a renewal rule expire: it gets the default window.
  return new Date(certificate.validUntil.getTime() - (tier.renewal?.renewWindowDays ?? DEFAULT_RENEW_WINDOW_DAYS) * DAY_MS);
}

/** The learner's current cycle of `tier`, from the tier's newest certificate and the time. */
export function tierCycle(tier: TierNode, newest: CertificateEntry | null, now: Date): TierCycle {
  const base = { tierId: tier.id, certificate: newest };
  // Cycle 1 asks for everything; a renewal what the tier's rule says.
  const takes = (number: number): TierCycle['takes'] => (number > 1 && tier.renewal?.takes !== 'full' ? 'changed' : 'all');
  if (!newest) return { ...base, number: 1, status: 'first', renewalOpensAt: null, renewBy: null, takes: 'all' };
  const opensAt = renewalOpensAt(tier, newest);
  if (opensAt === null || newest.validUntil === null || now < opensAt) {
    return { ...base, number: newest.cycle, status: 'certified', renewalOpensAt: opensAt, renewBy: null, takes: takes(newest.cycle) };
  }
  return {
    ...base,
    number: newest.cycle + 1,
    status: now < newest.validUntil ? 'renewal-open' : 'expired',
    renewalOpensAt: opensAt,
    renewBy: newest.validUntil,
    takes: takes(newest.cycle + 1),
  };
}

/** Whether a certificate is valid at `now` (issued, and not past its end). */
export function certificateValid(certificate: Pick<CertificateEntry, 'issuedAt' | 'validUntil'>, now: Date): boolean {
  return certificate.issuedAt <= now && (certificate.validUntil === null || now < certificate.validUntil);
}

/**
 * A completion read before the lesson's newest major revision: the learner is asked to review it.
 * Minor revisions never count.
 */
export function outdatedBy(lesson: Pick<LessonNode, 'majorRevision'>, completion: Pick<CompletionEntry, 'majorRevision'>): boolean {
  const major = lesson.majorRevision;
  if (!major) return false;
  return completion.majorRevision === null || completion.majorRevision < major.date;
}

/**
 * The end of a certificate issued at `issuedAt` that is valid for `months`; null when it never
 * expires. A renewal done before the old certificate ran out extends from the old end, so
 * renewing early never costs time.
 */
export function validityEnd(issuedAt: Date, months: number | null, previousEnd: Date | null, timeZone: string): Date | null {
  if (months === null) return null;
  const from = previousEnd !== null && previousEnd > issuedAt ? previousEnd : issuedAt;
  return addMonthsAt(from, months, timeZone);
}
