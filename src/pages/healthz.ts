/**
 * Liveness and readiness: 200 {"status":"ok"} when the database answers and can write, 503
 * otherwise (a full disk or read-only file answers reads but loses every write). No sign-in, no data.
 */
import type { APIRoute } from 'astro';
import { databaseHealthy } from '../platform/health.server.ts';

export const GET: APIRoute = async ({ locals }) => {
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  try {
    if (!(await databaseHealthy(locals.db))) return new Response('{"status":"unavailable"}', { status: 503, headers });
    return new Response('{"status":"ok"}', { status: 200, headers });
  } catch {
    return new Response('{"status":"unavailable"}', { status: 503, headers });
  }
};
