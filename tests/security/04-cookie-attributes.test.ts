/**
 * Checklist 4: the session cookie is HttpOnly, SameSite=Lax, Path=/, without Domain; Secure
 * with the `__Host-` prefix when served over https (a real TLS server here) and in production
 * (NODE_ENV=production, where TLS ends at the reverse proxy in front of the app).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, signIn } from '../helpers/http.ts';
import type { RunningServer } from '../helpers/server.ts';
import { PASSWORD, post, startApp, tempDir, type App } from './support.ts';

interface ParsedCookie {
  name: string;
  value: string;
  attributes: Map<string, string | true>;
}

function parseSetCookie(header: string): ParsedCookie {
  const [pair, ...rest] = header.split(';');
  const eq = pair!.indexOf('=');
  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const [key, ...value] = part.trim().split('=');
    attributes.set(key!.toLowerCase(), value.length ? value.join('=') : true);
  }
  return { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1), attributes };
}

function expectSessionAttributes(cookie: ParsedCookie, secure: boolean): void {
  expect(cookie.attributes.get('httponly')).toBe(true);
  expect(String(cookie.attributes.get('samesite')).toLowerCase()).toBe('lax');
  expect(cookie.attributes.get('path')).toBe('/');
  expect(cookie.attributes.has('domain')).toBe(false);
  expect(cookie.attributes.has('secure')).toBe(secure);
}

let app: App;
let plain: RunningServer;
let production: RunningServer;
let tls: RunningServer;
let tlsUrl: string;
let certificate: Buffer;
let tlsDir: string;

interface TlsResponse {
  status: number;
  location: string | undefined;
  setCookies: string[];
}

/** A request to the TLS server, trusting only its own test certificate. */
function tlsRequest(target: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<TlsResponse> {
  const url = new URL(target, tlsUrl);
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method ?? 'GET', headers: options.headers, ca: certificate, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode!, location: response.headers.location, setCookies: response.headers['set-cookie'] ?? [] }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

beforeAll(async () => {
  tlsDir = tempDir('manabi-tls-');
  const key = path.join(tlsDir, 'key.pem');
  const cert = path.join(tlsDir, 'cert.pem');
  const made = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  certificate = fs.readFileSync(cert);
  // one database, three servers: plain http (development), production, and real TLS
  app = await startApp({
    users: { alice: {} },
    signIn: false,
    extraServers: {
      production: { env: { NODE_ENV: 'production' } },
      tls: { script: 'tests/security/https-server.ts', env: { TLS_KEY: key, TLS_CERT: cert } },
    },
  });
  plain = app.server;
  production = app.extra.production!;
  tls = app.extra.tls!;
  tlsUrl = tls.url.replace('http:', 'https:');
});

afterAll(async () => {
  await app?.stop();
  if (tlsDir) fs.rmSync(tlsDir, { recursive: true, force: true });
});

describe('checklist 4: cookie HttpOnly, SameSite=Lax, Path=/, Secure over https (__Host- prefix in production)', () => {
  it('over plain http (development): HttpOnly, SameSite=Lax, Path=/, no Domain, an expiry, not Secure', async () => {
    const { response, setCookie } = await signIn(plain.url, 'alice@example.com', PASSWORD);
    expect(response.status).toBe(303);
    const cookie = parseSetCookie(setCookie!);
    expect(cookie.name).toBe('manabi_session');
    expectSessionAttributes(cookie, false);
    expect(cookie.attributes.has('expires')).toBe(true);

    // the cookies that clear it carry the same attributes
    const out = await post(plain.url, '/logout?_action=auth.logout', `manabi_session=${cookie.value}`, {});
    const cleared = parseSetCookie(out.headers.getSetCookie().find((c) => c.startsWith('manabi_session='))!);
    expect(cleared.value).toBe('');
    expectSessionAttributes(cleared, false);
    const stale = await get(plain.url, '/home', `manabi_session=${cookie.value}`);
    const clearedStale = parseSetCookie(stale.headers.getSetCookie().find((c) => c.startsWith('manabi_session='))!);
    expectSessionAttributes(clearedStale, false);
  });

  it('over https: __Host-manabi_session, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const response = await tlsRequest('/login?_action=auth.login', {
      method: 'POST',
      headers: { origin: tlsUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'alice@example.com', password: PASSWORD }).toString(),
    });
    expect(response.status).toBe(303);
    const header = response.setCookies.find((c) => c.includes('manabi_session='))!;
    const cookie = parseSetCookie(header);
    expect(cookie.name).toBe('__Host-manabi_session');
    expectSessionAttributes(cookie, true);

    expect((await tlsRequest('/home', { headers: { cookie: `__Host-manabi_session=${cookie.value}` } })).status).toBe(200);
    // over https only the prefixed name counts: a plain-named cookie (settable from http or a
    // sibling domain) with the same value is not read
    expect((await tlsRequest('/home', { headers: { cookie: `manabi_session=${cookie.value}` } })).status).toBe(302);

    const out = await tlsRequest('/logout?_action=auth.logout', {
      method: 'POST',
      headers: { origin: tlsUrl, cookie: `__Host-manabi_session=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    const cleared = parseSetCookie(out.setCookies.find((c) => c.startsWith('__Host-manabi_session='))!);
    expect(cleared.value).toBe('');
    expectSessionAttributes(cleared, true);
  });

  it('in production (TLS ends at the proxy): __Host-manabi_session with Secure, and it works on the next request', async () => {
    const { response } = await signIn(production.url, 'alice@example.com', PASSWORD);
    expect(response.status).toBe(303);
    const header = response.headers.getSetCookie().find((c) => c.includes('manabi_session='));
    expect(header).toBeDefined();
    const cookie = parseSetCookie(header!);
    expect(cookie.name).toBe('__Host-manabi_session');
    expectSessionAttributes(cookie, true);
    expect((await get(production.url, '/home', `__Host-manabi_session=${cookie.value}`)).status).toBe(200);
    expect((await get(production.url, '/home', `manabi_session=${cookie.value}`)).status).toBe(302);
  });
});
