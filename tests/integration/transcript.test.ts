/**
 * Transcripts and the evidence export (issue 14, item 4) on the real built server with a real
 * SQLite file, over plain HTTP: a learner with two cycles of Basic (cycle 1 in 2025, its
 * certificate expired; cycle 2 now, with content versions) and a policy acknowledgement; the
 * learner's page and CSV, the admin's view of anyone, who may not see them, and the evidence
 * table with known answers today and as of past days. The records are written with the real
 * schema before the server starts (the fixture's tiers do not expire, so no renewal could be
 * driven through the pages).
 */
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, certificates, lessonCompletions, policyAcknowledgements, quizAttempts, users } from '../../db/schema/index.ts';
import { StatementSchema, type Statement } from '../../src/features/exports/xapi.ts';
import { rawDrizzle, type Db } from '../../src/platform/db.server.ts';
import { writeClockFile } from '../../src/platform/clock.server.ts';
import { tempDir } from '../helpers/db.ts';
import { get } from '../helpers/http.ts';
import { startApp, type App } from '../security/support.ts';
import { first } from '../../src/platform/query.ts';

const SITE = 'https://manabi.example.co.jp';
const V_LESSON = 'c0ffee1234abcdef0001';
const V_QUIZ = 'deadbeef99887766aaaa';
const at = (iso: string): Date => new Date(iso);

let app: App;

/** A certificate code of the real alphabet (a–z, 2–9), so the certificate pages can find it. */
const codeOf = (key: string, cycle: number): string => `${key}${['', 'one', 'two'][cycle]}`.padEnd(24, 'z');

/** Lea's two cycles of Basic, and the certificates of the others the evidence table reports. */
async function prepare(db: Db, ids: Record<string, number>): Promise<void> {
  const q = rawDrizzle(db);
  const lea = ids.lea!;
  await q.insert(lessonCompletions).values([
    { userId: lea, lessonId: 'what-is-generative-ai', cycle: 1, completedAt: at('2025-01-10T01:00:00Z') },
    { userId: lea, lessonId: 'safe-use-basics', cycle: 1, completedAt: at('2025-01-10T02:00:00Z') },
    { userId: lea, lessonId: 'what-is-generative-ai', cycle: 2, contentVersion: V_LESSON, completedAt: at('2026-11-20T01:00:00Z') },
    { userId: lea, lessonId: 'safe-use-basics', cycle: 2, contentVersion: V_LESSON, completedAt: at('2026-11-20T02:00:00Z') },
  ]);
  const attempt = (id: string, cycle: number, version: string, submitted: string, score: number) => ({
    id,
    userId: lea,
    quizId: 'basic-ai-essentials',
    cycle,
    contentVersion: version,
    startedAt: new Date(at(submitted).getTime() - 60_000),
    submittedAt: at(submitted),
    score,
    maxScore: 3,
    passed: score === 3,
  });
  await q
    .insert(quizAttempts)
    .values([
      attempt('lea-attempt-1-aaaaaaaaaaaa', 1, '', '2025-01-10T03:00:00Z', 1),
      attempt('lea-attempt-2-aaaaaaaaaaaa', 1, '', '2025-01-11T00:30:00Z', 3),
      attempt('lea-attempt-3-aaaaaaaaaaaa', 2, V_QUIZ, '2026-11-21T00:00:00Z', 3),
    ]);
  const certificate = (key: string, cycle: number, issued: string, until: string | null, tierId = 'basic') => ({
    code: codeOf(key, cycle),
    userId: ids[key]!,
    tierId,
    cycle,
    holderName: key,
    issuedAt: at(issued),
    validUntil: until === null ? null : at(until),
  });
  await q
    .insert(certificates)
    .values([
      certificate('lea', 1, '2025-01-11T00:30:00Z', '2026-01-11T00:30:00Z'),
      certificate('lea', 2, '2026-11-21T00:00:00Z', '2027-11-21T00:00:00Z'),
      certificate('eve', 1, '2025-12-20T00:00:00Z', '2026-12-10T00:00:00Z'),
      certificate('exa', 1, '2025-06-01T00:00:00Z', '2026-06-01T00:00:00Z'),
      certificate('gone', 1, '2026-01-01T00:00:00Z', null),
    ]);
  await q.insert(policyAcknowledgements).values([
    { userId: lea, policyId: 'ai-usage', version: 2, locale: 'en', acknowledgedAt: at('2026-10-01T00:00:00Z') },
    { userId: ids.eve!, policyId: 'ai-usage', version: 1, locale: 'ja', acknowledgedAt: at('2025-10-01T00:00:00Z') },
  ]);
  await q.update(users).set({ active: false }).where(eq(users.id, ids.gone!));
}

