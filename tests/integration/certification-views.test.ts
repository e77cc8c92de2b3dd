/**
 * Certificates that expire, through the real built server over HTTP: the dashboard's
 * certification status (certified now, expiring within 30 days, expired, ever completed; per
 * tier and per department), the champion's "expired or expiring" list and roster, in Japanese
 * and English, and how both move when the server's clock does (MANABI_CLOCK_FILE). Also the
 * admin's assignment override: a renewal period of 1–60 months, refused with a clear message
 * otherwise, listed and audited.
 */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, auditLog, certificates, departments, waveDepartments, waves } from '../../db/schema/index.ts';
import { ensureDefaultAssignments, syncEnrolments } from '../../src/features/programme/assignments.server.ts';
import { rebuildCertificateRollupsIn } from '../../src/features/kpi/certificate-rollups.server.ts';
import { writeClockFile } from '../../src/platform/clock.server.ts';
import { formatDate } from '../../src/platform/dates.ts';
import { rawDrizzle, type Db } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { afterPost, get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { first } from '../../src/platform/query.ts';

const PASSWORD = 'certification views password';
const DAY = 86_400_000;
const TZ = 'Asia/Tokyo';
const started = Date.now();
const at = (days: number): Date => new Date(started + days * DAY);
let t: TempDb;
let server: RunningServer;
let db: Db;
let clockFile: string;
const ids: Record<string, number> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = tempDb();
  clockFile = path.join(t.dir, 'clock.json');
  writeClockFile(clockFile, 0);
  ids.admin = await addUser(t.db, { email: 'admin@example.com', password: PASSWORD, role: 'admin', department: 'IT', name: 'Admin' });
  ids.champion = await addUser(t.db, { email: 'champion@example.com', password: PASSWORD, role: 'champion', department: 'Sales', name: 'Chika Champion' });
  for (const name of ['Valid Val', 'Soon Sato', 'Past Pat', 'Renewed Rin', 'Never Nao']) {
    ids[name] = await addUser(t.db, { email: `${name.split(' ')[1]!.toLowerCase()}@example.com`, department: 'Sales', name });
  }
  ids['Hana Expired'] = await addUser(t.db, { email: 'hana@example.com', department: 'HR', name: 'Hana Expired' });
  const q = rawDrizzle(t.db);
  await ensureDefaultAssignments(q);
  await syncEnrolments(q);
  let n = 0;
  const certificate = async (name: string, cycle: number, issuedAt: Date, validUntil: Date | null) =>
    await q.insert(certificates).values({ code: `z${String(n++).padStart(23, '0')}`, userId: ids[name]!, tierId: 'basic', cycle, holderName: name, issuedAt, validUntil });
  await certificate('Valid Val', 1, at(-100), at(265));
  await certificate('Soon Sato', 1, at(-355), at(10));
  await certificate('Past Pat', 1, at(-385), at(-20));
  await certificate('Renewed Rin', 1, at(-500), at(-135));
  await certificate('Renewed Rin', 2, at(-100), at(265));
  await certificate('Hana Expired', 1, at(-400), at(-35));
  // Written straight into the table: derive the certificate roll-ups as a rebuild would.
  await rebuildCertificateRollupsIn(q, TZ);
  const salesId = first(await q.select({ id: departments.id }).from(departments).where(eq(departments.name, 'Sales')))!.id;
  ids.wave = first(await q.insert(waves).values({ name: 'Pilot', startDate: '2026-01-01', endDate: '2027-12-31' }).returning({ id: waves.id }))!.id;
  await q.insert(waveDepartments).values({ waveId: ids.wave, departmentId: salesId });
  void t.db.close();
  // Sessions outlive the test's eleven-day jump of the clock (the session limits follow the same clock).
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, env: { MANABI_CLOCK_FILE: clockFile, SESSION_MAX_HOURS: '1000', SESSION_IDLE_MINUTES: '30000' } });
  db = reopenDb(t.file);
  for (const who of ['admin', 'champion']) cookies[who] = (await signIn(server.url, `${who}@example.com`, PASSWORD)).cookie!;
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

async function page(pathname: string, who: 'admin' | 'champion'): Promise<Document> {
  const response = await get(server.url, pathname, cookies[who]);
  expect(response.status).toBe(200);
  return parseHTML(await response.text()).document;
}

