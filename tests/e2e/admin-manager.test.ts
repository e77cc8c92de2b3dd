/**
 * The line manager on the admin's user page, and "all reports" on My team (issue 19 item 4), in
 * Chromium without JavaScript at 1280 and 390 px: the form posts and the answer shows (saved,
 * refused with the address), nothing wider than the screen, and no serious or critical axe
 * violation in either state or language. Screenshots go to MANABI_SHOTS when set, to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../db/schema/index.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { launchChromium, overflowing } from '../helpers/browser.ts';
import { startApp, type App } from '../security/support.ts';

const SHOTS = process.env.MANABI_SHOTS ?? null;
let app: App;
let browser: Browser;

beforeAll(async () => {
  app = await startApp({
    users: {
      ada: { role: 'admin', department: '情報システム部', name: '山本 管理' },
      boss: { name: '鈴木 部長', department: '営業部' },
      lea: { name: '佐藤 花子', department: '営業部' },
      sub: { name: '田中 一郎', department: '営業部' },
    },
    prepare: async (db, ids) => {
      await rawDrizzle(db).update(users).set({ managerId: ids.lea! }).where(eq(users.id, ids.sub!));
    },
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function open(who: string, target: string, width: number, javaScript: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ javaScriptEnabled: javaScript, viewport: { width, height: 900 } });
  const [name, value] = app.cookies[who]!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
  const page = await context.newPage();
  const response = await page.goto(`${app.url}${target}`);
  expect(response?.status(), target).toBe(200);
  return { context, page };
}

/** Screenshots, overflow, and axe where the page runs scripts (axe is injected as one). */
async function check(page: Page, label: string, found: string[], javaScript: boolean): Promise<void> {
  if (SHOTS) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${label.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
  }
  const wide = await overflowing(page);
  found.push(...wide.map((w) => `${label}: wider than the screen: ${w}`));
  if (!javaScript) return;
  const violations = (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  found.push(...violations.map((v) => `${label}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`));
}

describe('the line manager in a browser', () => {
  for (const width of [1280, 390]) {
    it(`sets, refuses and shows a manager without JavaScript at ${width} px, accessibly`, { timeout: 300_000 }, async () => {
      const found: string[] = [];
      // Without scripts: the form's core job. With them: the same states again, for axe.
      for (const [prefix, javaScript] of [
        ['', false],
        ['/en', false],
        ['', true],
        ['/en', true],
      ] as const) {
        const { context, page } = await open('ada', `${prefix}/admin/users/${app.ids.lea}`, width, javaScript);
        try {
          await check(page, `${width} ${prefix || '/ja'}${javaScript ? ' js' : ''} user page`, found, javaScript);
          await page.fill('#manager-email', 'nobody@example.com');
          await Promise.all([page.waitForLoadState('load'), page.click('section[aria-labelledby="manager-heading"] button[type="submit"]')]);
          await page.waitForSelector('section[aria-labelledby="manager-heading"] [role="alert"]');
          expect(await page.textContent('section[aria-labelledby="manager-heading"] [role="alert"]')).toContain('nobody@example.com');
          await check(page, `${width} ${prefix || '/ja'}${javaScript ? ' js' : ''} refused`, found, javaScript);
          await page.fill('#manager-email', 'boss@example.com');
          await Promise.all([page.waitForLoadState('load'), page.click('section[aria-labelledby="manager-heading"] button[type="submit"]')]);
          await page.waitForSelector('section[aria-labelledby="manager-heading"] [role="status"]');
          expect(await page.textContent(`a[href$="/admin/users/${app.ids.boss}"]`)).toContain('鈴木 部長 (boss@example.com)');
          await check(page, `${width} ${prefix || '/ja'}${javaScript ? ' js' : ''} saved`, found, javaScript);
        } finally {
          await context.close();
        }
      }
      for (const target of ['/team?scope=all', '/en/team?scope=all']) {
        const { context, page } = await open('boss', target, width, true);
        try {
          expect(await page.textContent('main')).toContain('田中 一郎');
          await check(page, `${width} ${target}`, found, true);
        } finally {
          await context.close();
        }
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  }
});
