/**
 * Checklist 14: security headers on every kind of response — pages, static files, endpoints,
 * redirects, 404s and the refusals the server front makes itself: a CSP header (Astro's own
 * with hashes on pages) with object-src 'none', base-uri 'none' and frame-ancestors 'none' and
 * no 'unsafe-inline' for scripts; X-Content-Type-Options: nosniff; Referrer-Policy:
 * strict-origin-when-cross-origin; HSTS only with NODE_ENV=production.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../helpers/server.ts';
import { PASSWORD, rawRequest, sessionCookieFrom, startApp, type App } from './support.ts';

const LESSON = '/learn/basic-ai-essentials/what-is-generative-ai';
let dev: App;
let production: RunningServer;
const productionCookies: Record<string, string> = {};

beforeAll(async () => {
  dev = await startApp({ users: { lea: {}, ada: { role: 'admin', department: 'IT' } }, extraServers: { production: { env: { NODE_ENV: 'production' } } } });
  production = dev.extra.production!;
  for (const who of ['lea', 'ada']) {
    const signedIn = await rawRequest(production.url, '/login?_action=auth.login', {
      method: 'POST',
      headers: { origin: production.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: `${who}@example.com`, password: PASSWORD }).toString(),
    });
    productionCookies[who] = sessionCookieFrom(signedIn.setCookies)!;
  }
});

afterAll(async () => {
  await dev?.stop();
});

interface Case {
  label: string;
  method?: string;
  path: string;
  who?: 'lea' | 'ada';
  headers?: Record<string, string>;
  body?: string;
  announceLength?: number;
  status: number;
  page?: boolean;
}

/** One request of every kind of response. */
function cases(): Case[] {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  return [
    { label: 'landing page', path: '/', status: 200, page: true },
    { label: 'sign-in page', path: '/login', status: 200, page: true },
    { label: 'English sign-in page', path: '/en/login', status: 200, page: true },
    { label: 'lesson, signed in', path: LESSON, who: 'lea', status: 200, page: true },
    { label: 'admin page', path: '/admin/users', who: 'ada', status: 200, page: true },
    { label: 'search page (an inline module script)', path: '/search?q=AI', who: 'lea', status: 200, page: true },
    { label: 'static file', path: '/favicon.svg', status: 200 },
    { label: 'endpoint', path: '/healthz', status: 200 },
    { label: 'CSV download', path: '/admin/exports/users.csv', who: 'ada', status: 200 },
    { label: 'search bundle file', path: '/pagefind/pagefind.js', who: 'lea', status: 200 },
    { label: 'redirect to sign in', path: '/home', status: 302 },
    { label: 'permanent redirect', path: '/ja/home', status: 301 },
    {
      label: 'redirect after sign-in',
      method: 'POST',
      path: '/login?_action=auth.login',
      headers: { ...form, origin: 'SELF' },
      body: `email=lea%40example.com&password=${encodeURIComponent(PASSWORD)}`,
      status: 303,
    },
    { label: '404 page', path: '/nope', status: 404, page: true },
    { label: 'English 404 page', path: '/en/nope', status: 404, page: true },
    { label: '403 page', path: '/admin', who: 'lea', status: 403, page: true },
    { label: '401 for a file', path: '/pagefind/pagefind.js', status: 401 },
    {
      label: '403 for a foreign origin',
      method: 'POST',
      path: '/_actions/checkin.save',
      who: 'lea',
      headers: { ...form, origin: 'https://evil.example' },
      body: 'hoursSaved=1',
      status: 403,
    },
    { label: '400 from an action', method: 'POST', path: '/_actions/checkin.save', who: 'lea', headers: { ...form, origin: 'SELF' }, body: 'hoursSaved=999', status: 400 },
    { label: '413 from the server front', method: 'POST', path: '/_actions/checkin.save', headers: { ...form, origin: 'SELF' }, announceLength: 7 * 1024 * 1024, status: 413 },
  ];
}

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

