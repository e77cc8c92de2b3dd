/**
 * The demo learner in a real browser: sign in with the credentials `npm start` printed,
 * see the three tiers, open a lesson, switch the language.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { firstLesson, shippedCatalog } from '../helpers/catalog.ts';
import { tempDir } from '../helpers/db.ts';
import { startServer, waitForOutput, type RunningServer } from '../helpers/server.ts';

let dir: string;
let server: RunningServer;
let browser: Browser;
let email: string;
let password: string;

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ databasePath: path.join(dir, 'manabi.db'), script: 'src/cli/start.ts' });
  const match = /learner\s+(\S+@\S+)\s+(\S+)/.exec(await waitForOutput(server, /admin\s+\S+@\S+\s+\S+/));
  if (!match) throw new Error(`no demo credentials printed:\n${server.output()}`);
  [, email, password] = match as unknown as [string, string, string];
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('demo learner in Chromium', () => {
  it('signs in, sees the three tiers, opens a lesson and switches language', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');

    await page.getByRole('link', { name: 'サインインして学習を始める' }).click();
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'サインイン' }).click();

    await page.waitForURL(`${server.url}/home`);
    const tiers = await page.locator('main h2[id^="tier-"]').allTextContents();
    expect(tiers.map((t) => t.trim())).toEqual(shippedCatalog().tiers.map((t) => t.title.ja));

    const lesson = firstLesson();
    await page.getByRole('link', { name: `次のレッスン：${lesson.title.ja}` }).click();
    await page.waitForURL(`${server.url}${lesson.path}`);
    expect(await page.locator('main h1').textContent()).toBe(lesson.title.ja);
    expect(await page.locator('.prose').textContent()).toMatch(/\S{50}/);

    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.waitForURL(`${server.url}/en${lesson.path}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('main h1').textContent()).toBe(lesson.title.en);
    expect(await page.getByRole('link', { name: 'My learning' }).first().isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/en\/login\?signed_out=1$/);
    await page.goto(`${server.url}/en/home`);
    expect(page.url()).toContain('/en/login?next=');
    await page.close();
  });

  it('shows an error on a wrong password and keeps the email', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/en/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('definitely wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The email address or password is incorrect.');
    expect(await page.getByLabel('Email address').inputValue()).toBe(email);
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await page.close();
  });

  it('works without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const lesson = firstLesson();
    await page.goto(`${server.url}/login?next=${encodeURIComponent(`/en${lesson.path}`)}`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.waitForURL(`${server.url}/en${lesson.path}`);
    expect(await page.locator('main h1').textContent()).toBe(lesson.title.en);
    await context.close();
  });
});
