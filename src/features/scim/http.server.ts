/**
 * The `/scim/v2` endpoint layer around the pure core: the bearer token on every route
 * (discovery included; cookies are never read), a rate limit per token, the body limit before
 * JSON is parsed, and every answer — errors too — as `application/scim+json`. The routes
 * themselves are in routes.server.ts.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { logger, requestIdOf } from '../../platform/log.server.ts';
import { isStorageUnavailable } from '../../platform/storage-errors.server.ts';
import { badRequest, isScimError, payloadTooLarge, ScimError, scimErrorBody, tooManyRequests, unauthorized } from './errors.ts';
import { routeScim, type ScimRequest } from './routes.server.ts';
import { verifyScimToken } from './tokens.server.ts';

/** Below the front server's cap for every body (256 KiB), so an oversized SCIM body gets a SCIM 413. */
export const SCIM_BODY_LIMIT = 200 * 1024;
const JSON_TYPES = new Set(['application/scim+json', 'application/json']);
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

let limiter: RateLimiterMemory | null = null;

/** Made on first use from SCIM_REQUESTS_PER_MINUTE. */
function rateLimiter(): RateLimiterMemory {
  limiter ??= new RateLimiterMemory({ keyPrefix: 'scim', points: getConfig().scimRequestsPerMinute, duration: 60 });
  return limiter;
}

export function scimResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store', ...headers } });
}

function errorResponse(error: ScimError): Response {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers['www-authenticate'] = 'Bearer realm="scim"';
  if (error.retryAfterSeconds !== null) headers['retry-after'] = String(error.retryAfterSeconds);
  return scimResponse(error.status, scimErrorBody(error), headers);
}

async function consume(tokenId: number): Promise<void> {
  try {
    await rateLimiter().consume(String(tokenId));
  } catch (result) {
    if (result instanceof RateLimiterRes) throw tooManyRequests(result.msBeforeNext / 1000);
    throw result;
  }
}

/** The body as JSON: refused past the limit (by its length header and by the bytes read), with a JSON type only, and when it is not JSON. */
async function readJson(request: Request): Promise<unknown> {
  if (Number(request.headers.get('content-length') ?? 0) > SCIM_BODY_LIMIT) throw payloadTooLarge(SCIM_BODY_LIMIT);
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_TYPES.has(type)) throw new ScimError(415, null, 'The body must be application/scim+json.');
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > SCIM_BODY_LIMIT) throw payloadTooLarge(SCIM_BODY_LIMIT);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw badRequest('invalidSyntax', 'The body is not UTF-8.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('invalidSyntax', 'The body is not JSON.');
  }
}

const HAS_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** One SCIM request, `path` the part after `/scim/v2/` (Astro's `[...path]`). */
export async function handleScim(db: Db, request: Request, path: string): Promise<Response> {
  try {
    const tokenId = await verifyScimToken(db, request.headers.get('authorization'));
    if (tokenId === null) throw unauthorized();
    await consume(tokenId);
    const body = HAS_BODY.has(request.method) ? await readJson(request) : null;
    const url = new URL(request.url);
    const scim: ScimRequest = {
      method: request.method,
      segments: path.split('/').filter((s) => s !== ''),
      query: url.searchParams,
      body,
      baseUrl: new URL('/scim/v2', getConfig().siteUrl).href,
    };
    return await routeScim(db, scim);
  } catch (error) {
    if (isScimError(error)) return errorResponse(error);
    if (isStorageUnavailable(error)) return errorResponse(new ScimError(503, null, 'Temporarily unavailable; nothing was saved.', 60));
    logger.error({ requestId: requestIdOf(request), route: '/scim/v2', err: error }, 'scim request failed');
    return errorResponse(new ScimError(500, null, 'Server error.'));
  }
}
