/**
 * Tables that survive Japanese text and small screens (issue 12, item 5), in Chromium on a
 * served organisation: names, roles, statuses, dates and numbers keep to one line; wide tables
 * scroll inside a focusable, labelled region; the champion roster becomes cards under 600 px;
 * the users table's rows keep their borders; the assignment form lines up.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { type Gallery, type GalleryRole, localized, startGallery } from '../helpers/gallery.ts';

let gallery: Gallery;
let browser: Browser;

beforeAll(async () => {
  gallery = await startGallery({ users: 60 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gallery?.stop();
});

async function open(role: GalleryRole, width: number, path: string, locale: 'ja' | 'en' = 'ja'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 844 } });
  const cookie = await gallery.cookie(role);
  const [name, value] = cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: gallery.server.url }]);
  const page = await context.newPage();
  const response = await page.goto(`${gallery.server.url}${localized(locale, path)}`);
  expect(response?.status()).toBe(200);
  return { context, page };
}

/** How many lines of text each matched element takes (line boxes of its contents). */
async function lineCounts(page: Page, selector: string): Promise<{ text: string; lines: number }[]> {
  return page.locator(selector).evaluateAll((nodes) =>
    nodes.map((node) => {
      const range = document.createRange();
      range.selectNodeContents(node);
      // Rects that overlap vertically share a line (text of different sizes starts at different heights).
      const rects = [...range.getClientRects()].filter((r) => r.width > 0).sort((a, b) => a.top - b.top);
      let lines = 0;
      let bottom = -Infinity;
      for (const rect of rects) {
        if (rect.top >= bottom - 2) lines++;
        bottom = Math.max(rect.top >= bottom - 2 ? rect.bottom : bottom, rect.bottom);
      }
      return { text: (node.textContent ?? '').trim(), lines };
    }),
  );
}

function wrapped(counts: { text: string; lines: number }[]): string[] {
  return counts.filter((c) => c.lines > 1).map((c) => `${c.text} (${c.lines} lines)`);
}

/** The region around a table: focusable, with a name. */
async function regionOf(page: Page, table: string): Promise<{ tabIndex: number; role: string | null; name: string; scrolls: boolean }> {
  return page
    .locator(table)
    .first()
    .evaluate((element) => {
      const region = element.closest('.table-scroll') as HTMLElement | null;
      if (!region) return { tabIndex: -1, role: null, name: '', scrolls: false };
      const labelledby = region.getAttribute('aria-labelledby');
      const name = labelledby ? (document.getElementById(labelledby)?.textContent ?? '') : (region.getAttribute('aria-label') ?? '');
      return { tabIndex: region.tabIndex, role: region.getAttribute('role'), name: name.trim(), scrolls: region.scrollWidth > region.clientWidth };
    });
}

