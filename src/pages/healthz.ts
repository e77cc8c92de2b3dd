/**
 * Liveness and readiness: 200 {"status":"ok"} when the database answers and can write, 503
 * otherwise (a full disk or read-only file answers reads but loses every write). No sign-in, no data.
 */
import type { APIRoute } from 'astro';
import { getDb } from '../platform/db.server.ts';
import { databaseWritable } from '../platform/health.server.ts';

export const GET: APIRoute = () => {
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  try {
    const db = getDb();
    db.$client.prepare('select 1').get();
    if (!databaseWritable(db)) return new Response('{"status":"unavailable"}', { status: 503, headers });
    return new Response('{"status":"ok"}', { status: 200, headers });
  } catch {
    return new Response('{"status":"unavailable"}', { status: 503, headers });
  }
};
