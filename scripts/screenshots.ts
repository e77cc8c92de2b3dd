/**
 * The whole product in pictures: every page for each role (and signed out), in both languages,
 * at 1280 and 390 px wide, as PNGs under `screenshots/` (git-ignored). `npm run screenshots`
 * builds if needed and serves a generated organisation (tests/helpers/gallery.ts).
 * `-- --only admin` limits the run to one role; `-- --out <dir>` writes elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { buildIfStale } from '../src/cli/build-if-stale.ts';
import { launchChromium } from '../tests/helpers/browser.ts';
import { type GalleryRole, localized, startGallery } from '../tests/helpers/gallery.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WIDTHS = [1280, 390] as const;
const LOCALES = ['ja', 'en'] as const;

const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string', default: 'screenshots' } } });
const outRoot = path.resolve(ROOT, values.out!);

buildIfStale({ root: ROOT });
const gallery = await startGallery();
let browser: Browser | null = null;
let shots = 0;
const started = Date.now();
try {
  browser = await launchChromium();
  for (const role of Object.keys(gallery.pages) as GalleryRole[]) {
    if (values.only && values.only !== role) continue;
    const cookie = await gallery.cookie(role);
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: width > 600 ? 800 : 844 } });
      if (cookie) {
        const [name, value] = cookie.split('=') as [string, string];
        await context.addCookies([{ name, value, url: gallery.server.url }]);
      }
      const page = await context.newPage();
      for (const locale of LOCALES) {
        const folder = path.join(outRoot, role, `${locale}-${width}`);
        fs.mkdirSync(folder, { recursive: true });
        for (const [name, pagePath] of gallery.pages[role]) {
          const response = await page.goto(`${gallery.server.url}${localized(locale, pagePath)}`, { waitUntil: 'networkidle' });
          const status = response?.status() ?? 0;
          await page.screenshot({ path: path.join(folder, `${name}${status >= 400 ? `-${status}` : ''}.png`), fullPage: true });
          shots++;
        }
      }
      await context.close();
    }
  }
} finally {
  await browser?.close();
  await gallery.stop();
}
console.log(`${shots} screenshots in ${path.relative(ROOT, outRoot) || '.'}/ (${((Date.now() - started) / 1000).toFixed(0)} s)`);
