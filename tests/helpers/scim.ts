/** SCIM over real HTTP: a client with a bearer token, and the request fixtures with ids put in. */
import { fixture } from '../../src/features/scim/fixtures/load.ts';

export interface ScimAnswer {
  status: number;
  contentType: string | null;
  headers: Headers;
  body: Record<string, unknown> | null;
}

export type ScimClient = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ScimAnswer>;

/** A client for `<base>/scim/v2`; `token` null sends no Authorization header. */
export function scimClient(base: string, token: string | null): ScimClient {
  return async (method, path, body, headers = {}) => {
    const response = await fetch(`${base}/scim/v2${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      headers: response.headers,
      body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
    };
  };
}

/** A fixture with the documented ids replaced by the ones the server handed out. */
export function fixtureWith(name: string, ids: Record<string, string> = {}): unknown {
  let text = JSON.stringify(fixture(name));
  for (const [from, to] of Object.entries(ids)) text = text.split(from).join(to);
  return JSON.parse(text) as unknown;
}