const text = (node: Element | null | undefined): string => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** The cells of the row named `name` in the table under `root`. */
function row(root: Element | Document, name: string): string[] {
  const tr = [...root.querySelectorAll('tbody tr')].find((r) => text(r.querySelector('th')) === name);
  expect(tr, name).toBeDefined();
  return [...tr!.querySelectorAll('td')].slice(0, 5).map((td) => text(td));
}

describe('the dashboard', () => {
  it('shows certified now, expiring, expired and ever completed per tier and per department, with a bar', async () => {
    const doc = await page('/admin', 'admin');
    const section = doc.querySelector('section[aria-labelledby="certification"]')!;
    expect(text(section.querySelector('h2'))).toBe('修了証の状況');
    // Basic: everyone (8). Certified now: Val, Sato (expiring), Rin (renewed); expired: Pat, Hana.
    expect(row(section, '基礎')).toEqual(['8', '3人（37.5%）', '1人（12.5%）', '2人（25%）', '5人（62.5%）']);
    expect(section.querySelector('svg.cert-bar')?.getAttribute('aria-label')).toBe('対象者8人：有効3人（うち30日以内に期限切れ1人）、期限切れ2人、未修了3人');
    // Applied: the one champion, never completed.
    expect(row(section, '応用')).toEqual(['1', '0人（0%）', '0人（0%）', '0人（0%）', '0人（0%）']);
    const byDepartment = doc.querySelector('section[aria-labelledby="cert-by-department"]')!;
    const basic = byDepartment.querySelector('details')!;
    expect(basic.hasAttribute('open')).toBe(true);
    expect(row(basic, 'Sales')).toEqual(['6', '3人（50%）', '1人（16.7%）', '1人（16.7%）', '4人（66.7%）']);
    expect(row(basic, 'HR')).toEqual(['1', '0人（0%）', '0人（0%）', '1人（100%）', '1人（100%）']);

    const en = await page('/en/admin', 'admin');
    const enSection = en.querySelector('section[aria-labelledby="certification"]')!;
    expect([...enSection.querySelectorAll('thead th')].map((th) => text(th))).toEqual([
      'Tier',
      'Target users',
      'Certified now',
      'Expiring within 30 days',
      'Expired',
      'Ever completed',
      'Breakdown',
    ]);
    expect(row(enSection, 'Basic')).toEqual(['8', '3 people (37.5%)', '1 person (12.5%)', '2 people (25%)', '5 people (62.5%)']);
  });
});

describe('a wave page', () => {
  it('shows the certification status of the wave’s departments per tier', async () => {
    const doc = await page(`/admin/waves/${ids.wave}`, 'admin');
    const section = doc.querySelector('section[aria-labelledby="wave-certification"]')!;
    expect(text(section.querySelector('h2'))).toBe('修了証の状況');
    // Sales only: the five learners and the champion; HR's expired certificate is not counted.
    expect(row(section, '基礎')).toEqual(['6', '3人（50%）', '1人（16.7%）', '1人（16.7%）', '4人（66.7%）']);
    expect(section.querySelector('svg.cert-bar')).not.toBeNull();
  });
});

