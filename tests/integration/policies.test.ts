/**
 * Policy acknowledgement (issue 14, item 3) on the real built server with the fixture policies
 * (tests/fixtures/content/policies: ai-usage v2 for all, required; champion-guide v1 for champions
 * and HR, required; reading-tips v1, optional), over plain HTTP: no JavaScript anywhere.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyAcknowledgements } from '../../db/schema/index.ts';
import { StatementSchema, type Statement } from '../../src/features/exports/xapi.ts';
import { saveWave } from '../../src/features/programme/waves.server.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { tempDir } from '../helpers/db.ts';
import { get } from '../helpers/http.ts';
import { clockOffset, pinnedClockFile } from '../helpers/server.ts';
import { post, startApp, submit, type App } from '../security/support.ts';
import { first as firstRow } from '../../src/platform/query.ts';

let app: App;

/**
 * The server's "now", fixed before the fixture's dates (a wave that ends 2026-12-31), so the test does not change
 * meaning once the real calendar passes them.
 */
const NOW = '2026-11-25T03:00:00Z';

let clockFile: string;

beforeAll(async () => {
  clockFile = pinnedClockFile(tempDir(), NOW);
  app = await startApp({
    env: { MANABI_CLOCK_FILE: clockFile },
    users: {
      lea: { department: '営業部', name: 'Lea Learner' },
      leo: { department: '営業部', name: 'Leo Learner' },
      sam: { department: '営業部', name: '=HYPERLINK("http://evil.example")' },
      hana: { department: 'HR', name: 'Hana Hr' },
      cham: { department: '営業部', role: 'champion', name: 'Cham Pion' },
      ada: { department: 'IT', role: 'admin', name: 'Ada Admin' },
      old: { department: 'IT', name: 'Olga Oldversion' },
    },
    prepare: async (db) => {
      const sales = await ensureDepartment(rawDrizzle(db), '営業部');
      const hr = await ensureDepartment(rawDrizzle(db), 'HR');
      const it = await ensureDepartment(rawDrizzle(db), 'IT');
      await saveWave(db, { name: 'Pilot', position: 0, startDate: '2026-04-01', endDate: '2026-06-30', description: null, departmentIds: [sales], targets: [] });
      await saveWave(db, { name: 'Expansion', position: 1, startDate: '2026-07-01', endDate: '2026-12-31', description: null, departmentIds: [hr, it], targets: [] });
    },
  });
  // Olga confirmed version 1 before version 2 was published (the history a new version leaves).
  await rawDrizzle(app.db)
    .insert(policyAcknowledgements)
    .values({ userId: app.ids.old!, policyId: 'ai-usage', version: 1, locale: 'ja', acknowledgedAt: new Date('2026-10-01T00:00:00Z') });
});

afterAll(async () => {
  await app?.stop();
});

const lesson = '/learn/basic-ai-essentials/what-is-generative-ai';
const PAGES = [
  '/home',
  '/tiers/basic',
  '/learn/basic-ai-essentials',
  lesson,
  '/quiz/basic-ai-essentials',
  '/search',
  '/account',
  '/policies/reading-tips',
  '/en/home',
  `/en${lesson}`,
];

/** The page's HTML, asserting it rendered in full: the banner never replaces or blocks a page. */
async function page(path: string, who: string): Promise<string> {
  const response = await get(app.url, path, app.cookies[who]);
  expect(response.status, `${who} ${path}`).toBe(200);
  const html = await response.text();
  expect(html, path).toContain('<footer');
  return html;
}

const banner = (html: string): string | null => /<aside[^>]*data-policy-banner[\s\S]*?<\/aside>/.exec(html)?.[0] ?? null;
const rows = async (who: string) => await rawDrizzle(app.db).select().from(policyAcknowledgements).where(eq(policyAcknowledgements.userId, app.ids[who]!));

