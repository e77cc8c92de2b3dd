/**
 * Issue 11, item 16: one-time sign-in links were built from the request URL. Behind a TLS
 * proxy the request arrives as plain http, so admins handed out `http://` links carrying the
 * token; and the request's Host is whatever the client sent. Links are now always on SITE_URL.
 * The server runs plain http on 127.0.0.1 with SITE_URL=https://manabi.example.test, as
 * behind a proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawAfterPost, rawRequest, startApp, submit, type App } from './support.ts';

const SITE_URL = 'https://manabi.example.test';
const LINK = /value="([^"]+\/login\/link\/[a-z2-9]{24}\.[a-z2-9]{24})"/;

let app: App;

beforeAll(async () => {
  app = await startApp({ users: { admin: { role: 'admin', department: 'IT' }, newcomer: { password: null } }, env: { SITE_URL } });
});

afterAll(async () => {
  await app?.stop();
});

function linkIn(html: string): string {
  const match = LINK.exec(html);
  expect(match, 'the page shows a link').not.toBeNull();
  return match![1]!;
}

describe('issue 11 item 16: one-time sign-in links are built from SITE_URL', () => {
  it('creating a user shows an https link on SITE_URL, although the request came over http', async () => {
    // post/redirect/get: the link is shown once, on the page the 303 leads to
    const response = await submit(app.url, '/admin/users?_action=admin.createUser', app.cookies.admin, {
      email: 'fresh@example.com',
      name: 'Fresh Person',
      department: 'Sales',
      role: 'learner',
    });
    expect(response.status).toBe(200);
    const link = linkIn(await response.text());
    expect(link.startsWith(`${SITE_URL}/login/link/`), link).toBe(true);
  });

  it('a new link for an existing user is on SITE_URL too', async () => {
    const response = await submit(app.url, '/admin/users?_action=admin.createLoginLink', app.cookies.admin, { userId: String(app.ids.newcomer) });
    expect(response.status).toBe(200);
    const link = linkIn(await response.text());
    expect(link.startsWith(`${SITE_URL}/login/link/`), link).toBe(true);
  });

  it('ignores the Host the request claims (a client or a misconfigured proxy cannot move the token elsewhere)', async () => {
    const posted = await rawRequest(app.url, '/admin/users?_action=admin.createLoginLink', {
      method: 'POST',
      headers: {
        host: 'attacker.example',
        origin: SITE_URL,
        cookie: app.cookies.admin!,
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-proto': 'http',
      },
      body: new URLSearchParams({ userId: String(app.ids.newcomer) }).toString(),
    });
    expect(posted.status).toBe(303);
    const response = await rawAfterPost(app.url, posted, app.cookies.admin!);
    expect(response.status).toBe(200);
    const link = linkIn(response.body);
    expect(new URL(link).origin, link).toBe(SITE_URL);
  });

  it('the link works: its path opens the page to set a password', async () => {
    const response = await submit(app.url, '/admin/users?_action=admin.createLoginLink', app.cookies.admin, { userId: String(app.ids.newcomer) });
    const link = new URL(linkIn(await response.text()));
    expect((await fetch(`${app.url}${link.pathname}`, { redirect: 'manual' })).status).toBe(200);
  });
});
