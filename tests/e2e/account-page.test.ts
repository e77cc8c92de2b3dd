/**
 * Issue 12, item 12: /account shows and changes the language preference (the one the header's
 * switch saves) with a plain form, links to the learner's progress and certificates, beside the
 * password change. With JavaScript and without.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, users } from '../../db/schema/index.ts';
import { type E2eApp, startE2eApp } from '../helpers/e2e-app.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

let app: E2eApp;
const localeOf = async () => first(await rawDrizzle(app.db).select({ locale: users.locale }).from(users).where(eq(users.id, app.ids.learner)))!.locale;

beforeAll(async () => {
  app = await startE2eApp();
  await rawDrizzle(app.db)
    .insert(certificates)
    .values({ code: 'abcdefghijkmnpqrstuvwxyz', userId: app.ids.learner, tierId: 'basic', holderName: '佐藤 花子', issuedAt: new Date('2026-11-20T03:00:00Z') });
});

afterAll(async () => {
  await app?.stop();
});

for (const javaScript of [true, false]) {
  describe(`the account page, JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    it('shows the language preference and changes it with a plain form; links to progress and certificates', async () => {
      await rawDrizzle(app.db).update(users).set({ locale: 'ja' }).where(eq(users.id, app.ids.learner));
      const context = await app.context({ javaScript, width: javaScript ? 1280 : 390 });
      const page = await context.newPage();
      await app.signInPage(page, 'learner');
      await page.goto(`${app.url}/account`);

      const language = page.getByRole('group', { name: 'Manabiを表示する言語' });
      expect(await language.getByLabel('日本語').isChecked()).toBe(true);
      expect(await language.getByLabel('English').isChecked()).toBe(false);
      expect(await page.getByRole('link', { name: 'マイ学習（段階ごとの進み具合とテストの結果）' }).getAttribute('href')).toBe('/home');
      expect(await page.getByRole('link', { name: '「基礎」の修了証を見る' }).getAttribute('href')).toBe('/certificates/abcdefghijkmnpqrstuvwxyz');
      expect(await page.getByRole('heading', { name: 'パスワードを変更する' }).count()).toBe(1);

      await language.getByLabel('English').check();
      await page.locator('form[action*="profile.setLocale"] button[type="submit"]').filter({ hasText: '保存する' }).click();
      await page.waitForURL(`${app.url}/en/account#post-result`);
      expect(await localeOf()).toBe('en');
      expect(await page.locator('#post-result').innerText()).toBe('Manabi is now shown in English.');
      expect(await page.getByRole('group', { name: 'Show Manabi in' }).getByLabel('English').isChecked()).toBe(true);
      expect(await page.getByRole('link', { name: 'View the Basic certificate' }).count()).toBe(1);

      // The next sign-in lands in English.
      await page.context().clearCookies();
      await app.signInPage(page, 'learner');
      expect(page.url()).toBe(`${app.url}/en/home`);

      // And back to Japanese from the English page.
      await page.goto(`${app.url}/en/account`);
      await page.getByRole('group', { name: 'Show Manabi in' }).getByLabel('日本語').check();
      await page.locator('form[action*="profile.setLocale"] button[type="submit"]').filter({ hasText: 'Save' }).click();
      await page.waitForURL(`${app.url}/account#post-result`);
      expect(await localeOf()).toBe('ja');
      expect(await page.locator('#post-result').innerText()).toBe('表示言語を日本語にしました。');
      await context.close();
    });
  });
}
