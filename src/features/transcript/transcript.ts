/**
 * A person's transcript: per tier, every renewal cycle with its dates, the lesson completions and
 * quiz attempts recorded in it (each with its content version), the certificate that closed it,
 * and the policy acknowledgements; the same as CSV rows, one per event. Pure: the loader
 * (transcript.server.ts) reads the rows. Ids the curriculum no longer has are kept and shown by
 * id: a training record outlives the content it was made on.
 */
import { pick, type Catalog } from '../curriculum/catalog.ts';
import { isoWithOffset } from '../../platform/dates.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import type { Role } from '../users/roles.ts';
import { policyText, type PolicyCatalog } from '../policies/policies.ts';
import { certificateValid } from '../progress/cycles.ts';
import { standingAt, type Standing } from './standing.ts';

export interface CompletionRow {
  lessonId: string;
  cycle: number;
  contentVersion: string;
  completedAt: Date;
}

/** A submitted attempt (open ones are not part of the record yet). */
export interface AttemptRow {
  id: string;
  quizId: string;
  cycle: number;
  contentVersion: string;
  submittedAt: Date;
  score: number;
  maxScore: number;
  passed: boolean;
}

export interface CertificateRow {
  tierId: string;
  cycle: number;
  code: string;
  issuedAt: Date;
  /** Null: it never expires. */
  validUntil: Date | null;
}

export interface AcknowledgementRow {
  policyId: string;
  version: number;
  locale: Locale;
  acknowledgedAt: Date;
}

export interface TranscriptRecords {
  completions: readonly CompletionRow[];
  attempts: readonly AttemptRow[];
  certificates: readonly CertificateRow[];
  acknowledgements: readonly AcknowledgementRow[];
}

interface EventBase {
  at: Date;
  itemId: string;
  /** In the reader's language (else the other); null when the curriculum no longer has the item. */
  title: string | null;
  /** '' for records from before content versions. */
  contentVersion: string;
}

export type TranscriptEvent =
  | (EventBase & { kind: 'completion' /** A later completion of the same lesson in the same cycle: the review of a revised version. */; review: boolean })
  | (EventBase & { kind: 'attempt'; attemptId: string; score: number; max: number /** Rounded to 0.1. */; percent: number; passed: boolean });

export interface TranscriptCycle {
  number: number;
  /** The cycle's first completion or attempt; null when it holds only a certificate. */
  startedAt: Date | null;
  /** The certificate that closed the cycle, and whether it is valid now; null while the cycle is open. */
  certificate: (CertificateRow & { valid: boolean }) | null;
  /** In date order. */
  events: TranscriptEvent[];
}

export interface TranscriptTier {
  /** Null: records of lessons and quizzes the curriculum no longer has, whose tier is unknown. */
  tierId: string | null;
  /** Null when the curriculum no longer has the tier (shown by its id). */
  title: string | null;
  /** Now, from the certificates (standing.ts). */
  standing: Standing;
  cycles: TranscriptCycle[];
}

export interface TranscriptPolicy {
  policyId: string;
  /** Null when the policy is no longer published. */
  title: string | null;
  version: number;
  currentVersion: number | null;
  acknowledgedAt: Date;
  locale: Locale;
}

export interface Transcript {
  tiers: TranscriptTier[];
  /** Oldest first. */
  policies: TranscriptPolicy[];
  /** Nothing recorded at all. */
  empty: boolean;
}

/** Whose transcript it is. */
export interface TranscriptSubject {
  id: number;
  name: string;
  email: string;
  department: string | null;
  role: Role;
  active: boolean;
}

export interface TranscriptPage {
  subject: TranscriptSubject;
  transcript: Transcript;
  /** Where a learner with no records starts: the first tier. */
  start: { tierId: string; title: string } | null;
  /** The moment the page shows standings for ("as of"). */
  at: Date;
  timeZone: string;
}

export interface TranscriptOptions {
  locale: Locale;
  now: Date;
  timeZone: string;
}

/** The first 7 characters of a content version (like a short git hash); null for '' (not recorded). */
export function shortVersion(version: string): string | null {
  return version === '' ? null : version.slice(0, 7);
}

const byTime = (a: { at: Date }, b: { at: Date }): number => a.at.getTime() - b.at.getTime();

interface Group {
  events: TranscriptEvent[];
  certificates: CertificateRow[];
}

