/**
 * The session cookie: HttpOnly, SameSite=Lax, Path=/, and over https Secure with the
 * `__Host-` prefix (no Domain, so no subdomain can set or read it). Production counts as
 * https even when the request arrives as plain http from the TLS-terminating proxy in front.
 */
import type { AstroCookies } from 'astro';
import { getConfig } from '../../platform/config.server.ts';

const PLAIN_NAME = 'manabi_session';
const HOST_NAME = '__Host-manabi_session';
/** Both names, for the server front's cheap "is there a session cookie at all" check (src/platform/http/body-limit.server.ts). */
export const SESSION_COOKIE_NAMES: readonly string[] = [PLAIN_NAME, HOST_NAME];

/** Cookies get `Secure` (and the session cookie the `__Host-` prefix) over https and in production. */
export function secureCookies(url: URL): boolean {
  return url.protocol === 'https:' || getConfig().production;
}

export function sessionCookieName(url: URL): string {
  return secureCookies(url) ? HOST_NAME : PLAIN_NAME;
}

export function readSessionCookie(cookies: AstroCookies, url: URL): string | null {
  return cookies.get(sessionCookieName(url))?.value ?? null;
}

export function setSessionCookie(cookies: AstroCookies, url: URL, token: string, expiresAt: Date): void {
  cookies.set(sessionCookieName(url), token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(url),
    path: '/',
    expires: expiresAt,
  });
}

export function deleteSessionCookie(cookies: AstroCookies, url: URL): void {
  cookies.set(sessionCookieName(url), '', {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(url),
    path: '/',
    maxAge: 0,
  });
}