describe('the champion page', () => {
  it('lists who has expired or is expiring first, with counts, and each person’s state on the roster', async () => {
    const doc = await page('/champion', 'champion');
    const expiry = doc.querySelector('section[aria-labelledby="expiry"]')!;
    const main = doc.querySelector('main') ?? doc.body;
    const sections = [...main.querySelectorAll('section')].map((s) => s.getAttribute('aria-labelledby'));
    expect(sections[0]).toBe('expiry');
    expect(text(expiry.querySelector('.expiry-counts'))).toBe('基礎 30日以内に期限切れ 1人 期限切れ 1人');
    const date = (days: number) => formatDate(at(days), 'ja', TZ);
    expect([...expiry.querySelectorAll('.expiry li')].map((li) => text(li))).toEqual([`Past Pat — 基礎：${date(-20)}に期限切れ`, `Soon Sato — 基礎：${date(10)}に期限切れ予定`]);
    const roster = doc.querySelector('section[aria-labelledby="roster"]')!;
    const states = (name: string) =>
      [...[...roster.querySelectorAll('tbody tr')].find((r) => text(r.querySelector('.person')) === name)!.querySelectorAll('td.states .state')].map((s) => text(s));
    expect(states('Valid Val')).toEqual([`基礎：${date(265)}まで有効`]);
    expect(states('Soon Sato')).toEqual([`基礎：${date(10)}に期限切れ予定`]);
    expect(states('Past Pat')).toEqual([`基礎：${date(-20)}に期限切れ`]);
    expect(states('Renewed Rin')).toEqual([`基礎：${date(265)}まで有効`]);
    expect(states('Never Nao')).toEqual(['基礎：未修了']);
    // The champion is assigned Applied too: one line per tier.
    expect(states('Chika Champion')).toEqual(['基礎：未修了', '応用：未修了']);
    // Another department's expiry is not the Sales champion's business.
    expect(text(expiry)).not.toContain('Hana');

    const en = await page('/en/champion', 'champion');
    const enExpiry = en.querySelector('section[aria-labelledby="expiry"]')!;
    expect(text(enExpiry.querySelector('h2'))).toBe('Expired or expiring within 30 days');
    expect(text(enExpiry.querySelector('.expiry-counts'))).toBe('Basic Expiring within 30 days: 1 person Expired: 1 person');
    expect(text(enExpiry)).toContain(`Past Pat — Basic: Expired on ${formatDate(at(-20), 'en', TZ)}`);
  });

  it('moves with the server’s clock: eleven days on, the expiring certificate has expired', async () => {
    writeClockFile(clockFile, 11 * DAY);
    try {
      const doc = await page('/admin', 'admin');
      expect(row(doc.querySelector('section[aria-labelledby="certification"]')!, '基礎')).toEqual(['8', '2人（25%）', '0人（0%）', '3人（37.5%）', '5人（62.5%）']);
      const champion = await page('/champion', 'champion');
      expect(text(champion.querySelector('section[aria-labelledby="expiry"] .expiry-counts'))).toBe('基礎 30日以内に期限切れ 0人 期限切れ 2人');
    } finally {
      writeClockFile(clockFile, 0);
    }
  });
});

describe('the assignment override', () => {
  const create = (validForMonths: string) =>
    postForm(server.url, '/admin/assignments?_action=admin.createAssignment', cookies.admin!, {
      tierId: 'applied',
      target: 'role',
      role: 'learner',
      dueKind: 'none',
      validForMonths,
    });

  it('refuses a period outside 1–60 whole months with a clear message, and creates nothing', async () => {
    const before = (await rawDrizzle(db).select().from(assignments)).length;
    for (const bad of ['0', '61', '12.5', 'abc', '-3']) {
      const shown = await afterPost(server.url, await create(bad), cookies.admin);
      expect(shown.status, bad).toBe(400);
      const html = await shown.text();
      expect(html, bad).toContain('修了証の有効期間は、1〜60の整数（か月）で入力してください。');
      // What was typed stays in the field, marked invalid.
      const input = parseHTML(html).document.querySelector('#validForMonths')!;
      expect(input.getAttribute('aria-invalid')).toBe('true');
      expect(input.getAttribute('value')).toBe(bad);
    }
    expect(await rawDrizzle(db).select().from(assignments)).toHaveLength(before);
  });

  it('stores 1–60 months (full-width digits too), lists "renews every N months" and audits it', async () => {
    expect((await create('１２')).status).toBe(303);
    const stored = (await rawDrizzle(db).select().from(assignments)).at(-1)!;
    expect(stored).toMatchObject({ tierId: 'applied', targetKind: 'role', targetRole: 'learner', validForMonths: 12 });
    const audited = (await rawDrizzle(db).select().from(auditLog).where(eq(auditLog.action, 'assignment.created'))).at(-1)!;
    expect(audited).toMatchObject({ actorUserId: ids.admin, targetId: String(stored.id) });
    expect(audited.details).toMatchObject({ validForMonths: 12 });
    const list = await page('/admin/assignments', 'admin');
    const cells = [...list.querySelectorAll('tbody tr')].map((r) => text(r));
    expect(cells.filter((c) => c.includes('12か月ごとに更新'))).toHaveLength(1);
    expect(cells.filter((c) => c.includes('段階の設定どおり')).length).toBeGreaterThanOrEqual(3);
    expect(text((await page('/en/admin/assignments', 'admin')).querySelector('tbody'))).toContain('Renews every 12 months');
    // Empty: no override.
    expect((await create('')).status).toBe(303);
    expect((await rawDrizzle(db).select().from(assignments)).at(-1)!.validForMonths).toBeNull();
  });
});
