/**
 * Issue 12, item 8 in Chromium, on the SVG the server sends: a programme whose first user joined
 * two months ago, with a baseline period before that and a date filter of twelve months.
 * No points before the programme existed, "no data" for the empty baseline (not "0 %, +N
 * points"), axis text of at least 12 px at 1280 and 390, the mean-score dots inside their axis,
 * an empty-waves notice that does not point at a form that is not there, and the champion's
 * test average counting each learner's best attempt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityMonths, checkins, quizAttempts, users } from '../../db/schema/index.ts';
import { addMonths, monthKey, startOfMonth } from '../../src/platform/dates.ts';
import { ensureDefaultAssignments, syncEnrolments } from '../../src/features/programme/assignments.server.ts';
import { openDatabase, rawDrizzle } from '../../src/platform/db.server.ts';
import { rebuildRollups } from '../../src/features/kpi/rollups.server.ts';
import { generateSecureRandomString } from '../../src/features/auth/session.server.ts';
import { setBaseline } from '../../src/features/kpi/settings.server.ts';
import { launchChromium } from '../helpers/browser.ts';
import { shippedCatalog } from '../helpers/catalog.ts';
import { addUser, tempDir } from '../helpers/db.ts';
import { signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { first } from '../../src/platform/query.ts';

const TZ = 'Asia/Tokyo';
const PASSWORD = 'honest charts password 1';
const now = new Date();
const month = monthKey(now, TZ);
const joined = addMonths(month, -2);
const from = addMonths(month, -11);
const catalog = shippedCatalog();
const quiz = catalog.tier('basic')!.courses[0]!.quizzes[0]!;

let dir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  dir = tempDir('manabi-honest-charts-');
  const file = path.join(dir, 'manabi.db');
  const db = openDatabase(file);
  await addUser(db, { email: 'admin@example.jp', role: 'admin', password: PASSWORD, department: '情報システム部' });
  await addUser(db, { email: 'champion@example.jp', role: 'champion', password: PASSWORD });
  const learner = await addUser(db, { email: 'learner@example.jp', name: '学習 一郎' });
  // Everyone joined two months ago; the baseline period ends months before that.
  const joinedAt = new Date(startOfMonth(joined, TZ).getTime() + 3 * 86_400_000);
  await rawDrizzle(db).update(users).set({ createdAt: joinedAt });
  await ensureDefaultAssignments(rawDrizzle(db));
  await syncEnrolments(rawDrizzle(db), joinedAt);
  await setBaseline(db, { from: addMonths(month, -8), to: addMonths(month, -6) });
  for (const m of [joined, addMonths(month, -1), month]) {
    await rawDrizzle(db)
      .insert(activityMonths)
      .values({ userId: learner, month: m, firstAt: new Date(startOfMonth(m, TZ).getTime() + 3_600_000) });
  }
  await rawDrizzle(db)
    .insert(checkins)
    .values({ userId: learner, month: addMonths(month, -1), hoursSaved: 4, tasks: null, updatedAt: now });
  // The same quiz twice: 75 % last month, 87.5 % this month. Best attempt 87.5 %, mean of attempts 81.3 %.
  const attempt = async (at: Date, score: number) =>
    await rawDrizzle(db)
      .insert(quizAttempts)
      .values({ id: generateSecureRandomString(), userId: learner, quizId: quiz.id, startedAt: at, submittedAt: at, score, maxScore: 8, passed: score * 100 >= quiz.passMark * 8 });
  await attempt(new Date(startOfMonth(addMonths(month, -1), TZ).getTime() + 86_400_000), 6);
  await attempt(new Date(now.getTime() - 1000), 7);
  await rebuildRollups(db, catalog, TZ);
  expect(first(await rawDrizzle(db).select().from(users).where(eq(users.id, learner)))!.createdAt.getTime()).toBe(joinedAt.getTime());
  void db.close();
  server = await startServer({ databasePath: file });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function open(email: string, pagePath: string, width: number): Promise<Page> {
  const { cookie } = await signIn(server.url, email, PASSWORD);
  const [name, value] = cookie!.split('=') as [string, string];
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  await context.addCookies([{ name, value, url: server.url }]);
  const page = await context.newPage();
  const response = await page.goto(`${server.url}${pagePath}`);
  expect(response?.status()).toBe(200);
  return page;
}

const card = (page: Page, title: string): Locator => page.locator('section.kpi', { has: page.getByRole('heading', { name: title, exact: true }) });

describe('charts that tell the truth', () => {
  it('no points before the programme existed, and "no data" for a baseline period before it', async () => {
    const page = await open('admin@example.jp', `/admin?from=${from}&to=${month}`, 1280);
    const usage = card(page, '利用率');
    // Three months since the first user joined: three points, not twelve rising from 0 %.
    expect(await usage.locator('svg.trend-chart circle').count()).toBe(3);
    const ticks = await usage.locator('svg.trend-chart text').allTextContents();
    expect(ticks).not.toContain(`${Number(addMonths(joined, -1).slice(5))}月`);
    const rows = await usage.locator('.kpi-table tbody td').allTextContents();
    expect(rows).toHaveLength(12);
    expect(rows.slice(0, 9).every((v) => v === '—')).toBe(true);
    expect(rows.slice(9).every((v) => v !== '—')).toBe(true);

    const meta = (await usage.locator('.kpi-meta').textContent()) ?? '';
    expect(meta).toContain('ベースライン期間のデータなし');
    expect(meta).not.toContain('ベースライン 0%');
    expect(meta).not.toContain('変化');

    // Hours: one month answered; nothing in the baseline months is "no data", not 0 h.
    const hours = card(page, '削減時間（月）');
    expect(await hours.locator('svg.trend-chart circle').count()).toBe(1);
    expect(await hours.locator('.kpi-meta').textContent()).toContain('ベースライン期間のデータなし');
    await page.context().close();
  });

  for (const width of [1280, 390]) {
    it(`axis text is at least 12 px on screen and the mean-score dots sit inside their axis (${width} px)`, async () => {
      const page = await open('admin@example.jp', `/admin?from=${from}&to=${month}`, width);
      const sizes = await page
        .locator('svg.trend-chart text')
        .evaluateAll((texts) =>
          texts.filter((t) => (t.textContent ?? '').trim() !== '').map((t) => parseFloat(getComputedStyle(t).fontSize) * (t as SVGGraphicsElement).getScreenCTM()!.a),
        );
      expect(sizes.length).toBeGreaterThan(20);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);

      const score = card(page, '平均点').locator('svg.trend-chart');
      const geometry = await score.evaluate((svg) => {
        const centre = (el: Element) => {
          const r = el.getBoundingClientRect();
          return r.top + r.height / 2;
        };
        const yTicks = [...svg.querySelectorAll('text')].filter((t) => /%$/.test(t.textContent ?? ''));
        return { top: Math.min(...yTicks.map(centre)), bottom: Math.max(...yTicks.map(centre)), dots: [...svg.querySelectorAll('circle')].map(centre) };
      });
      expect(geometry.dots).toHaveLength(2);
      for (const y of geometry.dots) {
        expect(y).toBeGreaterThanOrEqual(geometry.top - 0.5);
        expect(y).toBeLessThanOrEqual(geometry.bottom + 0.5);
      }
      await page.context().close();
    });
  }

  it('the empty-waves notice on the dashboard links to the waves page instead of pointing at a form below', async () => {
    for (const [prefix, below] of [
      ['', '下の'],
      ['/en', 'below'],
    ] as const) {
      const page = await open('admin@example.jp', `${prefix}/admin`, 1280);
      const notice = page.locator('section[aria-labelledby="by-wave"] .notice');
      expect(await notice.textContent()).not.toContain(below);
      expect(await notice.getByRole('link').getAttribute('href')).toBe(`${prefix}/admin/waves`);
      await page.context().close();
    }
  });

  it("the champion's test average is each learner's best attempt, and the page says so", async () => {
    const page = await open('champion@example.jp', '/champion', 1280);
    const row = page.locator('tr', { has: page.getByRole('rowheader', { name: /学習 一郎/ }) });
    expect((await row.locator('td').last().textContent())?.trim()).toBe('87.5%');
    expect(await page.locator('main').textContent()).toContain('各メンバーが受けた確認テストごとの最高点の平均');
    await page.context().close();
  });
});
