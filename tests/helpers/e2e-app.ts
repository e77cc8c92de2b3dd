/**
 * A fixture-build server on a fresh database with a learner, a champion and an admin in one
 * department, plus Chromium: the set-up of the form e2e tests (post/redirect/get, focus, feedback,
 * account). `signInPage` signs in through the real form, as a person would.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Db } from '../../src/platform/db.server.ts';
import { launchChromium } from './browser.ts';
import { addUser, tempDb, type TempDb, reopenDb } from './db.ts';
import { FIXTURE_OUT_DIR } from './global-build.ts';
import { startServer, type RunningServer } from './server.ts';

export const E2E_PASSWORD = 'e2e forms password';

export type E2eRole = 'learner' | 'champion' | 'admin';

export interface E2eApp {
  server: RunningServer;
  url: string;
  browser: Browser;
  /** A second connection to the server's database. */
  db: Db;
  ids: Record<E2eRole, number>;
  emailOf: (who: E2eRole) => string;
  /** A fresh browser context (JavaScript on or off) at the given width. */
  context: (options?: { javaScript?: boolean; width?: number }) => Promise<BrowserContext>;
  /** Signs in on /login (in `locale`) and waits for the home page. */
  signInPage: (page: Page, who: E2eRole, locale?: 'ja' | 'en') => Promise<void>;
  stop: () => Promise<void>;
}

/** `outDir`: the build to serve, the fixture curriculum by default (`dist` for the shipped one). */
export async function startE2eApp(options: { outDir?: string } = {}): Promise<E2eApp> {
  const t: TempDb = tempDb();
  const ids = {
    learner: await addUser(t.db, { email: 'learner@example.com', password: E2E_PASSWORD, name: '佐藤 花子', department: '営業部' }),
    champion: await addUser(t.db, { email: 'champion@example.com', password: E2E_PASSWORD, name: '鈴木 一郎', department: '営業部', role: 'champion' }),
    admin: await addUser(t.db, { email: 'admin@example.com', password: E2E_PASSWORD, name: '山本 管理', department: '情報システム部', role: 'admin' }),
  };
  void t.db.close();
  const server = await startServer({ databasePath: t.file, outDir: options.outDir ?? FIXTURE_OUT_DIR });
  const db = reopenDb(t.file);
  const browser = await launchChromium();
  const emailOf = (who: E2eRole): string => `${who}@example.com`;
  return {
    server,
    url: server.url,
    browser,
    db,
    ids,
    emailOf,
    context: (options = {}) => browser.newContext({ javaScriptEnabled: options.javaScript ?? true, viewport: { width: options.width ?? 1280, height: 900 } }),
    signInPage: async (page, who, locale = 'ja') => {
      const prefix = locale === 'en' ? '/en' : '';
      await page.goto(`${server.url}${prefix}/login`);
      await page.locator('#email').fill(emailOf(who));
      await page.locator('#password').fill(E2E_PASSWORD);
      await page.locator('form[action*="auth.login"] button[type="submit"]').click();
      await page.waitForURL(/\/home$/);
    },
    stop: async () => {
      await browser.close();
      await server.stop();
      void db.close();
      fs.rmSync(t.dir, { recursive: true, force: true });
    },
  };
}

/** The POST requests a page sends from now on (to check that a reload posts nothing). */
export function countPosts(page: Page): { readonly count: number } {
  const counter = { count: 0 };
  page.on('request', (request) => {
    if (request.method() === 'POST') counter.count++;
  });
  return counter;
}

/** What has focus: its id, tag, and the start of its text. */
export function focused(page: Page): Promise<{ id: string; tag: string; text: string }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return { id: element?.id ?? '', tag: element?.tagName.toLowerCase() ?? '', text: (element?.textContent ?? '').trim().slice(0, 200) };
  });
}

/** Opens the home page's check-in when it is folded (answered this month), so its fields can be filled. */
export async function openCheckin(page: Page): Promise<void> {
  const folded = page.locator('details#checkin:not([open]) > summary');
  if ((await folded.count()) > 0) await folded.click();
}