describe('tables at 390 px', () => {
  it('champion roster: one card per person, the name on one line, each value labelled', async () => {
    for (const locale of ['ja', 'en'] as const) {
      const { context, page } = await open('champion', 390, '/champion', locale);
      try {
        const rows = page.locator('.roster-table tbody tr');
        expect(await rows.count()).toBeGreaterThan(3);
        expect(await rows.first().evaluate((tr) => getComputedStyle(tr).display)).toBe('grid');
        // A card is as wide as the content area: nothing scrolls sideways.
        const width = await rows.first().evaluate((tr) => tr.getBoundingClientRect().width);
        expect(width).toBeGreaterThan(320);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        expect(wrapped(await lineCounts(page, '.roster-table .person')), locale).toEqual([]);
        // Every value carries its column's name, shown before it.
        const labels = await page
          .locator('.roster-table tbody tr:first-child td')
          .evaluateAll((cells) => cells.map((td) => getComputedStyle(td, '::before').content.replace(/^"|"$/g, '')));
        const headers = (await page.locator('.roster-table thead th').allTextContents()).map((h) => h.trim()).slice(1);
        expect(labels).toEqual(headers);
        // Percentages, lesson counts, dates and averages keep to one line inside a card.
        expect(wrapped(await lineCounts(page, '.roster-table td .cell-value > span, .roster-table td:nth-last-child(-n+2) .cell-value')), locale).toEqual([]);
        // The three tiers sit side by side.
        const tops = await page.locator('.roster-table tbody tr:first-child td').evaluateAll((cells) => cells.map((td) => Math.round(td.getBoundingClientRect().top)));
        expect(new Set(tops.slice(0, 3)).size).toBe(1);
      } finally {
        await context.close();
      }
    }
  });

  it('users: names, statuses and headers on one line; the table scrolls in a labelled, focusable region', async () => {
    for (const locale of ['ja', 'en'] as const) {
      const { context, page } = await open('admin', 390, '/admin/users', locale);
      try {
        expect(wrapped(await lineCounts(page, 'table.users td.person strong')), locale).toEqual([]);
        expect(wrapped(await lineCounts(page, 'table.users thead th')), locale).toEqual([]);
        expect(wrapped(await lineCounts(page, 'table.users tbody td:nth-child(3)')), locale).toEqual([]);
        const region = await regionOf(page, 'table.users');
        expect(region).toEqual({ tabIndex: 0, role: 'region', name: (await page.locator('h1').textContent())!.trim(), scrolls: true });
      } finally {
        await context.close();
      }
    }
  });

  it('audit log and champion page: scrollable regions pass axe, dates on one line', async () => {
    for (const [role, path] of [
      ['admin', '/admin/audit'],
      ['champion', '/champion'],
      ['admin', '/admin'],
    ] as const) {
      const { context, page } = await open(role, 390, path);
      try {
        const results = await new AxeBuilder({ page }).withRules(['scrollable-region-focusable', 'aria-allowed-role', 'region']).analyze();
        expect(results.violations.map((v) => `${path}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
        for (const table of await page.locator('table.data-table').all()) {
          const region = await table.evaluate((element) => {
            const frame = element.closest('.table-scroll') as HTMLElement | null;
            return frame ? { tabIndex: frame.tabIndex, named: Boolean(frame.getAttribute('aria-labelledby') || frame.getAttribute('aria-label')) } : null;
          });
          expect(region, `${path}: every data table sits in a region`).toEqual({ tabIndex: 0, named: true });
        }
      } finally {
        await context.close();
      }
    }
    const { context, page } = await open('admin', 390, '/admin/audit');
    try {
      expect(wrapped(await lineCounts(page, 'table.audit tbody td:first-child')).slice(0, 3)).toEqual([]);
      expect(wrapped(await lineCounts(page, 'table.audit thead th'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('tables and forms at 1280 px', () => {
  it('users: each row keeps one bottom border across all cells (no flex cell)', async () => {
    const { context, page } = await open('admin', 1280, '/admin/users', 'en');
    try {
      const rows = await page.locator('main table.data-table tbody tr').evaluateAll((trs) =>
        trs.slice(0, 10).map((tr) => {
          const cells = [...tr.children].map((cell) => cell.getBoundingClientRect());
          return { bottoms: new Set(cells.map((c) => Math.round(c.bottom))).size, displays: [...tr.children].map((c) => getComputedStyle(c).display) };
        }),
      );
      expect(rows.length).toBe(10);
      for (const row of rows) {
        expect(row.bottoms).toBe(1);
        expect(new Set(row.displays)).toEqual(new Set(['table-cell']));
      }
    } finally {
      await context.close();
    }
  });

  it('champion roster: still a table, in a focusable region with its own name (the section heading names the section: the same name twice is a repeated landmark)', async () => {
    const { context, page } = await open('champion', 1280, '/champion');
    try {
      expect(
        await page
          .locator('.roster-table tbody tr')
          .first()
          .evaluate((tr) => getComputedStyle(tr).display),
      ).toBe('table-row');
      expect(await regionOf(page, '.roster-table')).toMatchObject({ tabIndex: 0, role: 'region', name: '名簿の表' });
    } finally {
      await context.close();
    }
  });

  it('assignment form: controls top-aligned, radio labels beside their buttons, the button below with room', async () => {
    for (const locale of ['ja', 'en'] as const) {
      const { context, page } = await open('admin', 1280, '/admin/assignments', locale);
      try {
        const form = page.locator('form.assign-form');
        const tier = (await form.locator('#tierId').boundingBox())!;
        const fieldsets = await form.locator('fieldset').evaluateAll((sets) => sets.map((f) => f.getBoundingClientRect().toJSON() as DOMRect));
        // The tier select sits at the top, beside the fieldsets, not stranded at the bottom.
        expect(tier.y).toBeLessThan(fieldsets[0]!.y + 60);
        expect(tier.x + tier.width).toBeLessThanOrEqual(fieldsets[0]!.x);
        // Every radio button has its label on the same line, to its right.
        const pairs = await form.locator('input[type="radio"]').evaluateAll((radios) =>
          radios.map((radio) => {
            const label = document.querySelector(`label[for="${radio.id}"]`)!;
            const a = radio.getBoundingClientRect();
            const b = label.getBoundingClientRect();
            return { id: radio.id, sameLine: Math.abs(a.top + a.height / 2 - (b.top + b.height / 2)) < 6, right: b.left >= a.right };
          }),
        );
        for (const pair of pairs) expect(pair, `${locale} ${pair.id}`).toEqual({ id: pair.id, sameLine: true, right: true });
        // The submit button below the fieldsets, not jammed against them.
        const button = (await form.getByRole('button').boundingBox())!;
        const lowest = Math.max(...fieldsets.map((f) => f.y + f.height));
        expect(button.y - lowest, locale).toBeGreaterThanOrEqual(16);
      } finally {
        await context.close();
      }
    }
  });
});
