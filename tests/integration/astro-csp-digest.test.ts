/**
 * The digest cache (src/platform/http/digest-cache.server.ts) patches `crypto.subtle.digest` because of
 * one piece of Astro: with `security.csp` on, `FetchState.createResult` hashes every style and
 * script element of the route on every request (`generateCspDigest`, which calls the global
 * `crypto.subtle.digest(algorithm, TextEncoder bytes)`). These tests pin that call, so an Astro
 * update that changes it fails here: either the cache no longer helps (then remove it, or
 * follow the new call) or Astro now offers its own way (then use that).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const ASTRO_DIST = path.join(path.dirname(createRequire(import.meta.url).resolve('astro/package.json')), 'dist');
const read = (file: string): string => fs.readFileSync(path.join(ASTRO_DIST, file), 'utf8');

describe('the Astro code the digest cache relies on', () => {
  it('hashes the head styles and scripts of the route in createResult, on every request, through generateCspDigest', () => {
    const source = read('core/fetch/fetch-state.js');
    expect(source).toMatch(/import \{ generateCspDigest \} from "\.\.\/encryption\.js";/);
    const perRequest = source.slice(source.indexOf('async createResult('));
    expect(perRequest).toMatch(
      /if \(shouldInjectCspMetaTags\) \{\s*for \(const style of styles\) \{\s*extraStyleHashes\.push\(await generateCspDigest\(style\.children, cspAlgorithm\)\);\s*\}\s*for \(const script of scripts\) \{\s*extraScriptHashes\.push\(await generateCspDigest\(script\.children, cspAlgorithm\)\);/,
    );
  });

  it('generateCspDigest calls the global crypto.subtle.digest with the algorithm name and TextEncoder bytes', async () => {
    const source = read('core/encryption.js');
    expect(source).toMatch(/async function generateCspDigest\(data, algorithm\) \{\s*const hashBuffer = await crypto\.subtle\.digest\(algorithm, encoder\.encode\(data\)\);/);
    // `crypto` is the global one (the one the cache wraps), not a binding of this module.
    expect(source).not.toMatch(/\b(?:const|let|var)\s+crypto\b|\bimport\s+(?:\*\s+as\s+)?crypto\b|\bas\s+crypto\b|from\s+["'](?:node:)?crypto["']/);

    const { generateCspDigest } = (await import(pathToFileURL(path.join(ASTRO_DIST, 'core/encryption.js')).href)) as {
      generateCspDigest: (data: string, algorithm: string) => Promise<string>;
    };
    const digest = vi.spyOn(globalThis.crypto.subtle, 'digest');
    try {
      const hash = await generateCspDigest('.lesson{margin:0}', 'SHA-256');
      expect(hash).toBe(`sha256-${createHash('sha256').update('.lesson{margin:0}').digest('base64')}`);
      expect(digest).toHaveBeenCalledTimes(1);
      const [algorithm, data] = digest.mock.calls[0]!;
      // What the cache keys on: an algorithm name it can read and bytes it can copy.
      expect(algorithm).toBe('SHA-256');
      expect(data).toBeInstanceOf(Uint8Array);
    } finally {
      digest.mockRestore();
    }
  });
});

interface DigestLine {
  asked: number;
  computed: number;
  shapes: string;
}

describe('the built server with the digest cache', () => {
  let t: TempDb;
  let server: RunningServer;
  let cookie: string;

  beforeAll(async () => {
    t = tempDb();
    await addUser(t.db, { email: 'hana@example.com', password: 'fixture password 1' });
    void t.db.close();
    server = await startServer({
      databasePath: t.file,
      outDir: FIXTURE_OUT_DIR,
      script: 'tests/integration/digest-counting-server.ts',
      // Astro's own render is what is counted: lesson pages from shells never reach it.
      env: { MANABI_LESSON_SHELLS: 'off' },
    });
    cookie = (await signIn(server.url, 'hana@example.com', 'fixture password 1')).cookie!;
  });

  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  /** GETs a page and returns it with the counts the server printed for that response (found by its request id). */
  async function render(pathname: string, as: string | null): Promise<{ response: Response; digests: DigestLine }> {
    const response = await get(server.url, pathname, as);
    await response.text();
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = new RegExp(`^digests ${id} (\\S*) asked=(\\d+) computed=(\\d+) shapes=(.*)$`, 'm');
    // The line follows the response's 'finish' event.
    const [, path, asked, computed, shapes] = line.exec(await server.waitForOutput(line)) ?? [];
    expect(path).toBe(pathname);
    return { response, digests: { asked: Number(asked), computed: Number(computed), shapes: shapes! } };
  }

  it('answers the per-request CSP hashing of a repeated page from memory, with the same header', async () => {
    const lesson = fixtureCatalog().course('basic-ai-essentials')!.lessons[0]!;
    let computedAtAll = 0;
    // The sign-in page (signed out) and a lesson (the page the benchmark measures).
    for (const [pathname, as] of [
      ['/login', null],
      [`/learn/basic-ai-essentials/${lesson.id}`, cookie],
    ] as const) {
      const { response: first, digests: one } = await render(pathname, as);
      const { response: second, digests: two } = await render(pathname, as);
      expect(second.status, pathname).toBe(200);
      expect(second.headers.get('content-security-policy'), pathname).toBe(first.headers.get('content-security-policy'));
      computedAtAll += one.computed;
      expect(two.asked, `${pathname}: Astro no longer hashes per request through crypto.subtle.digest; the cache may be unneeded`).toBeGreaterThan(0);
      expect(two.asked, pathname).toBe(one.asked);
      expect(two.shapes, pathname).toBe('SHA-256:Uint8Array');
      expect(two.computed, `${pathname}: the second request reached the real digest; the cache did not answer it`).toBe(0);
    }
    // The counter under the cache is wired: the first page's inputs were really digested once.
    expect(computedAtAll).toBeGreaterThan(0);
  });
});