export function buildTranscript(catalog: Catalog, policies: PolicyCatalog | null, records: TranscriptRecords, options: TranscriptOptions): Transcript {
  const { locale, now, timeZone } = options;
  // tier id ('' for unknown) → cycle → what it holds
  const groups = new Map<string, Map<number, Group>>();
  const group = (tierId: string, cycle: number): Group => {
    let cycles = groups.get(tierId);
    if (!cycles) groups.set(tierId, (cycles = new Map()));
    let found = cycles.get(cycle);
    if (!found) cycles.set(cycle, (found = { events: [], certificates: [] }));
    return found;
  };
  const tierOfCourse = (courseId: string | undefined): string => (courseId === undefined ? '' : (catalog.course(courseId)?.tierId ?? ''));

  for (const c of records.completions) {
    const lesson = catalog.lesson(c.lessonId);
    group(tierOfCourse(lesson?.courseId), c.cycle).events.push({
      kind: 'completion',
      at: c.completedAt,
      itemId: c.lessonId,
      title: lesson ? pick(lesson.title, locale).value : null,
      contentVersion: c.contentVersion,
      review: false,
    });
  }
  for (const a of records.attempts) {
    const quiz = catalog.quiz(a.quizId);
    group(tierOfCourse(quiz?.courseId), a.cycle).events.push({
      kind: 'attempt',
      at: a.submittedAt,
      itemId: a.quizId,
      title: quiz ? pick(quiz.text, locale).value.title : null,
      contentVersion: a.contentVersion,
      attemptId: a.id,
      score: a.score,
      max: a.maxScore,
      percent: a.maxScore === 0 ? 0 : Math.round((a.score / a.maxScore) * 1000) / 10,
      passed: a.passed,
    });
  }
  for (const c of records.certificates) group(c.tierId, c.cycle).certificates.push(c);

  const tierIds = [
    ...catalog.tiers.map((t) => t.id as string).filter((id) => groups.has(id)),
    ...[...groups.keys()].filter((id) => id !== '' && !catalog.tier(id)).sort(),
    ...(groups.has('') ? [''] : []),
  ];
  const tiers = tierIds.map((tierId): TranscriptTier => {
    const cycles = [...groups.get(tierId)!].sort(([a], [b]) => a - b);
    const certificates = records.certificates.filter((c) => c.tierId === tierId);
    const tier = catalog.tier(tierId);
    return {
      tierId: tierId === '' ? null : tierId,
      title: tier ? pick(tier.title, locale).value : null,
      standing: standingAt(certificates, now, timeZone).standing,
      cycles: cycles.map(([number, held]) => cycleOf(number, held, now)),
    };
  });

  const acknowledgements = [...records.acknowledgements].sort((a, b) => a.acknowledgedAt.getTime() - b.acknowledgedAt.getTime() || a.policyId.localeCompare(b.policyId));
  const policyRows = acknowledgements.map((a): TranscriptPolicy => {
    const policy = policies?.policy(a.policyId) ?? null;
    return {
      policyId: a.policyId,
      title: policy ? policyText(policy, locale).title : null,
      version: a.version,
      currentVersion: policy?.version ?? null,
      acknowledgedAt: a.acknowledgedAt,
      locale: a.locale,
    };
  });
  return { tiers, policies: policyRows, empty: tiers.length === 0 && policyRows.length === 0 };
}

function cycleOf(number: number, held: Group, now: Date): TranscriptCycle {
  const events = [...held.events].sort(byTime);
  // A second completion of a lesson in one cycle can only be of another version (one row per
  // user, lesson, cycle and version): the review of a revised lesson.
  const seen = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'completion') continue;
    if (seen.has(e.itemId)) e.review = true;
    seen.add(e.itemId);
  }
  // One certificate per user, tier and cycle (a unique index); the first if ever more.
  const certificate = held.certificates[0] ?? null;
  return {
    number,
    startedAt: events[0]?.at ?? null,
    certificate: certificate ? { ...certificate, valid: certificateValid(certificate, now) } : null,
    events,
  };
}

export const TRANSCRIPT_CSV_HEADER = [
  'type',
  'tier_id',
  'cycle',
  'item_id',
  'item_title',
  'content_version',
  'date',
  'score',
  'max_score',
  'passed',
  'certificate_code',
  'valid_until',
  'policy_version',
  'locale',
];

/**
 * One row per event, in the page's order: per tier and cycle the completions ('completion', or
 * 'review' of a revised version) and attempts by date, then the certificate; then the policy
 * acknowledgements. Dates in ISO 8601 with the app zone's offset; versions in full.
 */
export function transcriptCsvRows(transcript: Transcript, timeZone: string): unknown[][] {
  const iso = (date: Date | null): string => (date === null ? '' : isoWithOffset(date, timeZone));
  const rows: unknown[][] = [];
  for (const tier of transcript.tiers) {
    const tierId = tier.tierId ?? '';
    for (const cycle of tier.cycles) {
      for (const e of cycle.events) {
        const common = [tierId, cycle.number, e.itemId, e.title ?? '', e.contentVersion, iso(e.at)];
        if (e.kind === 'completion') rows.push([e.review ? 'review' : 'completion', ...common, '', '', '', '', '', '', '']);
        else rows.push(['attempt', ...common, e.score, e.max, e.passed ? 'yes' : 'no', '', '', '', '']);
      }
      const c = cycle.certificate;
      if (c) rows.push(['certificate', tierId, cycle.number, tierId, tier.title ?? '', '', iso(c.issuedAt), '', '', '', c.code, iso(c.validUntil), '', '']);
    }
  }
  for (const p of transcript.policies) rows.push(['policy', '', '', p.policyId, p.title ?? '', '', iso(p.acknowledgedAt), '', '', '', '', '', p.version, p.locale]);
  return rows;
}
