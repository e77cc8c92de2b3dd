/** Requests as a browser's form and a raw client send them, and what the answers may not contain. */
import http from 'node:http';
import { MAX_BODY_BYTES } from '../../../src/cli/serve.ts';
import { toFormData, type Body } from './values.ts';

export interface Answer {
  status: number;
  location: string | null;
  contentType: string | null;
  text: string;
}

/**
 * A POST as a browser's form sends it (urlencoded, or multipart with files), same-origin; or a
 * raw body. A form post answered by post/redirect/get (303 with the one-time result cookie) is
 * followed: its answer, and the status that says taken or refused, is on the page it leads to.
 */
export async function send(base: string, url: string, cookie: string | null, body: Body): Promise<Answer> {
  const headers: Record<string, string> = { origin: base };
  if (cookie) headers.cookie = cookie;
  let payload: BodyInit;
  let size: number;
  if (body.raw) {
    if (body.raw.contentType !== null) headers['content-type'] = body.raw.contentType;
    payload = body.raw.data as BodyInit;
    size = typeof body.raw.data === 'string' ? Buffer.byteLength(body.raw.data) : body.raw.data.byteLength;
  } else if (body.multipart || body.fields.some(([, v]) => typeof v !== 'string')) {
    payload = toFormData(body.fields);
    size = body.fields.reduce(
      (n, [name, v]) =>
        n + Buffer.byteLength(name) + (typeof v === 'string' ? Buffer.byteLength(v) : typeof v.content === 'string' ? Buffer.byteLength(v.content) : v.content.byteLength),
      0,
    );
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(body.fields as [string, string][]).toString();
    size = Buffer.byteLength(payload);
  }
  try {
    const response = await fetch(url, { method: 'POST', redirect: 'manual', headers, body: payload, signal: AbortSignal.timeout(60_000) });
    const result = response.headers
      .getSetCookie()
      .find((c) => /^(__Host-)?manabi_result=[^;]/.test(c))
      ?.split(';')[0];
    if (response.status === 303 && result) {
      await response.arrayBuffer();
      const location = new URL(response.headers.get('location')!, base);
      const page = await fetch(`${base}${location.pathname}${location.search}`, {
        redirect: 'manual',
        headers: { cookie: [cookie, result].filter(Boolean).join('; ') },
        signal: AbortSignal.timeout(60_000),
      });
      return { status: page.status, location: response.headers.get('location'), contentType: page.headers.get('content-type'), text: await page.text() };
    }
    return { status: response.status, location: response.headers.get('location'), contentType: response.headers.get('content-type'), text: await response.text() };
  } catch (error) {
    // The front server refuses a body over MAX_BODY_BYTES before reading it (413, connection
    // close); while the client is still sending, that can reach it as a reset instead.
    if (size > MAX_BODY_BYTES)
      return { status: 413, location: null, contentType: null, text: `(connection closed while sending ${size} bytes: ${String((error as Error).cause ?? error)})` };
    throw error;
  }
}

/** A raw request (node:http): the path goes out exactly as written, dot segments and all. */
export function sendRaw(base: string, method: string, rawPath: string, cookie: string | null, body: string | null, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin: base };
    if (cookie) headers.cookie = cookie;
    if (body !== null) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    // A case's own headers (a SCIM bearer token, a JSON content type) over the defaults.
    Object.assign(headers, extraHeaders);
    const request = http.request({ host: url.hostname, port: url.port, method, path: rawPath, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          location: (response.headers.location as string | undefined) ?? null,
          contentType: response.headers['content-type'] ?? null,
          text: Buffer.concat(chunks).toString(),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(60_000, () => request.destroy(new Error('timeout')));
    if (body !== null) request.write(body);
    request.end();
  });
}

/**
 * One top-level field of an action's RPC answer. Astro sends action data as
 * `application/json+devalue`: a JSON array whose first entry is the root object, each of its
 * properties holding the index of its value in the array. Only plain top-level values are read
 * (an import report's `ok`, a submission's `status`); anything else throws, so a change of
 * format fails here instead of being misread.
 */
export function actionDataField(text: string, key: string): string | number | boolean | null | undefined {
  const values = JSON.parse(text) as unknown;
  if (!Array.isArray(values) || values.length === 0) throw new Error(`not an action answer: ${text.slice(0, 80)}`);
  const root = values[0] as unknown;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw new Error(`action data is not an object: ${text.slice(0, 80)}`);
  const index = (root as Record<string, unknown>)[key];
  if (index === undefined || index === -1) return undefined;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) throw new Error(`unexpected encoding of ${key}: ${text.slice(0, 80)}`);
  const value = values[index] as unknown;
  if (value !== null && typeof value === 'object') throw new Error(`${key} is not a plain value: ${text.slice(0, 80)}`);
  return value as string | number | boolean | null;
}

/**
 * What no answer may show, whatever was sent: a stack frame, a database error or SQL, a path
 * of the server's files. (The fuzzed input itself is echoed back in forms, escaped; these
 * patterns are what the app would show, not what the corpus contains.)
 */
export function leaksIn(text: string, paths: readonly string[]): string[] {
  const found: string[] = [];
  const patterns: [string, RegExp][] = [
    ['a stack frame', /\bat [^\s()]+ \((?:file:\/\/|node:|\/)[^)\s]*:\d+:\d+\)|\bat (?:file:\/\/|node:internal)/],
    ['a database error', /SqliteError|SQLITE_[A-Z]{3,}|constraint failed|no such (?:table|column)/],
    ['SQL', /\b(?:select\s+[\w*"`.,\s]+\s+from\s+["`\w]|insert\s+into\s+["`\w]+\s*\(|update\s+["`\w]+\s+set\s+["`\w]+\s*=)/i],
    ['a server path', /node_modules\/|dist\/server\//],
  ];
  for (const [what, re] of patterns) if (re.test(text)) found.push(`${what} (${re.exec(text)![0].slice(0, 80)})`);
  for (const p of paths) if (text.includes(p)) found.push(`the path ${p}`);
  return found;
}
