/**
 * Builds the Pagefind index at the end of `astro build`: reads the prerendered lesson HTML
 * (src/pages/search-source/…), indexes it under each lesson's real address, writes the bundle
 * to a private folder (dist/search/pagefind, served only to signed-in users by
 * src/pages/pagefind/[...path].ts) and removes the HTML from the public output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import * as pagefind from 'pagefind';

export const SEARCH_SOURCE = 'search-source';

function htmlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.html'))
    .map((d) => path.join(d.parentPath, d.name));
}

/** `search-source/en/<course>/<lesson>/index.html` → `/en/learn/<course>/<lesson>`; Japanese has no prefix. */
export function lessonUrl(relative: string): string | null {
  const match = /^(ja|en)\/([^/]+)\/([^/]+)(?:\/index)?\.html$/.exec(relative.split(path.sep).join('/'));
  if (!match) return null;
  const [, locale, course, lesson] = match;
  return `${locale === 'ja' ? '' : '/en'}/learn/${course}/${lesson}`;
}

export function searchIndex(): AstroIntegration {
  let root = process.cwd();
  let outDir = path.join(root, 'dist');
  return {
    name: 'manabi:search-index',
    hooks: {
      'astro:config:done': ({ config }) => {
        root = fileURLToPath(config.root);
        outDir = fileURLToPath(config.outDir);
      },
      'astro:build:done': async ({ dir, logger }) => {
        const clientDir = fileURLToPath(dir);
        const sourceDir = path.join(clientDir, SEARCH_SOURCE);
        const bundleDir = path.join(outDir, 'search', 'pagefind');
        try {
          const files = htmlFiles(sourceDir);
          fs.rmSync(bundleDir, { recursive: true, force: true });
          const { index, errors } = await pagefind.createIndex({});
          if (!index) throw new Error(`Pagefind could not start: ${errors.join('; ')}`);
          for (const file of files) {
            const url = lessonUrl(path.relative(sourceDir, file));
            if (!url) continue;
            const added = await index.addHTMLFile({ url, content: fs.readFileSync(file, 'utf8') });
            if (added.errors.length > 0) throw new Error(`Pagefind could not index ${url}: ${added.errors.join('; ')}`);
          }
          const written = await index.writeFiles({ outputPath: bundleDir });
          if (written.errors.length > 0) throw new Error(`Pagefind could not write: ${written.errors.join('; ')}`);
          logger.info(`indexed ${files.length} lesson pages into ${path.relative(root, bundleDir)}`);
        } finally {
          // Lesson text must never sit in the public folder, even when indexing failed.
          fs.rmSync(sourceDir, { recursive: true, force: true });
          await pagefind.close();
        }
      },
    },
  };
}
