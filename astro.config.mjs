// @ts-check
import { createHash } from 'node:crypto';
import path from 'node:path';
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';
import { contentCheck } from './src/integrations/content-check.ts';
import { searchIndex } from './src/integrations/search-index.ts';
import { serverOutput } from './src/integrations/server-output.ts';
import { lessonShells } from './src/integrations/lesson-shells.ts';

// Another content folder (tests, benchmarks) gets its own content-layer cache, so it never
// leaves stale entries behind for the real curriculum.
const contentDir = process.env.MANABI_CONTENT_DIR;
const cacheDir = contentDir ? `./node_modules/.astro-content/${createHash('sha256').update(path.resolve(contentDir)).digest('hex').slice(0, 12)}` : undefined;

export default defineConfig({
  output: 'server',
  ...(cacheDir ? { cacheDir } : {}),
  // Middleware mode: src/cli/serve.ts is the server (headers, limits, static files from an index).
  adapter: node({ mode: 'middleware' }),
  integrations: [contentCheck(), mdx(), searchIndex(), serverOutput(), lessonShells()],
  server: { port: 4321 },
  // Prism marks code with classes (styled in global.css); Shiki's inline styles would need
  // 'unsafe-inline' under the CSP below.
  markdown: { syntaxHighlight: 'prism' },
  security: {
    // Off on purpose: src/middleware.ts checks the Origin of every non-GET request, whatever its
    // content type, and also accepts the public SITE_URL origin behind an https proxy, which
    // Astro's form-only check (comparing with the proxied http:// address) would refuse.
    checkOrigin: false,
    // CSV uploads (users, help-desk) are up to 5 MiB.
    actionBodySizeLimit: 6 * 1024 * 1024,
    csp: {
      algorithm: 'SHA-256',
      directives: [
        "default-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ],
      // Search in the browser runs Pagefind's WebAssembly.
      scriptDirective: { resources: ["'self'", "'wasm-unsafe-eval'"] },
      styleDirective: { resources: ["'self'"] },
    },
  },
  vite: {
    build: {
      rollupOptions: {
        onwarn(warning, warn) {
          // MDX modules carry Astro's "use astro:head-inject" directive; the bundler's note about it is noise.
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
          warn(warning);
        },
      },
    },
  },
});