/**
 * The server's "now", fixed near the fixture's dates: the certificates' statuses (certified,
 * expiring within 30 days, expired) are read against it, not against the day the suite runs.
 */
const NOW = Date.parse('2026-11-25T03:00:00Z');

beforeAll(async () => {
  const clockFile = path.join(tempDir(), 'clock.json');
  writeClockFile(clockFile, NOW - Date.now());
  app = await startApp({
    users: {
      lea: { department: '営業部', name: 'Lea Learner' },
      eve: { department: '営業部', name: 'Eve Expiring' },
      exa: { department: '営業部', name: 'Exa Expired' },
      nev: { department: '営業部', name: '=HYPERLINK("http://evil.example")' },
      gone: { department: '営業部', name: 'Gone Leaver', password: null },
      hana: { department: 'HR', name: 'Hana Hr' },
      cham: { department: '営業部', role: 'champion', name: 'Cham Pion' },
      ada: { department: 'IT', role: 'admin', name: 'Ada Admin' },
    },
    env: { SITE_URL: SITE, MANABI_CLOCK_FILE: clockFile },
    prepare,
  });
});

afterAll(async () => {
  await app?.stop();
});

async function html(path: string, who: string): Promise<string> {
  const response = await get(app.url, path, app.cookies[who]);
  expect(response.status, `${who} ${path}`).toBe(200);
  // Without Astro's scoping attributes, so the markup reads as written.
  return (await response.text()).replaceAll(/ data-astro-cid-\w+/g, '');
}

async function csv(path: string, who: string): Promise<{ response: Response; text: string; rows: Record<string, string>[] }> {
  const response = await get(app.url, path, app.cookies[who]);
  expect(response.status, `${who} ${path}`).toBe(200);
  // Bytes, not response.text(): that would drop a BOM.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
  return { response, text, rows: parse(text, { columns: true, bom: true }) as Record<string, string>[] };
}

const exportAudits = async (id: string) =>
  await rawDrizzle(app.db)
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'export.downloaded'), eq(auditLog.targetId, id)));

describe('the learner’s transcript', () => {
  it('lists both cycles of Basic with their dates, versions and certificates, and the policy acknowledgement', async () => {
    const page = await html('/transcript', 'lea');
    expect(page).toContain('<h1>受講履歴</h1>');
    const cycle1 = page.indexOf('1回目（初回）');
    const cycle2 = page.indexOf('2回目（更新）');
    expect(cycle1).toBeGreaterThan(0);
    expect(cycle2).toBeGreaterThan(cycle1);
    const first = page.slice(cycle1, cycle2);
    const second = page.slice(cycle2, page.indexOf('id="policies-heading"'));
    // cycle 1: started, issued, expired, records from before versions
    expect(first).toContain('2025年1月10日');
    expect(first).toMatch(/修了証の発行<\/dt>\s*<dd>2025年1月11日/);
    expect(first).toMatch(/2026年1月11日\s*<span class="status-bad">（期限切れ）/);
    expect(first).toContain('記録なし');
    expect(first).toContain('1/3（33.3%）');
    expect(first).toContain(`href="/certificates/${codeOf('lea', 1)}"`);
    // cycle 2: the new version, short, with the full value at hand
    expect(second).toContain('2026年11月20日');
    expect(second).toMatch(/2027年11月21日\s*<span class="status-ok">（有効）/);
    expect(second).toContain(`<code title="${V_LESSON}">c0ffee1</code>`);
    expect(second).toContain(`<code title="${V_QUIZ}">deadbee</code>`);
    expect(second).not.toContain('記録なし');
    expect(page).toContain('有効な修了証があります');
    expect(page).toMatch(/テスト用AI利用ポリシー[\s\S]*第2版[\s\S]*現行の版[\s\S]*English/);

    const english = await html('/en/transcript', 'lea');
    expect(english).toContain('Cycle 1 (first)');
    expect(english).toContain('Cycle 2 (renewal)');
    expect(english).toContain('What generative AI is');
    expect(english).toContain('not recorded');
    expect(english).toContain('href="/en/transcript.csv"');
  });

  it('is linked from the account and home pages, and shows someone without records where to start', async () => {
    expect(await html('/account', 'lea')).toContain('href="/transcript"');
    expect(await html('/home', 'lea')).toContain('href="/transcript"');
    const empty = await html('/en/transcript', 'nev');
    expect(empty).toMatch(/No training recorded yet\.\s*<a href="\/en\/tiers\/basic">Start with Basic\.<\/a>/);
    expect(empty).not.toContain('Cycle 1');
  });

  it('is always the session’s own, whatever the address says', async () => {
    const page = await html(`/transcript?userId=${app.ids.lea}&user=${app.ids.lea}`, 'eve');
    expect(page).toContain('Eve Expiring');
    expect(page).not.toContain('Lea Learner');
    const { text } = await csv(`/transcript.csv?userId=${app.ids.lea}`, 'eve');
    expect(text).not.toContain(codeOf('lea', 1));
  });

  it('comes as CSV: one row per event, versions in full, dates with the offset, a BOM on request', async () => {
    const { response, text, rows } = await csv('/transcript.csv', 'lea');
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="manabi-transcript-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(text.startsWith('\uFEFF')).toBe(false);
    expect(text.split('\r\n')[0]).toBe('type,tier_id,cycle,item_id,item_title,content_version,date,score,max_score,passed,certificate_code,valid_until,policy_version,locale');
    expect(rows.map((r) => `${r.type} ${r.cycle} ${r.item_id}`)).toEqual([
      'completion 1 what-is-generative-ai',
      'completion 1 safe-use-basics',
      'attempt 1 basic-ai-essentials',
      'attempt 1 basic-ai-essentials',
      'certificate 1 basic',
      'completion 2 what-is-generative-ai',
      'completion 2 safe-use-basics',
      'attempt 2 basic-ai-essentials',
      'certificate 2 basic',
      'policy  ai-usage',
    ]);
    expect(rows[7]).toMatchObject({
      content_version: V_QUIZ,
      date: '2026-11-21T09:00:00.000+09:00',
      score: '3',
      max_score: '3',
      passed: 'yes',
      item_title: '生成AIの基本 確認テスト',
    });
    expect(rows[8]).toMatchObject({ certificate_code: codeOf('lea', 2), valid_until: '2027-11-21T09:00:00.000+09:00' });
    expect(rows[9]).toMatchObject({ policy_version: '2', locale: 'en' });
    const english = await csv('/en/transcript.csv?bom=1', 'lea');
    expect(english.text.startsWith('\uFEFF')).toBe(true);
    expect(english.rows[0]!.item_title).toBe('What generative AI is');
  });
});

