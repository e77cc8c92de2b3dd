/**
 * Issue 11, item 1: no open redirect through `next`. `safeNextPath` checked the raw string but
 * returned the normalised path, so `/.//evil.com`, `/..//evil.com` and `/%2e//evil.com` came
 * back as the protocol-relative `//evil.com`. Every payload below must end on this site: a
 * same-site path or the default page, in the function and in the real server's Location
 * headers (sign-in page when signed in, sign-in form, language switch, single sign-on callback).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNextPath } from '../../src/platform/i18n/paths.ts';
import { finish, Jar, toCallback } from '../helpers/oidc-flow.ts';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { freePort } from '../helpers/server.ts';
import { PASSWORD, post, startApp, type App } from './support.ts';

/** Values of `next` as the server receives them (after form or query decoding). */
const PAYLOADS: string[] = [
  '//evil.com',
  '///evil.com',
  '////evil.com/path',
  '//evil.com@127.0.0.1',
  '/\\evil.com',
  '/\\/evil.com',
  '\\/evil.com',
  '\\\\evil.com',
  '/.//evil.com',
  '/./evil.com/..//evil.com',
  '/..//evil.com',
  '/../..//evil.com',
  '/a/../..//evil.com',
  '/.%2e//evil.com',
  '/%2e//evil.com',
  '/%2E//evil.com',
  '/%2e%2e//evil.com',
  '/%2f/evil.com',
  '/%2F%2Fevil.com',
  '/%5c/evil.com',
  '/%5C%5Cevil.com',
  '/%252f%252fevil.com',
  '/%252e//evil.com',
  '/%25%32%65//evil.com',
  '/\t/evil.com',
  '/\n/evil.com',
  '/\r\n/evil.com',
  '/\t\\evil.com',
  '\t//evil.com',
  ' //evil.com',
  '/ /evil.com',
  '/\u0000/evil.com',
  '/\u00a0/evil.com',
  '/\u3000/evil.com',
  '/\u200b/evil.com',
  '/\u202e//evil.com',
  '/\uff0fevil.com',
  '\uff0f\uff0fevil.com',
  '/\uff3cevil.com',
  '/\u2215/evil.com',
  '/\u2044evil.com',
  'https://evil.com',
  'https:evil.com',
  'https:/evil.com',
  'https:\\\\evil.com',
  'HTTPS://evil.com',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.com',
  '/%0d%0aSet-Cookie:%20x=y',
  '/\r\nSet-Cookie: x=y',
  '/' + 'a'.repeat(3000),
];

/** Same-site paths that must survive unchanged. */
const GOOD: [string, string][] = [
  ['/learn/basic-ai-essentials/safe-use-basics?x=1#top', '/learn/basic-ai-essentials/safe-use-basics?x=1#top'],
  ['/en/home', '/en/home'],
  ['/search?q=%E7%94%9F%E6%88%90AI', '/search?q=%E7%94%9F%E6%88%90AI'],
];

const SITE = 'https://manabi.example.test';

/** What a browser does with a Location header: resolve it against the page it came from. */
function expectOnSite(location: string | null | undefined, site: string, label: string): void {
  expect(location, label).toBeTruthy();
  expect(new URL(location!, `${site}/login`).origin, `${label} → ${location}`).toBe(new URL(site).origin);
  // a plain path, never an address another parser could read as a host
  expect(/^\/(?![/\\])/.test(location!), `${label} → ${location}`).toBe(true);
  expect(/^[\x21-\x7e]+$/.test(location!), `${label} → ${JSON.stringify(location)}`).toBe(true);
}

describe('safeNextPath: every payload ends on this site', () => {
  it(`has a table of at least 30 payloads (${PAYLOADS.length})`, () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(PAYLOADS.map((p) => [JSON.stringify(p).slice(0, 60), p]))('%s', (_label, payload) => {
    const result = safeNextPath(payload, '/home');
    expectOnSite(result, SITE, JSON.stringify(payload));
    // attacks either fall back or stay a harmless path here; none names evil.com as a host
    expect(new URL(result, SITE).host).toBe('manabi.example.test');
  });

  it('keeps ordinary same-site paths as they are', () => {
    for (const [input, output] of GOOD) expect(safeNextPath(input, '/home')).toBe(output);
    expect(safeNextPath(null, '/home')).toBe('/home');
    expect(safeNextPath('', '/en/home')).toBe('/en/home');
  });
});

describe('the real server only redirects to same-site paths', () => {
  let app: App;
  let provider: TestProvider;

  beforeAll(async () => {
    const [port, providerPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    const issuer = `http://127.0.0.1:${providerPort}`;
    app = await startApp({
      users: { learner: {}, switcher: {} },
      port,
      env: {
        SITE_URL: url,
        AUTH_MODE: 'both',
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: 'manabi',
        OIDC_CLIENT_SECRET: 'test-client-secret-0123456789abcdef',
        OIDC_ALLOW_HTTP: 'true',
      },
    });
    provider = await startProvider({ port: providerPort, redirectUris: [`${url}/login/oidc/callback`], postLogoutRedirectUris: [`${url}/login?signed_out=1`] });
    provider.accounts.set('sso', { email: 'sso@example.com', name: 'SSO User' });
  });

  afterAll(async () => {
    await app?.stop();
    await provider?.close();
  });

  it('GET /login?next=… when signed in', async () => {
    for (const payload of PAYLOADS) {
      const response = await fetch(`${app.url}/login?${new URLSearchParams({ next: payload })}`, { redirect: 'manual', headers: { cookie: app.cookies.learner! } });
      expect(response.status, JSON.stringify(payload)).toBe(303);
      expectOnSite(response.headers.get('location'), app.url, `GET ${JSON.stringify(payload)}`);
    }
  });

  it('POST of the sign-in form with next=…', async () => {
    for (const payload of PAYLOADS) {
      const response = await post(app.url, '/login?_action=auth.login', null, { email: 'learner@example.com', password: PASSWORD, next: payload.slice(0, 2048) });
      expect(response.status, JSON.stringify(payload)).toBe(303);
      expectOnSite(response.headers.get('location'), app.url, `POST ${JSON.stringify(payload)}`);
    }
  });

  it('the language switch with next=…', async () => {
    for (const payload of PAYLOADS) {
      const response = await post(app.url, '/en/language?_action=profile.setLocale', app.cookies.switcher, { locale: 'en', next: payload.slice(0, 2048) });
      expect(response.status, JSON.stringify(payload)).toBe(303);
      expectOnSite(response.headers.get('location'), app.url, `language ${JSON.stringify(payload)}`);
    }
  });

  it('the single sign-on callback with the next=… the sign-in started with', async () => {
    for (const payload of PAYLOADS.filter((p) => p.length <= 2048)) {
      const { location, session } = await finish(await toCallback(app.url, provider.issuer, 'sso', new Jar(), payload));
      expect(session, JSON.stringify(payload)).not.toBeNull();
      expectOnSite(location, app.url, `SSO ${JSON.stringify(payload)}`);
    }
  });
});
