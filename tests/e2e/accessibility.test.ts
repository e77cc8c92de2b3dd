/**
 * axe-core in Chromium on every page of the product (the screenshot gallery's pages) for each
 * role, in both languages, at 1280 and 390 px: no serious or critical violation.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { type Gallery, type GalleryRole, localized, startGallery } from '../helpers/gallery.ts';

let gallery: Gallery;
let browser: Browser;

beforeAll(async () => {
  gallery = await startGallery({ users: 120 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gallery?.stop();
});

const ROLES: GalleryRole[] = ['anonymous', 'newcomer', 'learner', 'champion', 'admin'];

/** axe's serious and critical violations on the page as it is now. */
async function violations(page: Page, label: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${label}: ${v.id} [${v.impact}] ${v.nodes.length}× — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

describe('accessibility (axe): no serious or critical violations', () => {
  // One test per role, width and language: the admin's pages alone are over twenty per language.
  for (const role of ROLES) {
    for (const width of [1280, 390]) {
      for (const locale of ['ja', 'en'] as const) {
        it(`${role} pages at ${width} px, ${locale === 'ja' ? 'Japanese' : 'English'}`, async () => {
          const cookie = await gallery.cookie(role);
          const context = await browser.newContext({ viewport: { width, height: 800 } });
          if (cookie) {
            const [name, value] = cookie.split('=') as [string, string];
            await context.addCookies([{ name, value, url: gallery.server.url }]);
          }
          const page = await context.newPage();
          const found: string[] = [];
          try {
            // An admin's user page has its own test below, with its refused state.
            for (const [name, pagePath] of gallery.pages[role].filter(([n]) => n !== 'user')) {
              const response = await page.goto(`${gallery.server.url}${localized(locale, pagePath)}`);
              expect(response?.status(), `${locale} ${name}`).toBeLessThan(400);
              const results = await new AxeBuilder({ page }).analyze();
              for (const violation of results.violations) {
                if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
                const targets = violation.nodes
                  .slice(0, 3)
                  .map((n) => n.target.join(' '))
                  .join(' | ');
                found.push(`${locale} ${name} (${pagePath}): ${violation.id} [${violation.impact}] ${violation.nodes.length}× — ${targets}`);
              }
            }
          } finally {
            await context.close();
          }
          expect(found, found.join('\n')).toEqual([]);
        });
      }
    }
  }

  // The gallery's pages show a practice task before it is answered; these are its other states.
  for (const width of [1280, 390]) {
    it(`a practice task refused, saved and opened to revise, at ${width} px, Japanese and English`, async () => {
      const cookie = (await gallery.cookie('newcomer'))!;
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: gallery.server.url }]);
      const page = await context.newPage();
      const lessonPath = gallery.pages.learner.find(([n]) => n === 'lesson')![1];
      const found: string[] = [];
      try {
        for (const locale of ['ja', 'en'] as const) {
          await page.goto(`${gallery.server.url}${localized(locale, lessonPath)}`);
          const tryit = page.locator('section.tryit').first();
          if ((await tryit.locator('summary').count()) > 0) await tryit.locator('summary').click();
          await tryit.locator('textarea').fill('hidden\u200bcharacter');
          await tryit.locator('button[type="submit"]').click();
          await page.waitForURL(/#post-result$/);
          found.push(...(await violations(page, `${locale} refused`)));
          await tryit.locator('textarea').fill(`answer in ${locale} at ${width}`);
          await tryit.locator('button[type="submit"]').click();
          await page.waitForURL(/#post-result$/);
          expect(await tryit.locator('.tryit-model').count()).toBe(1);
          found.push(...(await violations(page, `${locale} saved`)));
          await tryit.locator('summary').click();
          found.push(...(await violations(page, `${locale} revise`)));
        }
      } finally {
        await context.close();
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  }

  // A user's page for the admin, and its erase form refused for a wrong confirmation (nothing is erased).
  for (const width of [1280, 390]) {
    it(`an admin's user page and its erase form refused, at ${width} px, Japanese and English`, async () => {
      const cookie = (await gallery.cookie('admin'))!;
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: gallery.server.url }]);
      const page = await context.newPage();
      const userPath = gallery.pages.admin.find(([n]) => n === 'user')![1];
      const found: string[] = [];
      try {
        for (const locale of ['ja', 'en'] as const) {
          expect((await page.goto(`${gallery.server.url}${localized(locale, userPath)}`))?.status()).toBe(200);
          found.push(...(await violations(page, `${locale} user`)));
          await page.locator('#confirm-email').fill('not-this-person@example.com');
          await page.locator('.danger-zone button[type="submit"]').click();
          await page.waitForURL(/#post-result$/);
          expect(await page.locator('#confirm-email[aria-invalid="true"]').count()).toBe(1);
          found.push(...(await violations(page, `${locale} refused`)));
        }
      } finally {
        await context.close();
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  }

  // The notification settings refused (an http:// webhook) and saved, and the notifications page with its answers (issue 15).
  for (const width of [1280, 390]) {
    it(`notification settings refused and saved, and a test e-mail queued, at ${width} px, Japanese and English`, async () => {
      const cookie = (await gallery.cookie('admin'))!;
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: gallery.server.url }]);
      const page = await context.newPage();
      const found: string[] = [];
      try {
        for (const locale of ['ja', 'en'] as const) {
          await page.goto(`${gallery.server.url}${localized(locale, '/admin/settings/notifications')}`);
          await page.locator('#p-slack').fill('http://hooks.slack.com/services/T/B/x');
          await page.locator('.settings-form button[type="submit"]').click();
          await page.waitForURL(/#post-result$/);
          expect(await page.locator('#p-slack[aria-invalid="true"]').count()).toBe(1);
          found.push(...(await violations(page, `${locale} settings refused`)));
          await page.locator('#p-slack').fill('https://hooks.slack.com/services/T/B/x');
          await page.locator('.settings-form button[type="submit"]').click();
          await page.waitForURL(/#post-result$/);
          expect(await page.locator('#p-slack-remove').count()).toBe(1);
          found.push(...(await violations(page, `${locale} settings saved`)));
          await page.goto(`${gallery.server.url}${localized(locale, '/admin/notifications')}`);
          await page.locator('.test-send button[type="submit"]').click();
          await page.waitForURL(/#post-result$/);
          found.push(...(await violations(page, `${locale} test e-mail queued`)));
        }
      } finally {
        await context.close();
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  }
});
