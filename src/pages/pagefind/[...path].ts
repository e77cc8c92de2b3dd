/**
 * Serves the Pagefind bundle to signed-in users only (the middleware answers 401 to anyone
 * else): the index holds the lessons' text, which requires sign-in.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { APIRoute } from 'astro';
import { PAGEFIND_WORKER_CSP } from '../../platform/http/security-headers.ts';
import { searchBundleDir } from '../../features/search/search.server.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export const GET: APIRoute = ({ params, locals }) => {
  if (!locals.user) return new Response(null, { status: 401 });
  const dir = searchBundleDir();
  const file = path.resolve(dir, params.path ?? '');
  if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    return new Response(null, { status: 404 });
  }
  const name = path.basename(file);
  // Hashed index files never change; the entry points do with each build.
  const immutable = !['pagefind.js', 'pagefind-entry.json'].includes(name) && /[._][0-9a-f]{7,}/.test(name);
  return new Response(fs.readFileSync(file), {
    headers: {
      'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache',
      'x-content-type-options': 'nosniff',
      // The worker runs under this response's policy; the default one would block its fetches.
      ...(name === 'pagefind-worker.js' ? { 'content-security-policy': PAGEFIND_WORKER_CSP } : {}),
    },
  });
};
