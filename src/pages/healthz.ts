/** Liveness and readiness: 200 {"status":"ok"} when the database answers, 503 otherwise. No sign-in, no data. */
import type { APIRoute } from 'astro';
import { getDb } from '../lib/server/db.ts';

export const GET: APIRoute = () => {
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  try {
    getDb().$client.prepare('select 1').get();
    return new Response('{"status":"ok"}', { status: 200, headers });
  } catch {
    return new Response('{"status":"unavailable"}', { status: 503, headers });
  }
};
