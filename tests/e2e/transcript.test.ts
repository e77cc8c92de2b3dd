/**
 * The transcript in Chromium (issue 14, item 4): a learner with two cycles of Basic, without
 * JavaScript at 1280 and 390 px (nothing wider than the screen but the tables' own scrolling
 * regions), printed (the header, menus, banner and buttons gone, every table whole on A4), the
 * print button with JavaScript, and axe on the screen and the admin's view. Screenshots go to
 * MANABI_SHOTS when set, to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, lessonCompletions, policyAcknowledgements, quizAttempts } from '../../db/schema/index.ts';
import { rawDrizzle, type Db } from '../../src/platform/db.server.ts';
import { launchChromium, overflowing } from '../helpers/browser.ts';
import { startApp, type App } from '../security/support.ts';

const SHOTS = process.env.MANABI_SHOTS ?? null;
const at = (iso: string): Date => new Date(iso);
let app: App;
let browser: Browser;

async function prepare(db: Db, ids: Record<string, number>): Promise<void> {
  const q = rawDrizzle(db);
  const userId = ids.lea!;
  const version = 'c0ffee1234abcdef0001';
  await q.insert(lessonCompletions).values([
    { userId, lessonId: 'what-is-generative-ai', cycle: 1, completedAt: at('2025-01-10T01:00:00Z') },
    { userId, lessonId: 'safe-use-basics', cycle: 1, completedAt: at('2025-01-10T02:00:00Z') },
    { userId, lessonId: 'what-is-generative-ai', cycle: 2, contentVersion: version, completedAt: at('2026-11-20T01:00:00Z') },
    { userId, lessonId: 'safe-use-basics', cycle: 2, contentVersion: version, completedAt: at('2026-11-20T02:00:00Z') },
    { userId, lessonId: 'a-lesson-since-removed', cycle: 1, completedAt: at('2024-12-01T02:00:00Z') },
  ]);
  const attempt = (id: string, cycle: number, submitted: string, score: number) => ({
    id,
    userId,
    quizId: 'basic-ai-essentials',
    cycle,
    contentVersion: cycle === 1 ? '' : version,
    startedAt: new Date(at(submitted).getTime() - 60_000),
    submittedAt: at(submitted),
    score,
    maxScore: 3,
    passed: score === 3,
  });
  await q
    .insert(quizAttempts)
    .values([
      attempt('e2e-attempt-1-aaaaaaaaaaa', 1, '2025-01-10T03:00:00Z', 1),
      attempt('e2e-attempt-2-aaaaaaaaaaa', 1, '2025-01-11T00:30:00Z', 3),
      attempt('e2e-attempt-3-aaaaaaaaaaa', 2, '2026-11-21T00:00:00Z', 3),
    ]);
  await q.insert(certificates).values([
    { code: 'leaonezzzzzzzzzzzzzzzzzz', userId, tierId: 'basic', cycle: 1, holderName: 'Lea', issuedAt: at('2025-01-11T00:30:00Z'), validUntil: at('2026-01-11T00:30:00Z') },
    { code: 'leatwozzzzzzzzzzzzzzzzzz', userId, tierId: 'basic', cycle: 2, holderName: 'Lea', issuedAt: at('2026-11-21T00:00:00Z'), validUntil: at('2027-11-21T00:00:00Z') },
  ]);
  await q.insert(policyAcknowledgements).values({ userId, policyId: 'ai-usage', version: 1, locale: 'ja', acknowledgedAt: at('2026-10-01T00:00:00Z') });
}

beforeAll(async () => {
  app = await startApp({ users: { lea: { name: '佐藤 花子', department: '営業部' }, ada: { role: 'admin', department: '情報システム部', name: '山本 管理' } }, prepare });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function open(who: string, target: string, options: { width: number; javaScript?: boolean }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScript ?? false, viewport: { width: options.width, height: 900 } });
  const [name, value] = app.cookies[who]!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
  const page = await context.newPage();
  const response = await page.goto(`${app.url}${target}`);
  expect(response?.status(), target).toBe(200);
  return { context, page };
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe('the transcript in a browser', () => {
  for (const width of [1280, 390]) {
    it(`works without JavaScript at ${width} px, in both languages, with nothing wider than the screen`, async () => {
      for (const [locale, prefix] of [
        ['ja', ''],
        ['en', '/en'],
      ] as const) {
        const { context, page } = await open('lea', `${prefix}/transcript`, { width });
        try {
          const headings = await page.locator('.cycle h3').allTextContents();
          expect(headings).toEqual(locale === 'ja' ? ['1回目（初回）', '2回目（更新）', '1回目（初回）'] : ['Cycle 1 (first)', 'Cycle 2 (renewal)', 'Cycle 1 (first)']);
          expect(await overflowing(page), `${locale} ${width}`).toEqual([]);
          await shot(page, `transcript-${locale}-${width}`);
          // the print button without JavaScript: the instructions
          await page.locator('a[data-print]').click();
          expect(page.url()).toMatch(/\?print=help#print-help$/);
          expect(await page.locator('#print-help').isVisible()).toBe(true);
          // the CSV is a plain download link
          const csv = await context.request.get(`${app.url}${await page.locator('a[download]').first().getAttribute('href')}`);
          expect(csv.status()).toBe(200);
          expect((await csv.text()).split('\r\n').filter(Boolean)).toHaveLength(1 + 11);
        } finally {
          await context.close();
        }
      }
    });
  }

  it('prints the record only, every table whole on A4', async () => {
    const { context, page } = await open('lea', '/transcript', { width: 1280 });
    try {
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 718, height: 1000 }); // A4's width inside 12 mm margins at 96 dpi
      for (const hidden of ['.site-header', '.site-footer', '.toolbar', '[data-policy-banner]']) {
        const count = await page.locator(hidden).count();
        for (let i = 0; i < count; i++) expect(await page.locator(hidden).nth(i).isVisible(), hidden).toBe(false);
      }
      expect(await page.locator('table').count()).toBe(4);
      const cut = await page.locator('.table-scroll').evaluateAll((regions) => regions.filter((r) => r.scrollWidth > r.clientWidth + 1).length);
      expect(cut, 'tables wider than the paper').toBe(0);
      await shot(page, 'transcript-print');
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length;
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(pages).toBeLessThanOrEqual(3);
      if (SHOTS) fs.writeFileSync(path.join(SHOTS, 'transcript.pdf'), pdf);
    } finally {
      await context.close();
    }
  });

  it('has no serious or critical axe violation, the learner’s and the admin’s, at 1280 and 390 px', async () => {
    const found: string[] = [];
    for (const width of [1280, 390]) {
      for (const [who, target] of [
        ['lea', '/transcript'],
        ['lea', '/en/transcript'],
        ['ada', `/admin/users/${app.ids.lea}/transcript`],
        ['ada', `/en/admin/users/${app.ids.lea}/transcript`],
      ] as const) {
        const { context, page } = await open(who, target, { width, javaScript: true });
        try {
          const violations = (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
          found.push(...violations.map((v) => `${width} ${target}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`));
        } finally {
          await context.close();
        }
      }
    }
    expect(found, found.join('\n')).toEqual([]);
  });

  it('prints with the print button when JavaScript runs', async () => {
    const { context, page } = await open('lea', '/transcript', { width: 1280, javaScript: true });
    try {
      await page.evaluate(() => {
        (window as unknown as { printed: number }).printed = 0;
        window.print = () => void (window as unknown as { printed: number }).printed++;
      });
      await page.locator('a[data-print]').click();
      expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
      expect(page.url()).toBe(`${app.url}/transcript`);
    } finally {
      await context.close();
    }
  });

  it('shows the admin the same record, at 390 px too', async () => {
    for (const width of [1280, 390]) {
      const { context, page } = await open('ada', `/admin/users/${app.ids.lea}/transcript`, { width });
      try {
        expect(await page.locator('.cycle h3').count()).toBe(3);
        expect(await overflowing(page)).toEqual([]);
        await shot(page, `admin-transcript-${width}`);
        await page.emulateMedia({ media: 'print' });
        expect(await page.locator('.admin-nav').isVisible()).toBe(false);
      } finally {
        await context.close();
      }
    }
  });

  it('downloads the evidence export from the exports page’s form without JavaScript', async () => {
    for (const width of [1280, 390]) {
      const { context, page } = await open('ada', '/admin/exports', { width });
      try {
        expect(await overflowing(page)).toEqual([]);
        await page.locator('#e-as-of').fill('2025-06-30');
        await page.locator('input[name="inactive"]').check();
        await shot(page, `exports-${width}`);
        const [download] = await Promise.all([page.waitForEvent('download'), page.locator('form[action="/admin/exports/evidence.csv"] button').click()]);
        expect(download.suggestedFilename()).toBe('manabi-evidence-company-2025-06-30.csv');
        const text = fs.readFileSync((await download.path())!, 'utf8');
        expect(text.split('\r\n')[1]).toMatch(/,2025-06-30,certified,2026-01-11T09:30:00\.000\+09:00,/);
      } finally {
        await context.close();
      }
    }
  });
});
