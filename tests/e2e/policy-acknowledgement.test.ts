/**
 * Policy acknowledgement in a real browser with JavaScript off (issue 14, item 3): the banner is
 * on the page in the normal flow (it covers and blocks nothing), its link leads to the policy,
 * the confirmation is a plain form post; at 1280 and 390 px, and the admin's page fits both.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eApp, type E2eApp } from '../helpers/e2e-app.ts';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp();
});

afterAll(async () => {
  await app?.stop();
});

describe('policy acknowledgement without JavaScript', () => {
  it('shows the banner until the learner confirms, through the link and the form, at 390 px', async () => {
    const context = await app.context({ javaScript: false, width: 390 });
    const page = await context.newPage();
    try {
      await app.signInPage(page, 'learner');
      const banner = page.locator('[data-policy-banner]');
      await expect.poll(() => banner.count()).toBe(1);
      // in the flow of the page, not over it: the page's heading and links work as before
      expect(await banner.evaluate((el) => getComputedStyle(el).position)).toBe('static');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.locator('a[href="/learn/basic-ai-essentials"]').first().click();
      await page.waitForURL(/\/learn\/basic-ai-essentials$/);
      expect(await banner.count()).toBe(1);

      await banner.getByRole('link').first().click();
      await page.waitForURL(/\/policies\/ai-usage$/);
      expect(await page.locator('h1').textContent()).toBe('テスト用AI利用ポリシー');
      // on the policy's own page the banner does not repeat the form below
      expect(await banner.count()).toBe(0);
      await page.getByRole('button', { name: '第2版を読みました。内容を守ります' }).click();
      await page.waitForURL(/\/policies\/ai-usage#post-result$/);
      expect(await page.locator('#post-result').textContent()).toContain('第2版を確認しました');

      await page.goto(`${app.url}/home`);
      expect(await banner.count()).toBe(0);
      await page.goto(`${app.url}/en/home`);
      expect(await banner.count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('shows the admin the rates in calm, accessible tables at 1280 and 390 px, in both languages', async () => {
    for (const width of [1280, 390]) {
      // (axe runs as a script in the page: JavaScript on here; the page ships none)
      const context = await app.context({ width });
      const page = await context.newPage();
      try {
        await app.signInPage(page, 'admin');
        for (const prefix of ['', '/en']) {
          await page.goto(`${app.url}${prefix}/admin/policies`);
          expect(await page.locator('h1').textContent()).toBe(prefix ? 'Policy acknowledgement' : 'ポリシーの確認状況');
          expect(await page.locator('[data-policy="ai-usage"] [data-rates="departments"] table').count()).toBe(1);
          // nothing scrolls sideways but the tables inside their own regions
          expect(await page.evaluate(() => document.documentElement.scrollWidth), `${prefix} ${width}`).toBeLessThanOrEqual(width);
          const results = await new AxeBuilder({ page }).analyze();
          const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`);
          expect(serious, `${prefix} ${width}`).toEqual([]);
        }
      } finally {
        await context.close();
      }
    }
  });
});
