/** Small HTTP helpers for tests that talk to a real server. */

export interface SignInResult {
  /** The POST's own answer: 303 (to `next` when signed in, back to the sign-in page when not), or 429/503. */
  response: Response;
  /** What the browser shows: after a refused sign-in, the sign-in page with the error (its status says why). */
  page: Response;
  /** `name=value` of the session cookie, or null when none was set. */
  cookie: string | null;
  setCookie: string | null;
}

export async function signIn(base: string, email: string, password: string, headers: Record<string, string> = { origin: base }): Promise<SignInResult> {
  const response = await fetch(`${base}/login?_action=auth.login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ email, password }),
  });
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('manabi_session=')) ?? null;
  const value = setCookie ? setCookie.split(';')[0]! : null;
  const cookie = value && value !== 'manabi_session=' ? value : null;
  // Post/redirect/get: a refused sign-in is shown on the page the 303 leads to.
  const page = cookie ? response : await afterPost(base, response, null);
  return { response, page, cookie, setCookie };
}

export async function get(base: string, path: string, cookie?: string | null): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

/** A same-origin form POST, as a browser would send it (no redirects followed). */
export async function postForm(base: string, path: string, cookie: string | null, fields: [string, string][] | Record<string, string>): Promise<Response> {
  const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, ...(cookie ? { cookie } : {}) },
    body,
  });
}

/** `name=value` of the one-time cookie a form post sets for the page that shows its answer, or null. */
export function resultCookieOf(response: Response): string | null {
  const set = response.headers.getSetCookie().find((c) => /^(__Host-)?manabi_result=[^;]/.test(c));
  return set ? set.split(';')[0]! : null;
}

/**
 * What a browser shows after a form post (post/redirect/get): the 303's Location, fetched with
 * the session cookie and the one-time cookie that carries the post's answer. Any other answer
 * (429, 503: rendered on the POST itself) is returned as it is.
 */
export async function afterPost(base: string, response: Response, cookie: string | null | undefined): Promise<Response> {
  if (response.status !== 303) return response;
  const location = new URL(response.headers.get('location')!, base);
  location.hash = '';
  const cookies = [cookie, resultCookieOf(response)].filter(Boolean).join('; ');
  return fetch(location, { redirect: 'manual', headers: cookies ? { cookie: cookies } : {} });
}

/** A same-origin form POST followed through its redirect, as a browser would. */
export async function submitForm(base: string, path: string, cookie: string | null, fields: [string, string][] | Record<string, string>): Promise<Response> {
  return afterPost(base, await postForm(base, path, cookie, fields), cookie);
}
