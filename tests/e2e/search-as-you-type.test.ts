/**
 * Search as you type (issue 12, item 1), in Chromium with JavaScript on: Pagefind's worker may
 * fetch the index under its own policy, typing a new word replaces the results (never the last
 * full search's), and a failing search script falls back to the server's results.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGEFIND_WORKER_CSP } from '../../src/platform/http/security-headers.ts';
import { launchChromium } from '../helpers/browser.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'search as you type 1';
// Words of the fixture curriculum that are in different lessons.
const FIRST = { word: '個人情報', lesson: '/learn/basic-ai-essentials/safe-use-basics' };
const SECOND = { word: 'ベースライン', lesson: '/learn/specialist-operations/measuring-the-effect' };

let store: TempDb;
let server: RunningServer;
let browser: Browser;
let cookie: string;

beforeAll(async () => {
  store = tempDb();
  await addUser(store.db, { email: 'sara@example.com', password: PASSWORD });
  void store.db.close();
  server = await startServer({ databasePath: store.file, outDir: FIXTURE_OUT_DIR });
  cookie = (await signIn(server.url, 'sara@example.com', PASSWORD)).cookie!;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (store) fs.rmSync(store.dir, { recursive: true, force: true });
});

async function signedInPage(): Promise<{ context: BrowserContext; page: Page; errors: string[]; serverSearches: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  // Requests for the search page after the first load: the fallback asks the server.
  const serverSearches: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/search') serverSearches.push(request.url());
  });
  return { context, page, errors, serverSearches };
}

async function hitLinks(page: Page): Promise<string[]> {
  return page.locator('#search-results .hit-title').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
}

async function typeAndWait(page: Page, word: string): Promise<void> {
  await page.locator('#q').fill(word);
  await expect.poll(() => page.locator('#search-results .count').textContent(), { timeout: 10_000 }).toContain(word);
}

describe('search as you type', () => {
  it('serves the worker with a policy that lets it fetch the index and run WebAssembly, nothing more', async () => {
    const worker = await get(server.url, '/pagefind/pagefind-worker.js', cookie);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-security-policy')).toBe(PAGEFIND_WORKER_CSP);
    expect(PAGEFIND_WORKER_CSP).toBe(
      "default-src 'none'; connect-src 'self'; script-src 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    // Everything else in the bundle keeps the strict default (modules run under the page's policy).
    const entry = await get(server.url, '/pagefind/pagefind.js', cookie);
    expect(entry.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
    expect(entry.headers.get('content-security-policy')).not.toContain('connect-src');
  });

  it('types two different words and sees the results change, searched in the browser', async () => {
    const { context, page, errors, serverSearches } = await signedInPage();
    try {
      await page.goto(`${server.url}/search?q=${encodeURIComponent('AI')}`, { waitUntil: 'networkidle' });
      expect(await page.locator('#search-results .count').textContent()).toContain('AI');
      serverSearches.length = 0;

      await typeAndWait(page, FIRST.word);
      expect(page.url()).toBe(`${server.url}/search?q=${encodeURIComponent(FIRST.word)}`);
      const first = await hitLinks(page);
      expect(first).toContain(FIRST.lesson);

      await typeAndWait(page, SECOND.word);
      const second = await hitLinks(page);
      expect(second).toContain(SECOND.lesson);
      expect(second).not.toEqual(first);
      expect(await page.locator('#search-results mark').first().textContent()).toContain(SECOND.word);

      // Pagefind answered in the browser: no fallback to the server, no script error.
      expect(serverSearches).toEqual([]);
      expect(errors.filter((e) => /pagefind|fetch|Content Security Policy/i.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('clears the old results while typing', async () => {
    const { context, page } = await signedInPage();
    try {
      await page.goto(`${server.url}/search?q=${encodeURIComponent(FIRST.word)}`, { waitUntil: 'networkidle' });
      expect(await hitLinks(page)).toContain(FIRST.lesson);
      // The results of the full search go at the first keystroke, before any new search ran.
      await page.locator('#q').press('End');
      await page.locator('#q').press('Backspace');
      expect(await page.locator('#search-results .hit').count()).toBe(0);
      await page.locator('#q').fill('');
      await expect.poll(() => page.url()).toBe(`${server.url}/search`);
      expect(await page.locator('#search-results .hit').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('falls back to the server’s results when the search script fails', async () => {
    const { context, page, serverSearches } = await signedInPage();
    try {
      await page.route('**/pagefind/pagefind.js', (route) => route.abort());
      await page.goto(`${server.url}/search`, { waitUntil: 'networkidle' });
      await typeAndWait(page, SECOND.word);
      expect(await hitLinks(page)).toContain(SECOND.lesson);
      expect(serverSearches.some((url) => url.includes(encodeURIComponent(SECOND.word)))).toBe(true);
      // Still on the page, still typing: the fallback did not navigate away.
      expect(await page.locator('#q').inputValue()).toBe(SECOND.word);
    } finally {
      await context.close();
    }
  });
});
