/**
 * The champion view's landmarks have unique names (axe's landmark-unique, a moderate rule that
 * the page-wide accessibility test does not fail on): the roster and question tables are regions
 * inside sections named by the same headings, and a paged roster has two page navs. A department
 * over ROSTER_PAGE_THRESHOLD people (paged) in both languages, for its champion and an admin.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { type Gallery, localized, startGallery } from '../helpers/gallery.ts';

let gallery: Gallery;
let browser: Browser;

beforeAll(async () => {
  // Six departments of about 317: every roster is paged.
  gallery = await startGallery({ users: 1900 });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gallery?.stop();
});

describe('champion view landmarks', () => {
  for (const role of ['champion', 'admin'] as const) {
    it(`are uniquely named for the ${role}, Japanese and English`, async () => {
      const cookie = (await gallery.cookie(role))!;
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: gallery.server.url }]);
      const page = await context.newPage();
      const found: string[] = [];
      try {
        for (const locale of ['ja', 'en'] as const) {
          const response = await page.goto(`${gallery.server.url}${localized(locale, role === 'admin' ? '/champion?department=2' : '/champion')}`);
          expect(response?.status()).toBe(200);
          // The paged roster: its two page navs are there.
          expect(await page.locator('nav.roster-pager').count()).toBe(2);
          const results = await new AxeBuilder({ page }).withRules(['landmark-unique']).analyze();
          for (const v of results.violations) found.push(`${locale}: ${v.id} [${v.impact}] ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
          expect(results.passes.map((p) => p.id)).toContain('landmark-unique');
        }
      } finally {
        await context.close();
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  }
});
