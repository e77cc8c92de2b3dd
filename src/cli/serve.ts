/**
 * The production server: Astro's Node handler (pages, endpoints) and the build's static files
 * (src/lib/server/app-handler.ts) behind a thin front that gives every response the security
 * headers and a request id, refuses oversized bodies before they are read, logs errors as JSON
 * lines, writes a pid file next to the database (so a restore can refuse to run under a live
 * server), deletes expired sessions now and then, and shuts down cleanly.
 * Run from the project root: `node src/cli/serve.ts` (npm start does, after building).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { securityHeaders } from '../lib/security-headers.ts';
import { loadAppHandler } from '../lib/server/app-handler.ts';
import { getConfig } from '../lib/server/config.ts';
import { databasePath, openDatabase } from '../lib/server/db.ts';
import { startSessionCleanup } from '../lib/server/housekeeping.ts';
import { logger } from '../lib/server/log.ts';

/** Uploads (CSV imports) are the largest bodies: 5 MiB files plus the multipart envelope. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export async function serve(options: { outDir?: string } = {}): Promise<http.Server> {
  const production = process.env.NODE_ENV === 'production';
  const port = Number(process.env.PORT ?? 4321);
  const host = process.env.HOST ?? (production ? '0.0.0.0' : 'localhost');
  const handler = await loadAppHandler(options.outDir ?? process.env.MANABI_DIST ?? 'dist');
  const headers = Object.entries(securityHeaders(production));

  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    for (const [name, value] of headers) res.setHeader(name, value);
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > MAX_BODY_BYTES) {
      res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('Request body too large.');
      req.resume();
      return;
    }
    // Chunked bodies (no length up front) are bounded by Astro itself: actionBodySizeLimit for
    // actions, and endpoints read bodies through request.formData() only after the guard ran.
    res.on('finish', () => {
      if (res.statusCode >= 500) logger.error({ requestId, method: req.method, status: res.statusCode, route: routeOf(req.url) }, 'server error response');
    });
    try {
      handler(req, res);
    } catch (error) {
      logger.error({ requestId, err: error }, 'unhandled error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Server error.');
    }
  });
  server.keepAliveTimeout = 5000;

  // Expired sessions are refused on sight; this deletes the ones nobody comes back with.
  const { sessionIdleMs, sessionMaxAgeMs, sessionCleanupMs } = getConfig();
  const cleanup = startSessionCleanup(() => openDatabase(databasePath()), { idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs }, sessionCleanupMs);

  const pidFile = `${databasePath()}.pid`;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  fs.writeFileSync(pidFile, String(process.pid));
  const address = server.address();
  const shown = typeof address === 'object' && address ? `${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}` : `${host}:${port}`;
  console.log(`Manabi listening on http://${shown}`);

  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      cleanup.stop();
      fs.rmSync(pidFile, { force: true });
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception'));
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
  return server;
}

/** The path without query (which can carry tokens), and without one-time link tokens. */
function routeOf(url: string | undefined): string {
  return (url ?? '').split('?')[0]!.replace(/\/login\/link\/[^/]+/, '/login/link/[token]').slice(0, 200);
}

if (import.meta.main) {
  await serve();
}
