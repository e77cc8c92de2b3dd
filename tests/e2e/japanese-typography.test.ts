/**
 * Japanese typography and wording (issue 12, item 6), on every page of the gallery in Chromium:
 * strict line breaking, full-width colons, one date style per language, translated audit-log
 * entries, English plurals, no doubled target labels.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { type Gallery, type GalleryRole, localized, startGallery } from '../helpers/gallery.ts';

let gallery: Gallery;
let browser: Browser;
/** The visible text of each page's main content, per language: `role name` → text. */
const texts: Record<'ja' | 'en', Map<string, string>> = { ja: new Map(), en: new Map() };
const ROLES: GalleryRole[] = ['anonymous', 'newcomer', 'learner', 'champion', 'admin'];

beforeAll(async () => {
  gallery = await startGallery({ users: 60 });
  browser = await launchChromium();
  for (const role of ROLES) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const cookie = await gallery.cookie(role);
    if (cookie) {
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: gallery.server.url }]);
    }
    const page = await context.newPage();
    for (const locale of ['ja', 'en'] as const) {
      for (const [name, path] of gallery.pages[role]) {
        await page.goto(`${gallery.server.url}${localized(locale, path)}`);
        texts[locale].set(`${role} ${name}`, await page.locator('main').innerText());
      }
    }
    await context.close();
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await gallery?.stop();
});

async function signedIn(role: GalleryRole): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const [name, value] = (await gallery.cookie(role))!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: gallery.server.url }]);
  return context;
}

/** Every match of `pattern` on every page, as `page: match`. */
function findAll(locale: 'ja' | 'en', pattern: RegExp, skip: (page: string) => boolean = () => false): string[] {
  const found: string[] = [];
  for (const [page, text] of texts[locale]) {
    if (skip(page)) continue;
    for (const match of text.matchAll(new RegExp(pattern, 'g'))) found.push(`${page}: “${match[0]}”`);
  }
  return found;
}

const ENGLISH_MONTHS =
  /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{4}\b|\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December)\b/;
// Lesson text is content, written by authors; the product's own pages are what is checked here.
const isLesson = (page: string): boolean => page.endsWith(' lesson');

describe('Japanese typography and wording', () => {
  it('saw every page in both languages', () => {
    expect(texts.ja.size).toBeGreaterThan(20);
    expect(texts.en.size).toBe(texts.ja.size);
  });

  it('breaks Japanese lines by the strict rules, headings between phrases', async () => {
    const context = await signedIn('learner');
    try {
      const page = await context.newPage();
      await page.goto(`${gallery.server.url}/home`);
      expect(
        await page
          .locator('main p')
          .first()
          .evaluate((p) => getComputedStyle(p).lineBreak),
      ).toBe('strict');
      expect(await page.locator('main h1').evaluate((h) => getComputedStyle(h).wordBreak)).toBe('auto-phrase');
      await page.goto(`${gallery.server.url}/en/home`);
      expect(
        await page
          .locator('main p')
          .first()
          .evaluate((p) => getComputedStyle(p).lineBreak),
      ).toBe('auto');
    } finally {
      await context.close();
    }
  });

  it('uses one date style per language: 2026年12月1日 and 1 December 2026, never 2026/12/01 or 2026-12-01', () => {
    for (const locale of ['ja', 'en'] as const) {
      expect(findAll(locale, /\b\d{4}\/\d{1,2}\/\d{1,2}\b/), locale).toEqual([]);
      expect(findAll(locale, /\b\d{4}-\d{2}-\d{2}\b/, isLesson), locale).toEqual([]);
    }
    expect(findAll('ja', ENGLISH_MONTHS, isLesson)).toEqual([]);
    expect(findAll('en', /\d{4}年\d{1,2}月/, isLesson)).toEqual([]);
    // English months are written out, as the days are: "December 2026", not "Dec 2026".
    expect(findAll('en', /\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b/)).toEqual([]);
    // The dates are there, in the language's style.
    expect(texts.ja.get('admin wave')).toMatch(/2026年6月1日 – 2026年9月30日/);
    expect(texts.en.get('admin wave')).toMatch(/1 June 2026 – 30 September 2026/);
    expect(texts.ja.get('admin audit')).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}:\d{2}/);
  });

  it('writes colons full-width in Japanese', () => {
    expect(findAll('ja', /[\u3040-\u30ff\u4e00-\u9fff）」]: ?/u, isLesson)).toEqual([]);
    expect(texts.ja.get('admin assignments')).toContain('役割：');
  });

  it('translates audit-log actions and details; no codes or JSON on the page', () => {
    for (const locale of ['ja', 'en'] as const) {
      const audit = texts[locale].get('admin audit')!;
      expect(audit, locale).not.toMatch(/\bauth\.sign_in\b|\baccess\.denied\b|\buser\.updated\b/);
      expect(audit, locale).not.toMatch(/\{"|":/);
    }
    expect(texts.ja.get('admin audit')).toContain('サインイン');
    expect(texts.ja.get('admin audit')).toMatch(/方法：パスワード/);
    expect(texts.en.get('admin audit')).toContain('Signed in');
    expect(texts.en.get('admin audit')).toMatch(/Method: Password/);
  });

  it('says English counts with plural forms', () => {
    expect(findAll('en', /\(s\)|\(es\)/)).toEqual([]);
    expect(findAll('en', /\b1 (people|attempts|lessons|courses|questions|ratings|target users|days|rows|statements)\b/)).toEqual([]);
    expect(findAll('en', /\b([02-9]|\d{2,}) (person|attempt|lesson|course|question|rating|target user)\b/)).toEqual([]);
  });

  it('names each wave target once: 利用率 50%以上, not 利用率（%以上） ≥ 50%', () => {
    expect(texts.ja.get('admin wave')).toContain('利用率 50%以上');
    expect(texts.en.get('admin wave')).toContain('Usage rate at least 50%');
    for (const locale of ['ja', 'en'] as const) expect(findAll(locale, /[（(][^）)]*[）)] [≥≤]/), locale).toEqual([]);
  });
});
