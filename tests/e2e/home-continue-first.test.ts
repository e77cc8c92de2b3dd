/**
 * Issue 12, item 4 in Chromium at 390 × 844 px: a new learner's home puts "Continue" first, with
 * the next-lesson button above the fold; the monthly check-in sits below it and, once answered,
 * folds into one line (a <details>, so it works without JavaScript too), in both languages.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db.server.ts';
import { launchChromium } from '../helpers/browser.ts';
import { firstLesson } from '../helpers/catalog.ts';
import { addUser, tempDir } from '../helpers/db.ts';
import { signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'home first password 1';
const VIEWPORT = { width: 390, height: 844 };
const lesson = firstLesson();

let dir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  dir = tempDir('manabi-home-first-');
  const file = path.join(dir, 'manabi.db');
  const db = openDatabase(file);
  for (const email of ['new-ja@example.jp', 'new-en@example.jp', 'new-nojs@example.jp']) await addUser(db, { email, name: '新人 一郎', password: PASSWORD });
  void db.close();
  server = await startServer({ databasePath: file });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signedIn(email: string, javaScriptEnabled = true): Promise<BrowserContext> {
  const { cookie } = await signIn(server.url, email, PASSWORD);
  const [name, value] = cookie!.split('=') as [string, string];
  const context = await browser.newContext({ viewport: VIEWPORT, javaScriptEnabled });
  await context.addCookies([{ name, value, url: server.url }]);
  return context;
}

/** The next-lesson button is fully inside the first screen, and "Continue" comes before the check-in. */
async function expectContinueFirst(page: Page, buttonName: string): Promise<void> {
  const button = page.getByRole('link', { name: buttonName });
  const box = (await button.boundingBox())!;
  expect(box.y).toBeGreaterThan(0);
  expect(box.y + box.height).toBeLessThanOrEqual(VIEWPORT.height);
  const order = await page.evaluate(() => {
    const main = document.querySelector('main')!;
    return [...main.querySelectorAll('.continue, #checkin, .assigned')].map((el) =>
      el.id === 'checkin' ? 'checkin' : el.classList.contains('continue') ? 'continue' : 'assigned',
    );
  });
  expect(order[0]).toBe('continue');
  expect(order).toContain('checkin');
}

describe('home for a new learner at 390 px', () => {
  it('Japanese: Continue first and above the fold; the check-in below folds into one line once answered', async () => {
    const context = await signedIn('new-ja@example.jp');
    const page = await context.newPage();
    await page.goto(`${server.url}/home`);
    expect(await page.locator('#continue-heading').textContent()).toBe('ここから始めましょう');
    await expectContinueFirst(page, `次のレッスン：${lesson.title.ja}`);
    expect(await page.locator('#checkin').evaluate((el) => el.tagName)).toBe('SECTION');
    expect(await page.getByLabel('節約できた時間（0〜200、0.5時間単位）').isVisible()).toBe(true);

    await page.getByLabel('節約できた時間（0〜200、0.5時間単位）').fill('3.5');
    await page.getByRole('button', { name: '送信する' }).click();
    await page.waitForURL(`${server.url}/home#post-result`);
    const checkin = page.locator('details#checkin');
    expect(await checkin.count()).toBe(1);
    expect(await checkin.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    expect(await checkin.locator('summary').textContent()).toContain('今月は3.5時間と回答済みです');
    expect(await page.getByLabel('節約できた時間（0〜200、0.5時間単位）').isVisible()).toBe(false);
    await page.evaluate(() => window.scrollTo(0, 0));
    await expectContinueFirst(page, `次のレッスン：${lesson.title.ja}`);

    // Opening it shows the answer, ready to change.
    await checkin.locator('summary').click();
    expect(await page.getByLabel('節約できた時間（0〜200、0.5時間単位）').inputValue()).toBe('3.5');
    expect(await page.getByRole('button', { name: '更新する' }).isVisible()).toBe(true);
    await context.close();
  });

  it('English: the same order, and the collapsed line reads naturally', async () => {
    const context = await signedIn('new-en@example.jp');
    const page = await context.newPage();
    await page.goto(`${server.url}/en/home`);
    const continueName = (await page.locator('.continue a.button').textContent())!.trim();
    expect(continueName).toContain(lesson.title.en);
    await expectContinueFirst(page, continueName);
    await page.locator('#checkin input[name="hoursSaved"]').fill('2');
    await page.locator('#checkin button[type="submit"]').first().click();
    await page.waitForURL(`${server.url}/en/home#post-result`);
    expect(await page.locator('details#checkin summary').textContent()).toContain('You answered 2 hours for this month.');
    await context.close();
  });

  it('without JavaScript: the answered check-in is folded and opens with its summary', async () => {
    const context = await signedIn('new-nojs@example.jp', false);
    const page = await context.newPage();
    await page.goto(`${server.url}/home`);
    await expectContinueFirst(page, `次のレッスン：${lesson.title.ja}`);
    await page.getByLabel('節約できた時間（0〜200、0.5時間単位）').fill('1');
    await page.getByRole('button', { name: '送信する' }).click();
    await page.waitForURL(`${server.url}/home#post-result`);
    expect(await page.getByLabel('節約できた時間（0〜200、0.5時間単位）').isVisible()).toBe(false);
    await page.locator('details#checkin summary').click();
    expect(await page.getByLabel('節約できた時間（0〜200、0.5時間単位）').isVisible()).toBe(true);
    await context.close();
  });
});
