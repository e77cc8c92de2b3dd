/**
 * Issue 15: /account's "Notifications" section and the unsubscribe page in a real browser, at
 * 1280 and 390 px, with JavaScript and without: the choices save with a plain form, the calendar
 * address appears once (focused, in a status region) and is gone on the next visit, nothing
 * overflows the narrow screen, and axe finds nothing serious in any of these states.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationOptOuts } from '../../db/schema/index.ts';
import { issueToken } from '../../src/features/notifications/tokens.server.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { type E2eApp, focused, startE2eApp } from '../helpers/e2e-app.ts';

let app: E2eApp;
/** Screenshots for a person to look at (MANABI_SCREENSHOTS=dir); none by default. */
const shots = process.env.MANABI_SCREENSHOTS ?? null;

beforeAll(async () => {
  app = await startE2eApp();
  if (shots) fs.mkdirSync(shots, { recursive: true });
});

afterAll(async () => {
  await app?.stop();
});

/** axe's serious and critical findings (axe runs as a script: with JavaScript off there is nothing to run it in). */
async function serious(page: Page, label: string, javaScript: boolean): Promise<string[]> {
  if (!javaScript) return [];
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${label}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Nothing wider than the viewport (a long address must wrap or scroll inside its box). */
async function expectNoOverflow(page: Page, label: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, label).toBeLessThanOrEqual(0);
}

async function shot(page: Page, name: string): Promise<void> {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

const optOuts = async (): Promise<string[]> =>
  (await rawDrizzle(app.db).select({ kind: notificationOptOuts.kind }).from(notificationOptOuts).where(eq(notificationOptOuts.userId, app.ids.champion))).map((r) => r.kind).sort();

for (const [width, javaScript] of [
  [1280, true],
  [390, true],
  [390, false],
] as const) {
  describe(`notifications on /account at ${width} px, JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    it('saves the optional kinds, shows the calendar address once, and is accessible in every state', async () => {
      await rawDrizzle(app.db).delete(notificationOptOuts);
      const context = await app.context({ javaScript, width });
      const page = await context.newPage();
      const found: string[] = [];
      try {
        await app.signInPage(page, 'champion');
        await page.goto(`${app.url}/account`);
        const section = page.getByRole('region', { name: '通知' });
        const kinds = section.getByRole('group', { name: '受け取るかどうかを選べるお知らせ' });
        expect(await kinds.getByRole('checkbox').count()).toBe(2);
        expect(await kinds.getByLabel('担当部門の週間まとめ').isChecked()).toBe(true);
        found.push(...(await serious(page, 'account', javaScript)));
        await expectNoOverflow(page, 'account');
        await shot(page, `account-${width}`);

        await kinds.getByLabel('担当部門の週間まとめ').uncheck();
        await section.getByRole('button', { name: '通知の設定を保存する' }).click();
        await page.waitForURL(/\/account#post-result$/);
        expect(await page.locator('#post-result').innerText()).toBe('通知の設定を保存しました。');
        expect(await optOuts()).toEqual(['champion-weekly']);
        expect(await kinds.getByLabel('担当部門の週間まとめ').isChecked()).toBe(false);
        expect(await kinds.getByLabel('月ごとの振り返りの開始').isChecked()).toBe(true);

        await section.getByRole('button', { name: '非公開URLを作成する' }).click();
        await page.waitForURL(/\/account#post-result$/);
        const result = page.locator('#post-result');
        expect(await result.getAttribute('role')).toBe('status');
        await expect.poll(async () => (await focused(page)).id, { timeout: 5000 }).toBe('post-result');
        const address = await page.getByLabel('カレンダーの非公開URL').inputValue();
        expect(address).toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
        found.push(...(await serious(page, 'account with the address', javaScript)));
        await expectNoOverflow(page, 'account with the address');
        await shot(page, `account-created-${width}`);

        // The next visit shows the dates, not the address.
        await page.goto(`${app.url}/account`);
        expect(await page.getByLabel('カレンダーの非公開URL').count()).toBe(0);
        expect(await page.content()).not.toContain(address.split('/').pop()!);
        expect(await section.getByRole('button', { name: '新しいURLを作り直す' }).count()).toBe(1);
        await section.getByRole('button', { name: 'URLを無効にする' }).click();
        await page.waitForURL(/\/account#post-result$/);
        expect(await page.locator('#post-result').innerText()).toContain('URLを無効にしました。');
        expect(await section.getByRole('button', { name: '非公開URLを作成する' }).count()).toBe(1);

        await page.goto(`${app.url}/en/account`);
        expect(
          await page
            .getByRole('region', { name: 'Notifications' })
            .getByRole('group', { name: 'E-mails you can choose to receive' })
            .getByLabel("Your department's weekly digest")
            .isChecked(),
        ).toBe(false);
        found.push(...(await serious(page, 'en account', javaScript)));
        await expectNoOverflow(page, 'en account');
        await shot(page, `account-en-${width}`);
      } finally {
        await context.close();
      }
      expect(found, found.join('\n')).toEqual([]);
    });

    it('the unsubscribe page: confirm, then done, accessible, without signing in', async () => {
      await rawDrizzle(app.db).delete(notificationOptOuts);
      const token = await app.db.write(async (tx) => await issueToken(tx, 'unsubscribe', app.ids.champion));
      const context = await app.context({ javaScript, width });
      const page = await context.newPage();
      const found: string[] = [];
      try {
        await page.goto(`${app.url}/unsubscribe/${token}?kinds=champion-weekly,overdue`);
        expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('メールの配信停止');
        expect(await page.getByRole('listitem').filter({ hasText: '担当部門の週間まとめ' }).count()).toBe(1);
        expect(await page.getByRole('listitem').filter({ hasText: '期限を過ぎた研修' }).count()).toBe(0);
        found.push(...(await serious(page, 'unsubscribe confirm', javaScript)));
        await expectNoOverflow(page, 'unsubscribe confirm');
        await shot(page, `unsubscribe-${width}`);
        expect(await optOuts()).toEqual([]);

        await page.getByRole('button', { name: '配信を停止する' }).click();
        await page.waitForLoadState();
        expect(await page.getByRole('status').innerText()).toContain('次のお知らせのメールを停止しました。');
        expect(await optOuts()).toEqual(['champion-weekly']);
        expect(await page.getByRole('link', { name: 'アカウントページを開く' }).getAttribute('href')).toBe('/account');
        found.push(...(await serious(page, 'unsubscribe done', javaScript)));
        await shot(page, `unsubscribe-done-${width}`);
      } finally {
        await context.close();
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  });
}