describe('an admin’s view of anyone’s transcript', () => {
  it('shows the same record, with the user listed on /admin/users, and its CSV audited', async () => {
    const path = `/admin/users/${app.ids.lea}/transcript`;
    expect(await html('/admin/users', 'ada')).toContain(`href="${path}"`);
    const page = await html(path, 'ada');
    expect(page).toContain('Lea Learner');
    expect(page).toContain('2回目（更新）');
    // certificates link to the public check, not the holder's page
    expect(page).toContain(`href="/verify/${codeOf('lea', 2)}"`);
    expect(page).toContain(`href="${path}.csv"`);
    const before = (await exportAudits('transcript')).length;
    const { response, rows } = await csv(`${path}.csv`, 'ada');
    expect(response.headers.get('content-disposition')).toMatch(new RegExp(`filename="manabi-transcript-${app.ids.lea}-\\d{4}-\\d{2}-\\d{2}\\.csv"`));
    expect(rows).toHaveLength(10);
    const audits = await exportAudits('transcript');
    expect(audits).toHaveLength(before + 1);
    expect(audits.at(-1)).toMatchObject({ actorUserId: app.ids.ada, details: { userId: app.ids.lea, bom: false } });
    // a deactivated user's transcript is there too
    expect(await html(`/en/admin/users/${app.ids.gone}/transcript`, 'ada')).toMatch(/Learner · Deactivated/);
  });

  it('answers 404 for no such user, however it is spelled', async () => {
    for (const spelling of ['999999', '0', `0${app.ids.lea}`, 'abc', `${app.ids.lea}.0`, '-1', '1e1', `%20${app.ids.lea}`]) {
      expect((await get(app.url, `/admin/users/${spelling}/transcript`, app.cookies.ada)).status, spelling).toBe(404);
      expect((await get(app.url, `/admin/users/${spelling}/transcript.csv`, app.cookies.ada)).status, spelling).toBe(404);
    }
  });

  it('is refused to learners and champions (403, audited as a denial), and to anonymous visitors', async () => {
    for (const who of ['eve', 'cham']) {
      for (const path of [`/admin/users/${app.ids.lea}/transcript`, `/en/admin/users/${app.ids.lea}/transcript`, `/admin/users/${app.ids.lea}/transcript.csv`]) {
        const response = await get(app.url, path, app.cookies[who]);
        expect(response.status, `${who} ${path}`).toBe(403);
        expect(await response.text()).not.toContain('Lea Learner');
      }
    }
    const denied = await rawDrizzle(app.db)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'access.denied'), eq(auditLog.actorUserId, app.ids.cham!)));
    expect(denied.length).toBeGreaterThanOrEqual(3);
    const anonymous = await get(app.url, `/admin/users/${app.ids.lea}/transcript`);
    expect(anonymous.status).toBe(302);
    const csvAnonymous = await get(app.url, '/transcript.csv');
    expect(csvAnonymous.status).toBe(302);
    expect(csvAnonymous.headers.get('location')).toBe('/login?next=%2Ftranscript.csv');
  });
});