describe('the policy banner', () => {
  it('shows on every signed-in page until the current version is acknowledged, and blocks nothing', async () => {
    for (const path of PAGES) {
      const html = await page(path, 'lea');
      const shown = banner(html);
      expect(shown, path).not.toBeNull();
      expect(shown, path).toContain(path.startsWith('/en') ? 'href="/en/policies/ai-usage"' : 'href="/policies/ai-usage"');
      // for all, required: asks; optional and champion-only policies: do not
      expect(shown, path).not.toContain('reading-tips');
      expect(shown, path).not.toContain('champion-guide');
      // the page's own content and forms are all there
      expect(html, path).toMatch(/<h1[\s>]/);
    }
    expect(await page(lesson, 'lea')).toContain('lesson.complete');
    expect(banner(await page('/admin', 'ada'))).toContain('/policies/ai-usage');

    // acknowledged through the page's form (no JavaScript): post, 303, the page says so
    const posted = await post(app.url, '/policies/ai-usage?_action=policy.acknowledge', app.cookies.lea, { policyId: 'ai-usage', version: '2' });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/policies/ai-usage#post-result');
    const answer = await (await submit(app.url, '/policies/ai-usage?_action=policy.acknowledge', app.cookies.lea, { policyId: 'ai-usage', version: '2' })).text();
    expect(answer).toMatch(/id="post-result"[^>]*>[\s\S]*第2版を確認しました/);
    expect(banner(answer)).toBeNull();
    for (const path of PAGES) expect(banner(await page(path, 'lea')), path).toBeNull();
    // stored once (the second post was a double submit), with the version, the time and the language
    const stored = await rows('lea');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ policyId: 'ai-usage', version: 2, locale: 'ja' });
    // stamped with the server's clock, not the test's
    expect(Date.now() + clockOffset(clockFile) - stored[0]!.acknowledgedAt.getTime()).toBeLessThan(60_000);
    // others are still asked
    expect(banner(await page('/home', 'leo'))).not.toBeNull();
  });

  it('asks again for a new version: an acknowledgement of version 1 does not count for version 2', async () => {
    const html = await page('/home', 'old');
    expect(banner(html)).toContain('/policies/ai-usage');
    expect(banner(html)).toContain('前回の確認の後に改定されました');
    const policyPage = await page('/policies/ai-usage', 'old');
    expect(policyPage).toContain('第2版を読みました。内容を守ります');
    expect(policyPage).toContain('この版の変更点');
    expect(policyPage).toMatch(/第1版：2026年10月1日/);
  });

  it('asks those in the audience only: roles and departments', async () => {
    expect(banner(await page('/home', 'hana'))).toContain('/policies/champion-guide');
    expect(banner(await page('/home', 'cham'))).toContain('/policies/champion-guide');
    expect(banner(await page('/home', 'leo'))).not.toContain('champion-guide');
    const notForLeo = await page('/policies/champion-guide', 'leo');
    expect(notForLeo).toContain('このポリシーは、確認をお願いする対象ではありません。');
    expect(notForLeo).not.toContain('policy.acknowledge');
  });

  it('renders the policy in both languages, and confirms in English with the reading language stored', async () => {
    const en = await page('/en/policies/ai-usage', 'leo');
    expect(en).toMatch(/<h1 lang="en"[^>]*>Test AI usage policy<\/h1>/);
    expect(en).toContain('I have read version 2 and will follow it');
    expect(en).toContain('Use only company-approved AI.');
    const ja = await page('/policies/ai-usage', 'leo');
    expect(ja).toContain('テスト用AI利用ポリシー');
    expect(ja).toContain('会社承認のAIだけを使います。');
    const answer = await (await submit(app.url, '/en/policies/ai-usage?_action=policy.acknowledge', app.cookies.leo, { policyId: 'ai-usage', version: '2' })).text();
    expect(answer).toContain('You confirmed version 2 on');
    expect(await rows('leo')).toMatchObject([{ policyId: 'ai-usage', version: 2, locale: 'en' }]);
    // a policy with one language is shown in it, with a note
    const tips = await page('/en/policies/reading-tips', 'leo');
    expect(tips).toContain('This policy is not available in English yet');
    expect((await get(app.url, '/policies/no-such-policy', app.cookies.leo)).status).toBe(404);
  });

  it('lets a learner acknowledge only for themselves, only the current version, only a policy that asks them', async () => {
    const before = (await rows('hana')).length;
    const version1 = await submit(app.url, '/policies/ai-usage?_action=policy.acknowledge', app.cookies.hana, { policyId: 'ai-usage', version: '1' });
    expect(version1.status).toBe(409);
    expect(await version1.text()).toContain('ページを開いた後にポリシーが改定されました');
    expect((await submit(app.url, '/policies/ai-usage?_action=policy.acknowledge', app.cookies.hana, { policyId: 'ai-usage', version: '3' })).status).toBe(409);
    const forOther = await post(app.url, '/_actions/policy.acknowledge', app.cookies.hana, { policyId: 'ai-usage', version: '2', userId: String(app.ids.sam) });
    expect(forOther.status).toBe(400);
    expect((await post(app.url, '/_actions/policy.acknowledge', app.cookies.leo, { policyId: 'champion-guide', version: '1' })).status).toBe(403);
    expect((await post(app.url, '/_actions/policy.acknowledge', app.cookies.leo, { policyId: 'zz-unknown', version: '1' })).status).toBe(404);
    expect((await post(app.url, '/_actions/policy.acknowledge', null, { policyId: 'ai-usage', version: '2' })).status).toBe(401);
    expect(await rows('hana')).toHaveLength(before);
    expect(await rows('sam')).toHaveLength(0);
    expect((await rows('leo')).filter((r) => r.policyId === 'champion-guide')).toHaveLength(0);
  });
});

