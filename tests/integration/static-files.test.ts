/**
 * The build's static files as the production server serves them (src/platform/http/app-handler.server.ts):
 * from an index made at start, with caching headers, and everything else to the pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../helpers/db.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let database: TempDb;
let server: RunningServer;

beforeAll(async () => {
  database = tempDb();
  server = await startServer({ databasePath: database.file });
});
afterAll(async () => {
  await server?.stop();
  database?.cleanup();
});

const fetchRaw = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init });

describe('static files', () => {
  it('serves the stylesheets a page links as immutable, and answers a repeat with 304', async () => {
    const html = await (await fetchRaw('/login')).text();
    const stylesheets = [...html.matchAll(/<link rel="stylesheet" href="(\/_astro\/[^"]+\.css)"/g)].map((m) => m[1]!);
    expect(stylesheets.length).toBeGreaterThan(0);
    for (const href of stylesheets) {
      const response = await fetchRaw(href);
      expect(response.status, href).toBe(200);
      expect(response.headers.get('content-type'), href).toMatch(/^text\/css/);
      expect(response.headers.get('cache-control'), href).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('x-content-type-options'), href).toBe('nosniff');
      expect((await response.text()).length, href).toBeGreaterThan(0);
      const again = await fetchRaw(href, { headers: { 'if-none-match': response.headers.get('etag')! } });
      expect(again.status, href).toBe(304);
    }
  });

  it('serves files with fixed names for revalidation only', async () => {
    const response = await fetchRaw('/favicon.svg');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('etag')).toBeTruthy();
  });

  it('answers a missing asset, a path outside the folder and a posted file name with the 404 page', async () => {
    for (const path of ['/_astro/missing.css', '/_astro/..%2f..%2fserver%2fentry.mjs', '/../server/entry.mjs', '/server/entry.mjs']) {
      const response = await fetchRaw(path);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toContain('export {');
    }
    const posted = await fetchRaw('/favicon.svg', { method: 'POST', headers: { origin: server.url } });
    expect(posted.status).toBe(404);
    expect(posted.headers.get('content-type')).not.toBe('image/svg+xml');
  });

  it('refuses an address that is not valid percent-encoding with 400', async () => {
    const response = await fetchRaw('/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('Bad request.');
  });
});
