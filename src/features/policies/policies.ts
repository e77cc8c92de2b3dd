/**
 * Policies as the app uses them, and their rules: who a policy applies to, what a user still has
 * to acknowledge, and the check that both languages of a policy agree (the build fails naming
 * the file). Pure: no database, no I/O.
 */
import { isDeepStrictEqual } from 'node:util';
import { LOCALES, otherLocale, type Locale } from '../../platform/i18n/locales.ts';
import type { Role } from '../users/roles.ts';
import type { PolicyAudience, PolicyData } from './schema.ts';

/** One language file of a policy, as read from `content/policies/<id>/<locale>.mdx`. */
export interface PolicyEntry {
  /** The folder name: the policy's id. */
  id: string;
  locale: Locale;
  /** Path relative to the project root, for messages. */
  file: string;
  /** The content-collection entry id, to render the body. */
  entryId: string;
  data: PolicyData;
}

/** Texts of one language of a policy. */
export interface PolicyText {
  title: string;
  summary: string;
  changes: string;
  entryId: string;
}

export interface Policy {
  id: string;
  /** The current version: the one in the files. */
  version: number;
  effective: string;
  audience: PolicyAudience;
  required: boolean;
  text: Partial<Record<Locale, PolicyText>>;
}

export interface PolicyCatalog {
  policies: Policy[];
  policy: (id: string) => Policy | null;
}

/** The fields both languages must share: acknowledgements depend on them. */
const SHARED = ['version', 'effective', 'audience', 'required'] as const;

/** Every disagreement between the languages of a policy, and ids that are not lower-case words; `file: message`. */
export function checkPolicyEntries(entries: PolicyEntry[]): string[] {
  const problems: string[] = [];
  const byId = new Map<string, PolicyEntry[]>();
  for (const entry of entries) byId.set(entry.id, [...(byId.get(entry.id) ?? []), entry]);
  for (const [id, group] of byId) {
    // The Japanese file is the reference; the other is reported.
    const [first, ...rest] = group.sort((a, b) => LOCALES.indexOf(a.locale) - LOCALES.indexOf(b.locale));
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id)) problems.push(`${first!.file}: the folder name "${id}" is the policy id: use lower-case letters, digits and hyphens`);
    for (const other of rest) {
      for (const field of SHARED) {
        if (!isDeepStrictEqual(first!.data[field], other.data[field])) {
          problems.push(
            `${other.file}: ${field} ${JSON.stringify(other.data[field])} differs from ${first!.file} (${JSON.stringify(first!.data[field])}); both languages must agree`,
          );
        }
      }
    }
  }
  return problems;
}

export function buildPolicyCatalog(entries: PolicyEntry[]): PolicyCatalog {
  const byId = new Map<string, Policy>();
  for (const entry of [...entries].sort((a, b) => a.id.localeCompare(b.id) || LOCALES.indexOf(a.locale) - LOCALES.indexOf(b.locale))) {
    const { data } = entry;
    const policy = byId.get(entry.id) ?? { id: entry.id, version: data.version, effective: data.effective, audience: data.audience, required: data.required, text: {} };
    policy.text[entry.locale] = { title: data.title, summary: data.summary, changes: data.changes, entryId: entry.entryId };
    byId.set(entry.id, policy);
  }
  const policies = [...byId.values()];
  return { policies, policy: (id) => byId.get(id) ?? null };
}

/** The policy's text in `locale`, else the other language (`fallback`). */
export function policyText(policy: Policy, locale: Locale): PolicyText & { locale: Locale; fallback: boolean } {
  const own = policy.text[locale];
  if (own) return { ...own, locale, fallback: false };
  const other = otherLocale(locale);
  return { ...policy.text[other]!, locale: other, fallback: true };
}

/** What decides whether a policy applies to someone. */
export interface PolicyReader {
  role: Role;
  departmentName: string | null;
}

export function appliesTo(audience: PolicyAudience, reader: PolicyReader): boolean {
  if (audience === 'all') return true;
  if (audience.roles.includes(reader.role)) return true;
  const department = reader.departmentName?.trim().toLowerCase();
  return department !== undefined && department !== '' && audience.departments.some((d) => d.trim().toLowerCase() === department);
}

/** Required policies that apply to the reader, in their current version: what the banner may ask for. */
export function requiredFor(catalog: PolicyCatalog, reader: PolicyReader): Policy[] {
  return catalog.policies.filter((p) => p.required && appliesTo(p.audience, reader));
}

export interface Acknowledged {
  policyId: string;
  version: number;
}

/**
 * The required policies the reader has not acknowledged in their current version. An
 * acknowledgement of an older version does not count: a new version asks everyone again.
 */
export function pendingPolicies(catalog: PolicyCatalog, reader: PolicyReader, acknowledged: Acknowledged[]): Policy[] {
  const done = new Set(acknowledged.map((a) => `${a.policyId}\u0000${a.version}`));
  return requiredFor(catalog, reader).filter((p) => !done.has(`${p.id}\u0000${p.version}`));
}

/** What the banner shows for one pending policy, in the page's language. */
export interface PolicyNotice {
  id: string;
  version: number;
  title: string;
  /** The reader acknowledged an older version: this is an update. */
  updated: boolean;
}

export function policyNotices(pending: Policy[], acknowledged: Acknowledged[], locale: Locale): PolicyNotice[] {
  return pending.map((p) => ({
    id: p.id,
    version: p.version,
    title: policyText(p, locale).title,
    updated: acknowledged.some((a) => a.policyId === p.id && a.version < p.version),
  }));
}