describe('the admin view and exports', () => {
  // Known answers after the tests above: ai-usage v2 confirmed by lea, leo (営業部) and, here, hana (HR)
  // and ada (IT). 営業部: lea, leo, sam, cham → 2 of 4 = 50 %; HR: 1 of 1; IT: ada of ada, old → 50 %.
  beforeAll(async () => {
    for (const who of ['hana', 'ada']) {
      expect((await submit(app.url, '/policies/ai-usage?_action=policy.acknowledge', app.cookies[who], { policyId: 'ai-usage', version: '2' })).status).toBe(200);
    }
  });

  it('shows the rate per department and per wave, and who is missing', async () => {
    const html = await page('/admin/policies', 'ada');
    const report = /<section class="policy-report[^"]*"[^>]*data-policy="ai-usage"[\s\S]*?(?=<section class="policy-report|<\/main>)/.exec(html)![0];
    expect(report).toContain('対象7人のうち4人が最新の版を確認しました（57.1%）');
    const cells = (kind: string) =>
      [
        ...(/data-rates="[a-z]+"/.test(report)
          ? report
              .split(`data-rates="${kind}"`)[1]!
              .split('</table>')[0]!
              .matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)
          : []),
      ]
        .slice(1)
        .map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()));
    expect(cells('departments')).toEqual([
      ['HR', '1', '1', '100%'],
      ['IT', '2', '1', '50%'],
      ['営業部', '4', '2', '50%'],
    ]);
    expect(cells('waves')).toEqual([
      ['Pilot', '4', '2', '50%'],
      ['Expansion', '3', '2', '66.7%'],
    ]);
    const missing = report.split('data-missing')[1]!.split('</table>')[0]!;
    for (const name of ['Olga Oldversion', 'Cham Pion', '=HYPERLINK']) expect(missing).toContain(name);
    for (const name of ['Lea Learner', 'Leo Learner', 'Hana Hr', 'Ada Admin']) expect(missing).not.toContain(name);
    // history per version
    expect(report).toMatch(/第2版<\/th>\s*<td class="num"[^>]*>4<\/td>/);
    expect(report).toMatch(/第1版<\/th>\s*<td class="num"[^>]*>1<\/td>/);
    expect(report).toMatch(/<h3 id="policy-ai-usage-missing"[^>]*>まだ確認していない人<\/h3>/);
    // An optional policy's list says nobody is asked to confirm it.
    const optional = /<section class="policy-report[^"]*"[^>]*data-policy="reading-tips"[\s\S]*?(?=<section class="policy-report|<\/main>)/.exec(html)![0];
    expect(optional).toContain('まだ確認していない人（任意のポリシーなので、確認は求めていません）');
    // the English page
    expect(await page('/en/admin/policies', 'ada')).toContain('4 of 7 confirmed the current version (57.1%)');
    // learners and champions may not see it
    expect((await get(app.url, '/admin/policies', app.cookies.lea)).status).toBe(403);
    expect((await get(app.url, '/admin/policies', app.cookies.cham)).status).toBe(403);
  });

  it('exports every acknowledgement as CSV (formulas defused) from the exports page', async () => {
    expect(await page('/admin/exports', 'ada')).toContain('href="/admin/exports/policies.csv"');
    // Sam confirms too, so his name (a formula) is in the export.
    await submit(app.url, '/policies/ai-usage?_action=policy.acknowledge', app.cookies.sam, { policyId: 'ai-usage', version: '2' });
    const response = await get(app.url, '/admin/exports/policies.csv', app.cookies.ada);
    expect(response.status).toBe(200);
    const csv = await response.text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('email,name,department,policy_id,policy_title,version,current_version,is_current,acknowledged_at,reading_language');
    expect(lines).toContainEqual(expect.stringMatching(/^lea@example\.com,Lea Learner,営業部,ai-usage,テスト用AI利用ポリシー,2,2,yes,\d{4}-\d{2}-\d{2}T[\d:.]+Z,ja$/));
    expect(lines).toContainEqual(expect.stringMatching(/^leo@example\.com,.*,ai-usage,.*,2,2,yes,.*,en$/));
    expect(lines).toContainEqual('old@example.com,Olga Oldversion,IT,ai-usage,テスト用AI利用ポリシー,1,2,no,2026-10-01T00:00:00.000Z,ja');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect((await get(app.url, '/admin/exports/policies.csv', app.cookies.lea)).status).toBe(403);
  });

  it('sends an xAPI "accepted" statement per acknowledgement, valid and stable', async () => {
    const first = (await (await get(app.url, '/admin/exports/xapi.json', app.cookies.ada)).json()) as Statement[];
    const accepted = first.filter((s) => s.verb.id === 'http://activitystrea.ms/schema/1.0/accept');
    expect(accepted).toHaveLength((await rawDrizzle(app.db).select().from(policyAcknowledgements)).length);
    for (const statement of accepted) expect(StatementSchema.safeParse(statement).success, JSON.stringify(statement)).toBe(true);
    const lea = firstRow(await rawDrizzle(app.db).select().from(policyAcknowledgements).where(eq(policyAcknowledgements.userId, app.ids.lea!)))!;
    const leas = accepted.find((s) => s.timestamp === lea.acknowledgedAt.toISOString() && s.object.id.endsWith('/xapi/activities/policy/ai-usage/version/2'))!;
    expect(leas.verb.display['en-US']).toBe('accepted');
    expect(leas.object.definition).toEqual({
      name: { 'ja-JP': 'テスト用AI利用ポリシー（第2版）', 'en-US': 'Test AI usage policy (version 2)' },
      type: 'http://id.tincanapi.com/activitytype/document',
    });
    expect(JSON.stringify(leas)).not.toContain('lea@example.com');
    expect(accepted.some((s) => s.object.id.endsWith('/policy/ai-usage/version/1'))).toBe(true);
    // the same records give the same statement ids
    const again = (await (await get(app.url, '/admin/exports/xapi.json', app.cookies.ada)).json()) as Statement[];
    expect(again.filter((s) => s.verb.id.endsWith('/accept')).map((s) => s.id)).toEqual(accepted.map((s) => s.id));
  });
});