describe('the evidence export', () => {
  const byName = (rows: Record<string, string>[]) => new Map(rows.map((r) => [r.name, r]));

  it('gives per person the standing of each tier, valid-until, policy versions and last training, today', async () => {
    const before = (await exportAudits('evidence')).length;
    const { response, text, rows } = await csv('/admin/exports/evidence.csv', 'ada');
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="manabi-evidence-company-\d{4}-\d{2}-\d{2}\.csv"$/);
    const people = byName(rows);
    // active people only by default
    expect([...people.keys()].sort()).toEqual([`'=HYPERLINK("http://evil.example")`, 'Ada Admin', 'Cham Pion', 'Eve Expiring', 'Exa Expired', 'Hana Hr', 'Lea Learner']);
    expect(people.get('Lea Learner')).toMatchObject({
      public_id: await publicIdOf('lea'),
      email: 'lea@example.com',
      department: '営業部',
      role: 'learner',
      active: 'yes',
      basic_status: 'certified',
      basic_valid_until: '2027-11-21T09:00:00.000+09:00',
      applied_status: 'never',
      'policy_ai-usage_acknowledged_version': '2',
      'policy_ai-usage_current_version': '2',
      'policy_champion-guide_acknowledged_version': 'not_applicable',
      last_training_at: '2026-11-21T09:00:00.000+09:00',
    });
    expect(people.get('Eve Expiring')).toMatchObject({ basic_status: 'expiring', basic_valid_until: '2026-12-10T09:00:00.000+09:00', 'policy_ai-usage_acknowledged_version': '1' });
    expect(people.get('Exa Expired')).toMatchObject({ basic_status: 'expired', basic_valid_until: '2026-06-01T09:00:00.000+09:00', last_training_at: '' });
    expect(people.get('Hana Hr')).toMatchObject({
      basic_status: 'never',
      'policy_ai-usage_acknowledged_version': 'missing',
      'policy_champion-guide_acknowledged_version': 'missing',
    });
    // a formula in a name is defused
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(await exportAudits('evidence')).toHaveLength(before + 1);
    expect((await exportAudits('evidence')).at(-1)).toMatchObject({ actorUserId: app.ids.ada, details: { bom: false, departmentId: null, inactive: false } });
  });

  it('uses only what was recorded by a past day', async () => {
    const june = byName((await csv('/admin/exports/evidence.csv?asOf=2025-06-30', 'ada')).rows);
    // Lea's first certificate counts, her renewal (issued later) does not; nor her later acknowledgement
    expect(june.get('Lea Learner')).toMatchObject({
      as_of: '2025-06-30',
      basic_status: 'certified',
      basic_valid_until: '2026-01-11T09:30:00.000+09:00',
      'policy_ai-usage_acknowledged_version': 'missing',
      last_training_at: '2025-01-11T09:30:00.000+09:00',
    });
    expect(june.get('Exa Expired')).toMatchObject({ basic_status: 'certified' });
    expect(june.get('Eve Expiring')).toMatchObject({ basic_status: 'never', 'policy_ai-usage_acknowledged_version': 'missing' });
    const december = byName((await csv('/admin/exports/evidence.csv?asOf=2025-12-20', 'ada')).rows);
    expect(december.get('Lea Learner')).toMatchObject({ basic_status: 'expiring' });
    expect(december.get('Eve Expiring')).toMatchObject({ basic_status: 'certified', basic_valid_until: '2026-12-10T09:00:00.000+09:00' });
    const lapsed = byName((await csv('/admin/exports/evidence.csv?asOf=2026-01-11', 'ada')).rows);
    expect(lapsed.get('Lea Learner')).toMatchObject({ basic_status: 'expired', basic_valid_until: '2026-01-11T09:30:00.000+09:00' });
  });

  it('narrows to a department, includes deactivated people on request, and writes a BOM for Excel', async () => {
    const sales = first(await rawDrizzle(app.db).select().from(users).where(eq(users.id, app.ids.lea!)))!.departmentId!;
    const { response, text, rows } = await csv(`/admin/exports/evidence.csv?department=${sales}&inactive=1&bom=1`, 'ada');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(response.headers.get('content-disposition')).toContain(`manabi-evidence-${sales}-`);
    const people = byName(rows);
    expect(people.has('Hana Hr')).toBe(false);
    expect(people.has('Ada Admin')).toBe(false);
    // Inserted without a validity: at start the server gives it the fixture tier's 12 months.
    expect(people.get('Gone Leaver')).toMatchObject({ active: 'no', basic_status: 'certified' });
    expect(people.get('Gone Leaver')!.basic_valid_until).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('refuses a day after today, a bad day or an unknown department with a 400, and is not exported then', async () => {
    const before = (await exportAudits('evidence')).length;
    for (const query of ['asOf=2999-01-01', 'asOf=2026-02-30', 'asOf=yesterday', 'department=999999', 'department=abc', 'inactive=maybe']) {
      const response = await get(app.url, `/admin/exports/evidence.csv?${query}`, app.cookies.ada);
      expect(response.status, query).toBe(400);
      expect(await response.text(), query).not.toMatch(/Error|at \w+ \(/);
    }
    expect(await exportAudits('evidence')).toHaveLength(before);
  });

  it('is refused to learners and champions', async () => {
    for (const who of ['lea', 'cham']) expect((await get(app.url, '/admin/exports/evidence.csv', app.cookies[who])).status, who).toBe(403);
    const page = await html('/admin/exports', 'ada');
    expect(page).toContain('action="/admin/exports/evidence.csv"');
    expect(page).toContain('name="asOf"');
  });
});

describe('xAPI statements of the two cycles', () => {
  it('carry the cycle and the content version under SITE_URL, validate, and tell the cycles apart', async () => {
    const response = await get(app.url, '/admin/exports/xapi.json', app.cookies.ada);
    expect(response.status).toBe(200);
    const statements = (await response.json()) as Statement[];
    for (const s of statements) expect(StatementSchema.safeParse(s).success, JSON.stringify(s)).toBe(true);
    const lea = await publicIdOf('lea');
    const mine = statements.filter((s) => s.actor.account.name === lea);
    const cycle = (s: Statement) => s.context?.extensions?.[`${SITE}/xapi/extensions/cycle`];
    const version = (s: Statement) => s.context?.extensions?.[`${SITE}/xapi/extensions/content-version`];
    const lessons = mine.filter((s) => s.object.id === `${SITE}/xapi/activities/lesson/what-is-generative-ai`);
    expect(lessons.map((s) => [cycle(s), version(s)])).toEqual([
      [1, undefined],
      [2, V_LESSON],
    ]);
    expect(new Set(lessons.map((s) => s.id)).size).toBe(2);
    const attempts = mine.filter((s) => s.object.id === `${SITE}/xapi/activities/quiz/basic-ai-essentials`);
    expect(attempts.map((s) => [cycle(s), version(s), s.verb.id.split('/').at(-1)])).toEqual([
      [1, undefined, 'failed'],
      [1, undefined, 'passed'],
      [2, V_QUIZ, 'passed'],
    ]);
    const courses = mine.filter((s) => s.object.id === `${SITE}/xapi/activities/course/basic-ai-essentials`);
    expect(courses.map((s) => [cycle(s), s.timestamp])).toEqual([
      [1, '2025-01-11T00:30:00.000Z'],
      [2, '2026-11-21T00:00:00.000Z'],
    ]);
    const certificatesOf = mine.filter((s) => s.object.definition.type === 'http://id.tincanapi.com/activitytype/certificate');
    expect(certificatesOf.map((s) => [cycle(s), s.context?.extensions?.[`${SITE}/xapi/extensions/valid-until`], s.object.definition.name['ja-JP']])).toEqual([
      [1, '2026-01-11T00:30:00.000Z', '修了証：基礎'],
      [2, '2027-11-21T00:00:00.000Z', '修了証：基礎'],
    ]);
    expect(new Set(statements.map((s) => s.id)).size).toBe(statements.length);
  });
});

async function publicIdOf(key: string): Promise<string> {
  return first(await rawDrizzle(app.db).select().from(users).where(eq(users.id, app.ids[key]!)))!.publicId;
}
