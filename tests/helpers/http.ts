/** Small HTTP helpers for tests that talk to a real server. */

export interface SignInResult {
  response: Response;
  /** `name=value` of the session cookie, or null when none was set. */
  cookie: string | null;
  setCookie: string | null;
}

export async function signIn(
  base: string,
  email: string,
  password: string,
  headers: Record<string, string> = { origin: base },
): Promise<SignInResult> {
  const response = await fetch(`${base}/login?_action=auth.login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ email, password }),
  });
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('manabi_session=')) ?? null;
  const value = setCookie ? setCookie.split(';')[0]! : null;
  return { response, cookie: value && value !== 'manabi_session=' ? value : null, setCookie };
}

export async function get(base: string, path: string, cookie?: string | null): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

/** A same-origin form POST, as a browser would send it (no redirects followed). */
export async function postForm(
  base: string,
  path: string,
  cookie: string | null,
  fields: [string, string][] | Record<string, string>,
): Promise<Response> {
  const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, ...(cookie ? { cookie } : {}) },
    body,
  });
}
