/**
 * The evidence export an auditor asks for: one row per person, as of a day, with each tier's
 * standing and valid-until, the required policies' acknowledged and current versions, and the
 * last training date. "As of" a past day uses only what was recorded by then. Pure: the rows
 * are read in evidence.server.ts.
 */
import { endOfDay, isoWithOffset } from '../../platform/dates.ts';
import { parseId } from '../../platform/input/id.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { appliesTo, type Policy, type PolicyCatalog } from '../policies/policies.ts';
import type { CertificateEntry } from '../progress/cycles.ts';
import { standingAt } from '../transcript/standing.ts';
import type { Role } from '../users/roles.ts';

export interface EvidenceOptions {
  /** Null: the whole company. */
  departmentId: number | null;
  /** `YYYY-MM-DD` in the app's time zone. */
  asOf: string;
  includeInactive: boolean;
  bom: boolean;
}

export type EvidenceParse = { ok: true; options: EvidenceOptions } | { ok: false; message: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day, e.g. not 2026-02-30. */
function isCalendarDay(day: string): boolean {
  const match = DAY.exec(day);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * `?department=<id>` (empty or absent: the company), `?asOf=YYYY-MM-DD` (absent: today; never
 * after today), `?inactive=1`, `?bom=1`. A bad value is refused with a message, never guessed.
 */
export function parseEvidenceParams(params: URLSearchParams, today: string): EvidenceParse {
  const department = params.get('department') ?? '';
  const departmentId = department === '' ? null : parseId(department);
  if (department !== '' && departmentId === null) return { ok: false, message: 'department must be a department id, or empty for the whole company.' };
  const asOf = params.get('asOf') || today;
  if (!isCalendarDay(asOf) || asOf < '2000-01-01') return { ok: false, message: 'Give asOf as a day, YYYY-MM-DD.' };
  if (asOf > today) return { ok: false, message: `asOf cannot be after today (${today}): evidence is of what was recorded.` };
  for (const flag of ['inactive', 'bom']) {
    const value = params.get(flag);
    if (value !== null && value !== '1' && value !== '0' && value !== 'on') return { ok: false, message: `${flag} must be 1 or 0.` };
  }
  const on = (flag: string): boolean => params.get(flag) === '1' || params.get(flag) === 'on';
  return { ok: true, options: { departmentId, asOf, includeInactive: on('inactive'), bom: on('bom') } };
}

/** The moment "as of" a day means: its end in the app's zone, or now for today (nothing later exists). */
export function evidenceMoment(asOf: string, now: Date, timeZone: string): Date {
  const end = endOfDay(asOf, timeZone);
  return end < now ? end : now;
}

/** The policies the export reports: the required ones, in the catalog's order. */
export function evidencePolicies(policies: PolicyCatalog | null): Policy[] {
  return policies?.policies.filter((p) => p.required) ?? [];
}

export function evidenceHeader(catalog: Catalog, policies: readonly Policy[]): string[] {
  return [
    'public_id',
    'name',
    'email',
    'department',
    'role',
    'active',
    'as_of',
    ...catalog.tiers.flatMap((t) => [`${t.id}_status`, `${t.id}_valid_until`]),
    ...policies.flatMap((p) => [`policy_${p.id}_acknowledged_version`, `policy_${p.id}_current_version`]),
    'last_training_at',
  ];
}

/** One person with their records up to the moment (the loader filters by time; `standingAt` checks again). */
export interface EvidencePerson {
  publicId: string;
  name: string;
  email: string;
  department: string | null;
  role: Role;
  active: boolean;
  certificates: readonly Pick<CertificateEntry, 'tierId' | 'cycle' | 'issuedAt' | 'validUntil'>[];
  /** The highest version of each policy acknowledged by then. */
  acknowledged: ReadonlyMap<string, number>;
  /** The last lesson completion or submitted attempt by then; null: none. */
  lastTrainingAt: Date | null;
}

export function evidenceRow(person: EvidencePerson, catalog: Catalog, policies: readonly Policy[], options: { asOf: string; at: Date; timeZone: string }): unknown[] {
  const iso = (date: Date | null): string => (date === null ? '' : isoWithOffset(date, options.timeZone));
  const reader = { role: person.role, departmentName: person.department };
  return [
    person.publicId,
    person.name,
    person.email,
    person.department ?? '',
    person.role,
    person.active ? 'yes' : 'no',
    options.asOf,
    ...catalog.tiers.flatMap((tier) => {
      const { standing, certificate } = standingAt(
        person.certificates.filter((c) => c.tierId === tier.id),
        options.at,
        options.timeZone,
      );
      return [standing, iso(certificate?.validUntil ?? null)];
    }),
    ...policies.flatMap((p) => {
      if (!appliesTo(p.audience, reader)) return ['not_applicable', p.version];
      return [person.acknowledged.get(p.id) ?? 'missing', p.version];
    }),
    iso(person.lastTrainingAt),
  ];
}
