import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../curriculum/catalog.ts';
import { readCorpus } from '../curriculum/read-corpus.ts';
import type { KpiSet } from '../kpi/kpi.ts';
import { buildPolicyCatalog, type Policy } from '../policies/policies.ts';
import { endOfDay, dayKey } from '../../platform/dates.ts';
import { BASIC } from './fixtures/snapshots.ts';
import type { LearnerSnapshot } from './model.ts';
import {
  assignmentSnapshots,
  certificateSnapshots,
  departmentWeek,
  digestWeek,
  kpiSummary,
  lastValidDay,
  localDays,
  policySnapshots,
  renewalSnapshots,
  tierRefs,
  type CertificateRow,
} from './snapshot.ts';

const TZ = 'Asia/Tokyo';
const ROOT = path.resolve(import.meta.dirname, '../../..');
const catalog = buildCatalog(readCorpus(path.join(ROOT, 'tests/fixtures/content'), ROOT).corpus);
const day = localDays(TZ);
const tier = tierRefs(catalog);
/** The first instant of a local day (a certificate's exclusive end). */
const startOf = (d: string): Date => new Date(endOfDay(d, TZ).getTime() + 1 - 86_400_000);

function certificate(fields: Partial<CertificateRow> = {}): CertificateRow {
  return { id: 1, tierId: 'basic', cycle: 1, code: 'c', issuedAt: startOf('2025-12-20'), validUntil: startOf('2026-12-20'), ...fields };
}