async function check(base: string, cookies: Record<string, string>, c: Case, isProduction: boolean): Promise<void> {
  const headers: Record<string, string> = { ...c.headers };
  if (headers.origin === 'SELF') headers.origin = base;
  if (c.who) headers.cookie = cookies[c.who]!;
  const response = await rawRequest(base, c.path, { method: c.method ?? 'GET', headers, body: c.body, announceLength: c.announceLength });
  const label = `${isProduction ? 'production' : 'development'} ${c.label}`;
  expect(response.status, label).toBe(c.status);
  const h = response.headers;
  expect(h['x-content-type-options'], label).toBe('nosniff');
  expect(h['referrer-policy'], label).toBe('strict-origin-when-cross-origin');
  expect(h['x-frame-options'], label).toBe('DENY');

  const policy = h['content-security-policy'];
  expect(typeof policy, `${label}: one CSP header`).toBe('string');
  expect(policy as string, `${label}: one policy`).not.toContain(',');
  const csp = directives(policy as string);
  expect(csp.get('object-src'), label).toEqual(["'none'"]);
  expect(csp.get('base-uri'), label).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors'), label).toEqual(["'none'"]);
  const scripts = csp.get('script-src') ?? csp.get('default-src');
  expect(scripts, `${label}: scripts are restricted`).toBeDefined();
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:', "'strict-dynamic'"]) expect(scripts, `${label}: script-src ${bad}`).not.toContain(bad);
  for (const bad of ['*', 'http:', 'https:']) expect(csp.get('default-src'), `${label}: default-src ${bad}`).not.toContain(bad);

  if (isProduction) {
    const hsts = h['strict-transport-security'] as string | undefined;
    expect(hsts, label).toBeDefined();
    expect(Number(/max-age=(\d+)/.exec(hsts!)?.[1]), label).toBeGreaterThanOrEqual(31_536_000);
    expect(hsts, label).toMatch(/includeSubDomains/i);
  } else {
    expect(h['strict-transport-security'], label).toBeUndefined();
  }

  if (c.page) {
    // a page carries Astro's policy, with a hash for each inline script and style it has
    expect(policy as string, label).toMatch(/'sha256-/);
    for (const inline of response.body.matchAll(/<(script|style)(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/\1>/g)) {
      const directive = inline[1] === 'script' ? 'script-src' : 'style-src';
      expect(csp.get(directive), `${label}: inline ${inline[1]} is allowed by hash`).toContain(sha256(inline[2]!));
    }
    // and no <meta> weakens the headers
    expect(response.body, label).not.toMatch(/<meta http-equiv="content-security-policy"/i);
    const meta = /<meta name="referrer" content="([^"]+)"/.exec(response.body)?.[1];
    if (meta) expect(meta, label).toBe(h['referrer-policy']);
  }
}

describe('checklist 14: CSP, nosniff, Referrer-Policy, HSTS only in production — on every kind of response', () => {
  it('sends them on pages, static files, endpoints, redirects, errors and refusals (development: no HSTS)', async () => {
    const cssHref = /<link[^>]+href="(\/_astro\/[^"]+\.css)"/.exec((await rawRequest(dev.url, '/login')).body)?.[1];
    expect(cssHref).toBeDefined();
    for (const c of [...cases(), { label: 'built stylesheet', path: cssHref!, status: 200 }]) await check(dev.url, dev.cookies, c, false);
  });

  it('adds HSTS to every kind of response with NODE_ENV=production', async () => {
    for (const c of cases()) await check(production.url, productionCookies, c, true);
  });

  it('keeps script-src free of inline scripts: the pages ship no inline event handlers or javascript: links', async () => {
    for (const path of ['/', '/login', '/en/login', LESSON, '/admin/users']) {
      const who = path.startsWith('/admin') ? 'ada' : 'lea';
      const html = (await rawRequest(dev.url, path, { headers: { cookie: dev.cookies[who]! } })).body;
      expect(html, path).not.toMatch(/\son[a-z]+="/i);
      expect(html, path).not.toMatch(/href="javascript:/i);
    }
  });
});
