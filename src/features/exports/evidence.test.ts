/** The evidence export's rules: its parameters, what "as of" a day means, and one person's row. */
import { describe, expect, it } from 'vitest';
import { FIXTURE_CONTENT, ROOT, fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { buildPolicyCatalog } from '../policies/policies.ts';
import { readPolicies } from '../policies/read-policies.ts';
import { evidenceHeader, evidenceMoment, evidencePolicies, evidenceRow, parseEvidenceParams, type EvidencePerson } from './evidence.ts';

const catalog = fixtureCatalog();
const policies = evidencePolicies(buildPolicyCatalog(readPolicies(FIXTURE_CONTENT, ROOT).entries));
const TZ = 'Asia/Tokyo';
const parse = (query: string) => parseEvidenceParams(new URLSearchParams(query), '2027-03-01');

describe('evidence export parameters', () => {
  it('defaults to the whole company today, active people only', () => {
    expect(parse('')).toEqual({ ok: true, options: { departmentId: null, asOf: '2027-03-01', includeInactive: false, bom: false } });
    expect(parse('department=3&asOf=2026-12-31&inactive=1&bom=1')).toEqual({ ok: true, options: { departmentId: 3, asOf: '2026-12-31', includeInactive: true, bom: true } });
    expect(parse('department=&asOf=')).toMatchObject({ ok: true, options: { departmentId: null, asOf: '2027-03-01' } });
  });

  it('refuses what is not a department id, a real day up to today, or a flag', () => {
    for (const bad of [
      'department=x',
      'department=-1',
      'department=01',
      'department=1.5',
      'asOf=2026-02-30',
      'asOf=2026/01/01',
      'asOf=2027-03-02',
      'asOf=1999-12-31',
      'inactive=yes',
    ]) {
      expect(parse(bad), bad).toMatchObject({ ok: false });
    }
  });

  it('means the end of the day in the app’s zone, or now for today', () => {
    const now = new Date('2027-03-01T03:00:00Z');
    expect(evidenceMoment('2026-12-31', now, TZ).toISOString()).toBe('2026-12-31T14:59:59.999Z');
    expect(evidenceMoment('2027-03-01', now, TZ)).toEqual(now);
  });
});

describe('one person’s evidence row', () => {
  const header = evidenceHeader(catalog, policies);
  const person = (change: Partial<EvidencePerson>): Record<string, unknown> => {
    const base: EvidencePerson = {
      publicId: 'p1',
      name: 'Lea',
      email: 'lea@example.com',
      department: '営業部',
      role: 'learner',
      active: true,
      certificates: [],
      acknowledged: new Map(),
      lastTrainingAt: null,
    };
    const row = evidenceRow({ ...base, ...change }, catalog, policies, { asOf: '2027-03-01', at: new Date('2027-03-01T03:00:00Z'), timeZone: TZ });
    expect(row).toHaveLength(header.length);
    return Object.fromEntries(header.map((h, i) => [h, row[i]]));
  };

  it('has the columns an auditor asks for, per tier and per required policy', () => {
    expect(header).toEqual([
      ...['public_id', 'name', 'email', 'department', 'role', 'active', 'as_of'],
      ...['basic_status', 'basic_valid_until', 'applied_status', 'applied_valid_until', 'specialist_status', 'specialist_valid_until'],
      ...['policy_ai-usage_acknowledged_version', 'policy_ai-usage_current_version', 'policy_champion-guide_acknowledged_version', 'policy_champion-guide_current_version'],
      'last_training_at',
    ]);
  });

  it('gives each tier’s status and valid-until, each policy’s version or missing, and the last training', () => {
    const certificate = (tierId: string, validUntil: string | null, cycle = 1) => ({
      tierId,
      cycle,
      issuedAt: new Date('2026-01-01T00:00:00Z'),
      validUntil: validUntil ? new Date(validUntil) : null,
    });
    const row = person({
      certificates: [certificate('basic', '2027-03-20T00:00:00Z'), certificate('applied', '2027-01-01T00:00:00Z'), certificate('specialist', null)],
      acknowledged: new Map([['ai-usage', 1]]),
      lastTrainingAt: new Date('2027-02-01T00:00:00Z'),
    });
    expect(row).toMatchObject({
      public_id: 'p1',
      email: 'lea@example.com',
      active: 'yes',
      as_of: '2027-03-01',
      basic_status: 'expiring',
      basic_valid_until: '2027-03-20T09:00:00.000+09:00',
      applied_status: 'expired',
      applied_valid_until: '2027-01-01T09:00:00.000+09:00',
      specialist_status: 'certified',
      specialist_valid_until: '',
      'policy_ai-usage_acknowledged_version': 1,
      'policy_ai-usage_current_version': 2,
      'policy_champion-guide_acknowledged_version': 'not_applicable',
      last_training_at: '2027-02-01T09:00:00.000+09:00',
    });
    const never = person({ role: 'champion', active: false });
    expect(never).toMatchObject({
      basic_status: 'never',
      basic_valid_until: '',
      active: 'no',
      'policy_ai-usage_acknowledged_version': 'missing',
      'policy_champion-guide_acknowledged_version': 'missing',
      last_training_at: '',
    });
  });
});