describe('local days', () => {
  it('agrees with dayKey on every quarter hour around local midnight and across a DST change', () => {
    for (const zone of ['Asia/Tokyo', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu']) {
      const memo = localDays(zone);
      for (let ms = Date.UTC(2026, 2, 27); ms < Date.UTC(2026, 2, 31); ms += 7 * 60_000) expect(memo(new Date(ms)), `${zone} ${ms}`).toBe(dayKey(new Date(ms), zone));
    }
  });

  it('a certificate valid until (exclusive) 2026-12-20 00:00 local has 2026-12-19 as its last day', () => {
    expect(lastValidDay(startOf('2026-12-20'), day)).toBe('2026-12-19');
  });
});

describe('assignments', () => {
  const enrolledAt = new Date('2026-11-30T01:00:00Z');
  it('one per tier, the earliest due date wins, assigned on the local day of joining, complete with a certificate', () => {
    const rows = [
      { assignmentId: 3, tierId: 'basic', enrolledAt, dueAt: endOfDay('2027-01-31', TZ) },
      { assignmentId: 2, tierId: 'basic', enrolledAt: new Date('2026-11-29T16:00:00Z'), dueAt: endOfDay('2026-12-20', TZ) },
      { assignmentId: 4, tierId: 'basic', enrolledAt, dueAt: null },
      { assignmentId: 5, tierId: 'applied', enrolledAt, dueAt: null },
    ];
    expect(assignmentSnapshots(rows, new Set(['applied']), tier, day)).toEqual([
      { id: '5', tier: { id: 'applied', title: { ja: '応用', en: 'Applied' } }, assignedOn: '2026-11-30', dueOn: null, completed: true },
      // 2026-11-29T16:00Z is 01:00 on the 30th in Tokyo.
      { id: '2', tier: BASIC, assignedOn: '2026-11-30', dueOn: '2026-12-20', completed: false },
    ]);
  });

  it('a tier the catalog no longer has keeps its id as title', () => {
    expect(assignmentSnapshots([{ assignmentId: 1, tierId: 'gone', enrolledAt, dueAt: null }], new Set(), tier, day)[0]!.tier).toEqual({
      id: 'gone',
      title: { ja: 'gone', en: 'gone' },
    });
  });
});

describe('certificates and renewals', () => {
  const renewed = [certificate(), certificate({ id: 2, cycle: 2, issuedAt: startOf('2026-12-01'), validUntil: startOf('2027-12-20') })];

  it('only the newest certificate of a tier, with its last valid day; one that never expires is left out', () => {
    expect(certificateSnapshots(renewed, tier, day)).toEqual([{ id: '2', tier: BASIC, validUntil: '2027-12-19' }]);
    expect(certificateSnapshots([certificate({ validUntil: null })], tier, day)).toEqual([]);
  });

  it('a renewal is open from validUntil − renewWindowDays (30 for the fixture basic tier) until the certificate ends, then stays to do while expired', () => {
    expect(renewalSnapshots(catalog, [certificate()], startOf('2026-11-19'), tier, day)).toEqual([]);
    const open = [{ tier: BASIC, cycle: 2, openedOn: '2026-11-20', renewBy: '2026-12-19', completed: false }];
    expect(renewalSnapshots(catalog, [certificate()], startOf('2026-11-20'), tier, day)).toEqual(open);
    expect(renewalSnapshots(catalog, [certificate()], startOf('2027-01-10'), tier, day)).toEqual(open);
    // Renewed: the newest certificate is certified again, nothing is open.
    expect(renewalSnapshots(catalog, renewed, startOf('2026-12-05'), tier, day)).toEqual([]);
  });
});

describe('policies', () => {
  const policy = (fields: Partial<Policy>): Policy => ({
    id: 'p',
    version: 2,
    effective: '2026-12-01',
    audience: 'all',
    required: true,
    text: { ja: { title: '方針', summary: '', changes: '', entryId: 'p/ja' } },
    ...fields,
  });
  const catalogOf = (policies: Policy[]) => ({ policies, policy: (id: string) => policies.find((p) => p.id === id) ?? null });

  it('the audience decides whether it applies; the newest acknowledged version is kept; a missing language falls back', () => {
    const policies = catalogOf([policy({}), policy({ id: 'q', audience: { roles: ['champion'], departments: ['HR'] } })]);
    const learner = { role: 'learner' as const, departmentName: '営業部' };
    expect(policySnapshots(policies, learner, new Map([['p', 1]]))).toEqual([
      { id: 'p', title: { ja: '方針', en: '方針' }, version: 2, effectiveOn: '2026-12-01', required: true, applies: true, acknowledgedVersion: 1 },
      { id: 'q', title: { ja: '方針', en: '方針' }, version: 2, effectiveOn: '2026-12-01', required: true, applies: false, acknowledgedVersion: null },
    ]);
    expect(policySnapshots(policies, { role: 'learner', departmentName: ' hr ' }, undefined)[1]!.applies).toBe(true);
    expect(buildPolicyCatalog([]).policies).toEqual([]);
  });
});

describe('the week a digest covers', () => {
  it('the days from the previous digest day to the day before this one, the same on every day of the catch-up', () => {
    const week = { from: '2026-11-30', until: '2026-12-06', on: '2026-12-07' };
    for (const day of ['2026-12-07', '2026-12-10', '2026-12-13']) expect(digestWeek(day)).toEqual(week);
  });

  it('a holiday Monday moves the digest day and the next week starts from it; nothing is covered twice or missed', () => {
    // Monday 2027-01-11 is Coming of Age Day.
    expect(digestWeek('2027-01-12')).toEqual({ from: '2027-01-04', until: '2027-01-11', on: '2027-01-12' });
    expect(digestWeek('2027-01-18')).toEqual({ from: '2027-01-12', until: '2027-01-17', on: '2027-01-18' });
  });

  it('before this week’s digest day (a Wednesday digest on Monday) the week just gone is shown', () => {
    expect(digestWeek('2026-12-14', 3)).toEqual({ from: '2026-12-02', until: '2026-12-08', on: '2026-12-09' });
    expect(digestWeek('2026-12-16', 3)).toEqual({ from: '2026-12-09', until: '2026-12-15', on: '2026-12-16' });
  });
});

describe('the department week', () => {
  const member = (name: string, fields: Partial<LearnerSnapshot>) => ({
    name,
    learner: { assignments: [{ id: '1', tier: BASIC, assignedOn: '2026-11-01', dueOn: null, completed: false }], certificates: [], policies: [], ...fields },
  });
  const week = (members: ReturnType<typeof member>[]) => departmentWeek({ id: '7', name: '営業部' }, members, digestWeek('2026-12-14'), 3);

  it('newly overdue: an open assignment due in the seven days before the digest (not the day itself, not earlier)', () => {
    const due = (dueOn: string, completed = false) => member(dueOn, { assignments: [{ id: '1', tier: BASIC, assignedOn: '2026-11-01', dueOn, completed }] });
    expect(week([due('2026-12-06'), due('2026-12-07'), due('2026-12-13'), due('2026-12-14'), due('2026-12-10', true)]).newOverdue).toEqual(['2026-12-07', '2026-12-13']);
  });

  it('expiring within 30 days counting today, expired in the week; only for an assigned tier', () => {
    const cert = (validUntil: string, tierRef = BASIC) => member(`${tierRef.id} ${validUntil}`, { certificates: [{ id: '1', tier: tierRef, validUntil }] });
    const result = week([
      cert('2026-12-06'),
      cert('2026-12-07'),
      cert('2026-12-13'),
      cert('2026-12-14'),
      cert('2027-01-12'),
      cert('2027-01-13'),
      cert('2026-12-20', { id: 'applied', title: BASIC.title }),
    ]);
    expect(result.expired).toEqual(['basic 2026-12-07', 'basic 2026-12-13']);
    expect(result.expiringSoon).toEqual(['basic 2026-12-14', 'basic 2027-01-12']);
    expect(result.newComments).toBe(3);
  });

  it('policy missing: required, applies, in effect, not acknowledged in this version; names once, sorted', () => {
    const p = { id: 'p', title: BASIC.title, version: 2, effectiveOn: '2026-12-01', required: true, applies: true, acknowledgedVersion: 1 };
    const result = week([
      member('b', { policies: [p, { ...p, id: 'q' }] }),
      member('a', { policies: [{ ...p, acknowledgedVersion: null }] }),
      member('done', { policies: [{ ...p, acknowledgedVersion: 2 }] }),
      member('optional', { policies: [{ ...p, required: false }] }),
      member('other audience', { policies: [{ ...p, applies: false }] }),
      member('future', { policies: [{ ...p, effectiveOn: '2026-12-15' }] }),
    ]);
    expect(result.policyMissing).toEqual(['a', 'b']);
  });
});

describe('the KPI summary', () => {
  it('takes the company figures of the basic tier against their baselines', () => {
    const v = (value: number | null, baseline: number | null) => ({ value, baseline, change: null, trend: [], baselineEmpty: false });
    const kpis = {
      usageRate: v(0.5, 0.2),
      completion: { basic: { ...v(0.8, null), assigned: 10, completed: 8 }, applied: { ...v(0.1, 0.1), assigned: 1, completed: 0 } },
      certification: { basic: { certifiedNow: v(0.7, 0.6) } },
      hoursSaved: { ...v(120, 80), total: 300 },
      inquiries: { ...v(4, 9), total: 20 },
    } as unknown as KpiSet;
    expect(kpiSummary(kpis, '2026-11')).toEqual({
      month: '2026-11',
      usageRate: { value: 0.5, baseline: 0.2 },
      completionRate: { value: 0.8, baseline: null },
      certifiedNow: { value: 0.7, baseline: 0.6 },
      hoursSaved: { value: 120, baseline: 80 },
      inquiries: { value: 4, baseline: 9 },
    });
  });
});
