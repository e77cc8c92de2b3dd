/**
 * "Certified now", "expiring within 30 days", "expired" and "ever completed" with known answers,
 * on a real SQLite file with the real migrations: two departments whose people hold valid,
 * expiring, expired, renewed (cycle 2 valid after cycle 1 expired) and no certificates, the
 * clock moved with `setClock`. The dashboard facts, the wave targets, the champion's roster and
 * the two CSV exports must all tell the same story, and a second cycle never counts twice.
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { certificates, users } from '../../../db/schema/index.ts';
import { fixedClock, setClock } from '../../platform/clock.ts';
import { rawDrizzle } from '../../platform/db.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { ensureDefaultAssignments, syncEnrolments } from '../programme/assignments.server.ts';
import { saveWave } from '../programme/waves.server.ts';
import { userProgressHeader, userProgressRows } from '../exports/csv.server.ts';
import { certificationStatus, rosterTierState } from './certification.ts';
import { rebuildCertificateRollupsIn } from './certificate-rollups.server.ts';
import { championView } from './champion.server.ts';
import { loadDashboard, type DashboardFilter } from './dashboard.server.ts';
import { kpiExportHeader, kpiExportRows } from './kpi-export.server.ts';
import { loadWavePage } from './wave-kpis.server.ts';
import { first } from '../../platform/query.ts';

const TZ = 'Asia/Tokyo';
const DAY = 86_400_000;
const NOW = new Date('2027-03-01T03:00:00Z');
const catalog = fixtureCatalog();
const filter: DashboardFilter = { departmentId: null, waveId: null, from: '2026-10', to: '2027-03' };
const d = (iso: string): Date => new Date(iso);
let t: TempDb;
const ids: Record<string, number> = {};
let sales: number;
let hr: number;
let waveId: number;
let code = 0;

async function certificate(user: string, tierId: string, cycle: number, issuedAt: Date, validUntil: Date | null): Promise<void> {
  await rawDrizzle(t.db)
    .insert(certificates)
    .values({ code: `c${String(code++).padStart(23, '0')}`, userId: ids[user]!, tierId, cycle, holderName: user, issuedAt, validUntil });
}

beforeAll(async () => {
  t = tempDb();
  for (const name of ['sValid', 'sExpiring', 'sExpired', 'sRenewed', 'sNever']) ids[name] = await addUser(t.db, { email: `${name}@x.jp`, name, department: 'Sales' });
  for (const name of ['hNoExpiry', 'hExpired', 'hNever', 'hLeft']) ids[name] = await addUser(t.db, { email: `${name}@x.jp`, name, department: 'HR' });
  ids.hChampion = await addUser(t.db, { email: 'hChampion@x.jp', name: 'hChampion', department: 'HR', role: 'champion' });
  const q = rawDrizzle(t.db);
  await q.update(users).set({ active: false }).where(eq(users.id, ids.hLeft!));
  sales = first(await q.select().from(users).where(eq(users.id, ids.sValid!)))!.departmentId!;
  hr = first(await q.select().from(users).where(eq(users.id, ids.hNever!)))!.departmentId!;
  await ensureDefaultAssignments(q);
  await syncEnrolments(q);

  await certificate('sValid', 'basic', 1, d('2026-09-01T03:00:00Z'), d('2027-09-01T03:00:00Z'));
  await certificate('sExpiring', 'basic', 1, d('2026-03-11T03:00:00Z'), new Date(NOW.getTime() + 10 * DAY));
  await certificate('sExpired', 'basic', 1, d('2025-12-01T03:00:00Z'), d('2026-12-01T03:00:00Z'));
  // Renewed: cycle 1 ran out on 1 November, cycle 2 was issued on 20 November.
  await certificate('sRenewed', 'basic', 1, d('2025-11-01T03:00:00Z'), d('2026-11-01T03:00:00Z'));
  await certificate('sRenewed', 'basic', 2, d('2026-11-20T03:00:00Z'), d('2027-11-20T03:00:00Z'));
  await certificate('hNoExpiry', 'basic', 1, d('2026-06-01T03:00:00Z'), null);
  // A tier nobody assigned them: shown on the roster, counted nowhere.
  await certificate('hNoExpiry', 'specialist', 1, d('2025-06-01T03:00:00Z'), d('2026-06-01T03:00:00Z'));
  await certificate('hExpired', 'basic', 1, d('2026-02-01T03:00:00Z'), d('2027-02-01T03:00:00Z'));
  await certificate('hLeft', 'basic', 1, d('2026-06-01T03:00:00Z'), null);
  await certificate('hChampion', 'basic', 1, d('2026-10-01T03:00:00Z'), new Date(NOW.getTime() + 400 * DAY));
  await certificate('hChampion', 'applied', 1, d('2026-03-21T03:00:00Z'), new Date(NOW.getTime() + 20 * DAY));
  // Written straight into the table: derive the certificate roll-ups as a rebuild would.
  await rebuildCertificateRollupsIn(q, TZ);

  waveId = await saveWave(t.db, {
    name: 'Pilot',
    position: 0,
    startDate: '2026-10-01',
    endDate: '2027-06-30',
    description: null,
    departmentIds: [sales],
    targets: [
      { kpi: 'basic_certified', comparator: 'gte', value: 0.6 },
      { kpi: 'applied_certified', comparator: 'gte', value: 0.5 },
    ],
  });
});

afterEach(() => setClock(null));
afterAll(() => t?.cleanup());

const counts = (audience: number, certified: number, expiring: number, expired: number, ever: number) => ({
  audience,
  certified,
  expiring,
  expired,
  ever,
  never: audience - ever,
});

describe('the dashboard', () => {
  it('counts each person of a tier once, by their newest certificate, company-wide and per department', async () => {
    setClock(fixedClock(NOW));
    const data = await loadDashboard(t.db, catalog, filter, TZ, 'ja');
    expect(data.certificationAsOf).toEqual(NOW);
    expect(data.kpis.certification.basic).toMatchObject(counts(9, 5, 1, 2, 7));
    expect(data.kpis.certification.basic!.certifiedNow.value).toBeCloseTo(5 / 9);
    expect(data.kpis.certification.applied).toMatchObject(counts(1, 1, 1, 0, 1));
    expect(data.kpis.certification.specialist).toMatchObject(counts(0, 0, 0, 0, 0));
    expect(data.kpis.certification.specialist!.certifiedNow.value).toBeNull();
    const byName = new Map(data.departments.map((x) => [x.name, x.kpis]));
    expect(byName.get('Sales')!.certification.basic).toMatchObject(counts(5, 3, 1, 1, 4));
    expect(byName.get('HR')!.certification.basic).toMatchObject(counts(4, 2, 0, 1, 3));
    // Completion: a renewed person completed the tier once (the first certificate), and is assigned once.
    expect(data.kpis.completion.basic).toMatchObject({ assigned: 9, completed: 7 });
  });

  it('moves with the clock: eleven days later the expiring certificate has expired', async () => {
    setClock(fixedClock(NOW.getTime() + 11 * DAY));
    const data = await loadDashboard(t.db, catalog, filter, TZ, 'ja');
    expect(data.kpis.certification.basic).toMatchObject(counts(9, 4, 0, 3, 7));
    expect(data.kpis.certification.applied).toMatchObject(counts(1, 1, 1, 0, 1));
  });

  it('counts a past range at its end, with the certificate that was newest then', async () => {
    setClock(fixedClock(NOW));
    // End of October (JST): sRenewed still held cycle 1, ending within a day.
    const october = await loadDashboard(t.db, catalog, { ...filter, to: '2026-10' }, TZ, 'ja');
    expect(october.certificationAsOf).toEqual(new Date(d('2026-11-01T00:00:00+09:00').getTime() - 1));
    expect(october.kpis.certification.basic).toMatchObject(counts(9, 7, 1, 0, 7));
    // End of November: sExpired ends on 1 December; sRenewed holds cycle 2.
    const november = await loadDashboard(t.db, catalog, { ...filter, to: '2026-11' }, TZ, 'ja');
    expect(november.kpis.certification.basic).toMatchObject(counts(9, 7, 1, 0, 7));
    const sales = november.departments.find((x) => x.name === 'Sales')!.kpis.certification.basic!;
    expect(sales).toMatchObject(counts(5, 4, 1, 0, 4));
  });
});

describe('wave targets', () => {
  it('a wave can aim at "certified now" of a tier: 3 of 5 in Sales meets 60 %, then not', async () => {
    setClock(fixedClock(NOW));
    const page = await loadWavePage(t.db, catalog, waveId, TZ);
    const status = (kpi: string) => page!.entry.targets.find((s) => s.target.kpi === kpi)!;
    expect(status('basic_certified')).toMatchObject({ current: 0.6, met: true });
    // Nobody in Sales is assigned Applied: no data, never "0 %, not met".
    expect(status('applied_certified')).toMatchObject({ current: null, met: null });
    setClock(fixedClock(NOW.getTime() + 11 * DAY));
    const later = await loadWavePage(t.db, catalog, waveId, TZ);
    expect(later!.entry.targets.find((s) => s.target.kpi === 'basic_certified')).toMatchObject({ current: 0.4, met: false });
  });
});

describe("the champion's roster", () => {
  it('says where each person stands, and lists the expired and expiring of assigned tiers first', async () => {
    setClock(fixedClock(NOW));
    const view = await championView(t.db, catalog, sales, TZ);
    const state = (name: string, tier = 'basic') => view.roster.find((r) => r.displayName === name)!.tiers.find((x) => x.tierId === tier)!.state;
    expect(state('sValid')).toEqual({ kind: 'certified', date: d('2027-09-01T03:00:00Z') });
    expect(state('sExpiring')).toEqual({ kind: 'expiring', date: new Date(NOW.getTime() + 10 * DAY) });
    expect(state('sExpired')).toEqual({ kind: 'expired', date: d('2026-12-01T03:00:00Z') });
    expect(state('sRenewed')).toEqual({ kind: 'certified', date: d('2027-11-20T03:00:00Z') });
    expect(state('sNever')).toEqual({ kind: 'never', date: null });
    expect(view.expiry.map((e) => [e.displayName, e.tier.tierId, e.tier.status])).toEqual([
      ['sExpired', 'basic', 'expired'],
      ['sExpiring', 'basic', 'expiring'],
    ]);
    expect(view.expiryCounts).toEqual([
      { tierId: 'basic', expiring: 1, expired: 1 },
      { tierId: 'applied', expiring: 0, expired: 0 },
      { tierId: 'specialist', expiring: 0, expired: 0 },
    ]);

    const hrView = await championView(t.db, catalog, hr, TZ);
    const hrState = (name: string, tier: string) => hrView.roster.find((r) => r.displayName === name)!.tiers.find((x) => x.tierId === tier)!;
    expect(hrState('hNoExpiry', 'basic').state).toEqual({ kind: 'certified', date: null });
    expect(hrState('hNoExpiry', 'specialist')).toMatchObject({ state: { kind: 'expired' }, assigned: false });
    expect(hrView.roster.map((r) => r.displayName)).not.toContain('hLeft');
    // The same counts as the dashboard's HR row (basic: 1 expired) and its Applied audience (1 expiring).
    expect(hrView.expiry.map((e) => [e.displayName, e.tier.tierId, e.tier.status])).toEqual([
      ['hExpired', 'basic', 'expired'],
      ['hChampion', 'applied', 'expiring'],
    ]);
  });

  it('"in renewal" while the renewal window is open and more than 30 days are left; expiring in the last 30', () => {
    const certificate = { tierId: 'basic', cycle: 1, code: 'x', issuedAt: d('2026-01-01T00:00:00Z'), validUntil: d('2027-04-15T00:00:00Z') };
    expect(rosterTierState({ status: 'renewal-open', certificate }, NOW)).toEqual({ kind: 'renewing', date: certificate.validUntil });
    expect(rosterTierState({ status: 'renewal-open', certificate }, d('2027-04-01T00:00:00Z'))).toEqual({ kind: 'expiring', date: certificate.validUntil });
    expect(rosterTierState({ status: 'expired', certificate }, d('2027-04-15T00:00:00Z'))).toEqual({ kind: 'expired', date: certificate.validUntil });
    // Exactly 30 days left is "within 30 days"; the end itself is exclusive.
    expect(certificationStatus(certificate, new Date(certificate.validUntil.getTime() - 30 * DAY))).toBe('expiring');
    expect(certificationStatus(certificate, new Date(certificate.validUntil.getTime() - 30 * DAY - 1))).toBe('certified');
  });
});

describe('exports', () => {
  it('the users CSV keeps its columns and adds certified now, valid until, status and ever completed per tier at the end', async () => {
    setClock(fixedClock(NOW));
    const header = userProgressHeader(catalog);
    expect(header.slice(0, 10)).toEqual([
      'email',
      'name',
      'department',
      'role',
      'active',
      'created_at',
      'last_activity_at',
      'basic_lessons',
      'basic_quizzes_passed',
      'basic_completed_at',
    ]);
    expect(header.slice(-12)).toEqual([
      ...['basic', 'applied', 'specialist'].flatMap((tier) => [`${tier}_certified_now`, `${tier}_valid_until`, `${tier}_status`, `${tier}_ever_completed`]),
    ]);
    const rows = new Map<string, Record<string, unknown>>();
    for await (const row of userProgressRows(t.db, catalog, null)) {
      const record = Object.fromEntries(header.map((name, i) => [name, row[i]]));
      rows.set(String(record.email).toLowerCase(), record);
    }
    const basic = (email: string) => {
      const r = rows.get(email.toLowerCase())!;
      return [r.basic_certified_now, r.basic_valid_until, r.basic_status, r.basic_ever_completed];
    };
    expect(basic('sValid@x.jp')).toEqual(['yes', '2027-09-01T03:00:00.000Z', 'certified', 'yes']);
    expect(basic('sExpiring@x.jp')).toEqual(['yes', '2027-03-11T03:00:00.000Z', 'expiring', 'yes']);
    expect(basic('sExpired@x.jp')).toEqual(['no', '2026-12-01T03:00:00.000Z', 'expired', 'yes']);
    expect(basic('sRenewed@x.jp')).toEqual(['yes', '2027-11-20T03:00:00.000Z', 'certified', 'yes']);
    expect(basic('sNever@x.jp')).toEqual(['no', '', 'never', 'no']);
    expect(basic('hNoExpiry@x.jp')).toEqual(['yes', '', 'certified', 'yes']);
    // completed_at is the newest certificate's issue: the renewal.
    expect(rows.get('srenewed@x.jp')!.basic_completed_at).toBe('2026-11-20T03:00:00.000Z');
    expect(rows.get('hnoexpiry@x.jp')!.specialist_status).toBe('expired');
  });

  it('the KPI export adds per tier the audience, certified now (rate and count), expiring, expired and ever completed at each month end', async () => {
    setClock(fixedClock(NOW));
    const header = kpiExportHeader();
    expect(header.slice(-18)).toEqual(
      ['basic', 'applied', 'specialist'].flatMap((tier) =>
        ['audience', 'certified_now_rate', 'certified_now', 'expiring_30d', 'expired', 'ever_completed'].map((c) => `${tier}_${c}`),
      ),
    );
    const rows = await kpiExportRows(t.db, catalog, { from: '2026-10', to: '2027-03' }, TZ);
    const record = (scope: string, department: string, month: string) =>
      Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r[0] === scope && r[1] === department && r[2] === month)![i]]));
    const basic = (r: Record<string, unknown>) => ['audience', 'certified_now_rate', 'certified_now', 'expiring_30d', 'expired', 'ever_completed'].map((c) => r[`basic_${c}`]);
    expect(basic(record('company', '', '2027-03'))).toEqual([9, 0.5556, 5, 1, 2, 7]);
    expect(basic(record('company', '', '2026-10'))).toEqual([9, 0.7778, 7, 1, 0, 7]);
    expect(basic(record('department', 'Sales', '2027-03'))).toEqual([5, 0.6, 3, 1, 1, 4]);
    expect(basic(record('department', 'HR', '2027-02'))).toEqual([4, 0.5, 2, 0, 1, 3]);
  });
});
