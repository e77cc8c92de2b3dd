/**
 * The header on a phone (issue 12, item 7), in Chromium at 390 px with JavaScript off: one row
 * (brand and a menu) plus the search field, for every role and both languages; the menu opens,
 * navigates, switches language and signs out without JavaScript. At 1280 px everything stays
 * in one row without a menu.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../db/schema/index.ts';
import { launchChromium } from '../helpers/browser.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'mobile header test 1';
const ROLES: Role[] = ['learner', 'champion', 'admin'];
// A long display name: the header must hold it without wrapping.
const NAME = 'Christopher Featherstonehaugh-Montgomery';

let store: TempDb;
let server: RunningServer;
let browser: Browser;
const cookies: Partial<Record<Role, string>> = {};

beforeAll(async () => {
  store = tempDb();
  for (const role of ROLES) await addUser(store.db, { email: `${role}@example.com`, password: PASSWORD, role, name: role === 'admin' ? NAME : `${role} 佐藤花子` });
  void store.db.close();
  server = await startServer({ databasePath: store.file, outDir: FIXTURE_OUT_DIR });
  for (const role of ROLES) cookies[role] = (await signIn(server.url, `${role}@example.com`, PASSWORD)).cookie!;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (store) fs.rmSync(store.dir, { recursive: true, force: true });
});

async function open(role: Role | null, width: number, cookie: string | null = role ? cookies[role]! : null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 844 }, javaScriptEnabled: false });
  if (cookie) {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
  }
  return { context, page: await context.newPage() };
}

type Box = { x: number; y: number; width: number; height: number };
async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`${selector} is not visible`);
  return found;
}

describe('the header at 390 px', () => {
  for (const role of ROLES) {
    for (const locale of ['ja', 'en'] as const) {
      it(`${role}, ${locale}: brand and menu in one row, the search field below, nothing else`, async () => {
        const { context, page } = await open(role, 390);
        try {
          await page.goto(`${server.url}${locale === 'en' ? '/en' : ''}/home`);
          const header = await box(page, '.site-header');
          const brand = await box(page, '.site-header .brand');
          const menu = await box(page, '.site-header .menu-button');
          const search = await box(page, '.site-header input[type="search"]');
          // One row: brand and menu share a line.
          expect(Math.abs(brand.y + brand.height / 2 - (menu.y + menu.height / 2))).toBeLessThan(4);
          // Plus the search field, full width, below it.
          expect(search.y).toBeGreaterThanOrEqual(Math.max(brand.y + brand.height, menu.y + menu.height));
          expect(search.width).toBeGreaterThan(300);
          const row = Math.max(brand.height, menu.height);
          expect(header.height).toBeLessThanOrEqual(row + search.height + 48);
          expect(header.height).toBeLessThan(125);
          // The sections and the user's tools are in the closed menu, not in the bar.
          expect(await page.locator('.site-header .menu-panel').isVisible()).toBe(false);
          expect(await page.locator('.site-header .wide-only').evaluateAll((nodes) => nodes.filter((n) => (n as HTMLElement).offsetParent !== null).length)).toBe(0);
          // Nothing overflows the screen sideways.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('on the search page, which has its own field, the header is one row', async () => {
    const { context, page } = await open('learner', 390);
    try {
      await page.goto(`${server.url}/search`);
      expect(await page.locator('.site-header input[type="search"]').count()).toBe(0);
      const header = await box(page, '.site-header');
      const menu = await box(page, '.site-header .menu-button');
      expect(header.height).toBeLessThanOrEqual(menu.height + 32);
      expect(await page.getByRole('search').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('signed out: brand, language and sign-in in one row', async () => {
    for (const path of ['/', '/en/login']) {
      const { context, page } = await open(null, 390);
      try {
        await page.goto(`${server.url}${path}`);
        const header = await box(page, '.site-header');
        const brand = await box(page, '.site-header .brand');
        expect(header.height, path).toBeLessThanOrEqual(brand.height + 32);
      } finally {
        await context.close();
      }
    }
  });

  it('the menu works without JavaScript: it opens, navigates, switches language and signs out', async () => {
    // Its own session: this test signs out.
    const { context, page } = await open('admin', 390, (await signIn(server.url, 'admin@example.com', PASSWORD)).cookie);
    try {
      await page.goto(`${server.url}/home`);
      await page.getByText('メニュー').click();
      const panel = page.getByRole('navigation', { name: 'メインメニュー' });
      expect(await panel.isVisible()).toBe(true);
      const links = await panel.getByRole('link').allTextContents();
      expect(links.map((l) => l.trim())).toEqual(['マイ学習', '部門', '管理', `アカウント：${NAME}`]);
      // The menu fits on the screen.
      const shown = await box(page, '.site-header .menu-panel');
      expect(shown.x).toBeGreaterThanOrEqual(0);
      expect(shown.x + shown.width).toBeLessThanOrEqual(390);

      await panel.getByRole('link', { name: '管理' }).click();
      await page.waitForURL(`${server.url}/admin`);

      await page.getByText('メニュー').click();
      await page.getByRole('navigation', { name: 'メインメニュー' }).getByRole('button', { name: 'Switch to English' }).click();
      await page.waitForURL(`${server.url}/en/admin`);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');

      await page.getByText('Menu', { exact: true }).click();
      await page.getByRole('navigation', { name: 'Main menu' }).getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/en\/login\?signed_out=1$/);
    } finally {
      await context.close();
    }
  });
});

describe('the header at 1280 px', () => {
  it('keeps sections, search and tools in one row, with no menu', async () => {
    for (const locale of ['ja', 'en'] as const) {
      const { context, page } = await open('admin', 1280);
      try {
        await page.goto(`${server.url}${locale === 'en' ? '/en' : ''}/admin`);
        expect(await page.locator('.site-header .menu-button').isVisible()).toBe(false);
        const header = await box(page, '.site-header');
        expect(header.height, locale).toBeLessThan(80);
        expect(
          await page
            .getByRole('navigation', { name: locale === 'ja' ? 'メインメニュー' : 'Main menu' })
            .getByRole('link')
            .count(),
        ).toBe(3);
        expect(await page.getByRole('button', { name: locale === 'ja' ? 'サインアウト' : 'Sign out' }).isVisible()).toBe(true);
      } finally {
        await context.close();
      }
    }
  });
});

describe('the admin menu at 390 px', () => {
  it('is one row of tabs that scrolls sideways', async () => {
    const { context, page } = await open('admin', 390);
    try {
      await page.goto(`${server.url}/en/admin/audit`);
      const tabs = page.locator('.admin-nav a');
      const tops = await tabs.evaluateAll((links) => links.map((a) => Math.round(a.getBoundingClientRect().top)));
      expect(new Set(tops).size).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    } finally {
      await context.close();
    }
  });
});
