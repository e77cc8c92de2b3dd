/**
 * Issue 12, item 2: a sign-in with an empty field answered 400 and showed nothing. Now it shows
 * the same error summary as a wrong password, naming the empty field, and that field has focus;
 * the email typed so far is kept, the password never. In both languages, and without JavaScript.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, focused, startE2eApp } from '../helpers/e2e-app.ts';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp();
});

afterAll(async () => {
  await app?.stop();
});

const submit = (page: Page) => page.locator('form[action*="auth.login"] button[type="submit"]').click();
const summary = (page: Page) => page.locator('[role="alert"]#post-result');

describe('sign-in with empty fields', () => {
  it('names both empty fields in the summary a wrong password gets, and focuses the first', async () => {
    const context = await app.context();
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await submit(page);
    await page.waitForURL(`${app.url}/login#post-result`);
    await expect.poll(async () => (await focused(page)).id).toBe('email');
    const text = await summary(page).innerText();
    expect(text).toContain('サインインできませんでした');
    expect(text).toContain('メールアドレスを入力してください。');
    expect(text).toContain('パスワードを入力してください。');
    // each message links to its field, and the field says it is the one in error
    expect(await summary(page).locator('a[href="#email"]').count()).toBe(1);
    expect(await summary(page).locator('a[href="#password"]').count()).toBe(1);
    expect(await page.locator('#email').getAttribute('aria-invalid')).toBe('true');

    // the email only: the password is named and focused, the email kept
    await page.locator('#email').fill('learner@example.com');
    await submit(page);
    await page.waitForURL(`${app.url}/login#post-result`);
    await expect.poll(async () => (await focused(page)).id).toBe('password');
    expect(await summary(page).innerText()).toContain('パスワードを入力してください。');
    expect(await summary(page).innerText()).not.toContain('メールアドレスを入力してください。');
    expect(await page.locator('#email').inputValue()).toBe('learner@example.com');

    // a wrong password: the same summary, with its own message
    await page.locator('#password').fill('not the password');
    await submit(page);
    await page.waitForURL(`${app.url}/login#post-result`);
    expect(await summary(page).innerText()).toContain('サインインできませんでした');
    expect(await summary(page).innerText()).toContain('メールアドレスまたはパスワードが正しくありません。');
    expect(await page.locator('#password').inputValue()).toBe('');
    await context.close();
  });

  it('says the same in English', async () => {
    const context = await app.context({ width: 390 });
    const page = await context.newPage();
    await page.goto(`${app.url}/en/login`);
    await page.locator('#password').fill('a password without an email');
    await submit(page);
    await page.waitForURL(`${app.url}/en/login#post-result`);
    await expect.poll(async () => (await focused(page)).id).toBe('email');
    const text = await summary(page).innerText();
    expect(text).toContain('Enter your email address.');
    expect(text).not.toContain('Enter your password.');
    await context.close();
  });

  it('works without JavaScript: the summary is there, and the redirect points at it', async () => {
    const context = await app.context({ javaScript: false });
    const page = await context.newPage();
    await page.goto(`${app.url}/login`);
    await submit(page);
    await page.waitForURL(`${app.url}/login#post-result`);
    const text = await summary(page).innerText();
    expect(text).toContain('メールアドレスを入力してください。');
    expect(text).toContain('パスワードを入力してください。');
    // the browser itself moves to the summary named in the address
    expect((await focused(page)).id).toBe('post-result');
    await context.close();
  });
});
