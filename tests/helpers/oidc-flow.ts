/**
 * The single sign-on dance over plain HTTP, as a browser would do it: Manabi's SSO button, the
 * test provider's login form, and the redirect back to Manabi's callback, with cookies kept per
 * origin. Shared by the integration and security suites.
 */
import { expect } from 'vitest';

/** Cookies per origin, enough for a redirect dance between two servers. */
export class Jar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  store(url: string, response: Response): void {
    const origin = new URL(url).origin;
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    this.byOrigin.set(origin, jar);
  }
  header(url: string): string {
    return [...(this.byOrigin.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(url: string, name: string): string | null {
    return this.byOrigin.get(new URL(url).origin)?.get(name) ?? null;
  }
  set(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    jar.set(name, value);
    this.byOrigin.set(origin, jar);
  }
}

export async function request(jar: Jar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(url, response);
  return response;
}

/** Follows redirects until one points at `stopAt` (returned unfollowed) or a page answers. */
export async function follow(jar: Jar, url: string, stopAt: string): Promise<{ url: string; response: Response }> {
  let current = url;
  for (let hops = 0; hops < 15; hops++) {
    if (current.startsWith(stopAt)) return { url: current, response: new Response(null) };
    const response = await request(jar, current);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
    current = new URL(location, current).href;
  }
  throw new Error('too many redirects');
}

export interface Dance {
  /** The provider's redirect back to Manabi, not yet followed. */
  callback: string;
  jar: Jar;
}

/** Manabi's SSO button (with `next`) → provider → the test login form → back to Manabi's callback (unfollowed). */
export async function toCallback(manabi: string, provider: string, login: string, jar = new Jar(), next = ''): Promise<Dance> {
  const start = await request(jar, `${manabi}/login/oidc`, {
    method: 'POST',
    headers: { origin: manabi, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ next, locale: 'ja' }),
  });
  expect(start.status).toBe(303);
  const authorize = start.headers.get('location')!;
  expect(authorize.startsWith(`${provider}/auth?`)).toBe(true);
  const form = await follow(jar, authorize, `${manabi}/`);
  expect(form.response.status).toBe(200);
  const action = /action="([^"]+)"/.exec(await form.response.text())![1]!;
  const posted = await request(jar, new URL(action, provider).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login }),
  });
  const back = await follow(jar, new URL(posted.headers.get('location')!, provider).href, `${manabi}/login/oidc/callback`);
  expect(back.url.startsWith(`${manabi}/login/oidc/callback?`)).toBe(true);
  return { callback: back.url, jar };
}

export async function finish(dance: Dance): Promise<{ location: string; session: string | null }> {
  const response = await request(dance.jar, dance.callback);
  expect(response.status).toBe(303);
  return { location: response.headers.get('location')!, session: dance.jar.get(dance.callback, 'manabi_session') };
}
