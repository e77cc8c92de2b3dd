/**
 * The production server: Astro's Node handler (pages, endpoints) and the build's static files
 * (src/platform/http/app-handler.server.ts) behind a thin front that gives every response the security
 * headers and a request id, caps every request body on the bytes actually read
 * (src/platform/http/body-limit.server.ts), logs errors as JSON lines, holds the exclusive lock on the
 * database for its whole life (src/platform/db-lock.server.ts: a second server, or a restore,
 * is refused), exits on an uncaught exception so the supervisor restarts a clean process,
 * deletes expired sessions now and then (src/platform/housekeeping.server.ts), and shuts down cleanly.
 * Run from the project root: `node src/cli/serve.ts` (npm start does, after building).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { securityHeaders } from '../platform/http/security-headers.ts';
import { loadAppHandler } from '../platform/http/app-handler.server.ts';
import { bodyLimitFor, hasBody, isAnonymousUpload, readBodyWithin, refuseAnonymousUpload, refuseBody, UPLOAD_BODY_LIMIT } from '../platform/http/body-limit.server.ts';
import { installClockFile } from '../platform/clock.server.ts';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { databasePath, type Db, getDb, openDatabase } from '../platform/db.server.ts';
import { borrowedHandle } from '../platform/postgres.server.ts';
import { lockDatabase, lockFileOf, LockHeldError } from '../platform/db-lock.server.ts';
import { startSessionCleanup } from '../platform/housekeeping.server.ts';
import { logger } from '../platform/log.server.ts';
import { storageErrorCode } from '../platform/storage-errors.server.ts';
import { planDayInWorker } from '../features/notifications/plan-worker.server.ts';
import { notifyConfigFrom, SNAPSHOT_LOADER, startNotificationScheduler } from '../features/notifications/scheduler.server.ts';

/** The largest body any request may have (the CSV uploads); other routes have a smaller one. */
export const MAX_BODY_BYTES = UPLOAD_BODY_LIMIT;

/**
 * Takes the database lock, or ends the process with one clear line: another server on the
 * same file, or a database folder that cannot be written.
 */
export function lockOrExit(file: string): void {
  try {
    lockDatabase(file);
  } catch (error) {
    if (error instanceof LockHeldError) {
      console.error(`Manabi cannot start: ${error.message}. Stop it first, or set DATABASE_PATH to another file.`);
    } else {
      console.error(`Manabi cannot start: cannot take the lock ${lockFileOf(file)} (${storageErrorCode(error)}); the database folder must exist and be writable, with free space.`);
    }
    process.exit(1);
  }
}

export async function serve(options: { outDir?: string } = {}): Promise<http.Server> {
  // First: a bad setting stops the start with one line, before the lock or the port is taken.
  const config = exitOnConfigError(getConfig);
  const { production, port, host } = config;
  installClockFile(config.clockFile);
  // After an uncaught exception the process is in an unknown state: log it and exit non-zero,
  // so the supervisor (systemd Restart=on-failure, see the README) starts a clean one. Every
  // acknowledged write is already committed; the lock goes with the process. A rejected
  // promise is only logged: Astro's adapter reports those of aborted renders the same way.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
  const file = databasePath();
  // SQLite's file has one server; PostgreSQL is shared by every instance, and has no file to lock.
  const onPostgres = config.postgres !== null;
  if (!onPostgres) lockOrExit(file);
  // Background work's database: on SQLite a connection of its own on the file, on PostgreSQL the
  // server's pool (claims there are row locks, so instances share the work without sending twice).
  // Their close() then leaves the pool to the requests still being answered at a shutdown.
  const backgroundDb = (): Db => (onPostgres ? borrowedHandle(getDb()) : openDatabase(databasePath()));
  const handler = await loadAppHandler(options.outDir ?? config.distDir);
  const headers = Object.entries(securityHeaders(production));

  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    for (const [name, value] of headers) res.setHeader(name, value);
    res.on('finish', () => {
      if (res.statusCode >= 500) logger.error({ requestId, method: req.method, status: res.statusCode, route: routeOf(req.url) }, 'server error response');
    });
    // Up to 6 MiB of upload is read only for someone with a session cookie at all (the app then checks it).
    if (isAnonymousUpload(req)) return refuseAnonymousUpload(req, res);
    const limit = bodyLimitFor(req.url);
    if (Number(req.headers['content-length'] ?? 0) > limit) return refuseBody(req, res);
    if (!hasBody(req)) return run(req, res, requestId);
    // Read the body here, within the limit, so a chunked body cannot grow past it: Astro reads
    // `req.body` when it is set instead of the stream.
    readBodyWithin(req, limit).then(
      (body) => {
        if (body === null) return refuseBody(req, res);
        (req as http.IncomingMessage & { body?: Buffer }).body = body;
        run(req, res, requestId);
      },
      () => req.socket.destroy(),
    );
  });
  const run = (req: http.IncomingMessage, res: http.ServerResponse, requestId: string): void => {
    try {
      handler(req, res);
    } catch (error) {
      logger.error({ requestId, err: error }, 'unhandled error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Server error.');
    }
  };
  server.keepAliveTimeout = 5000;

  // Expired sessions are refused on sight; this deletes the ones nobody comes back with.
  const { sessionIdleMs, sessionMaxAgeMs, sessionCleanupMs } = config;
  const cleanup = startSessionCleanup(backgroundDb, { idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs }, sessionCleanupMs);

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const shown = typeof address === 'object' && address ? `${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}` : `${host}:${port}`;
  // One request of our own before we say we are listening: it opens and migrates the database
  // and rebuilds roll-ups of another version (src/features/kpi/rollup-version.server.ts) first.
  if (typeof address === 'object' && address) {
    const local = address.family === 'IPv6' ? `[${address.address === '::' ? '::1' : address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
    await fetch(`http://${local}:${address.port}/healthz`, { signal: AbortSignal.timeout(120_000) }).then(
      (r) => r.body?.cancel(),
      () => undefined,
    );
  }
  console.log(`Manabi listening on http://${shown}`);

  // Notifications are queued and sent in the background, on a connection of their own, after the start.
  const notifier = config.notifications.scheduler
    ? startNotificationScheduler({
        open: backgroundDb,
        config: notifyConfigFrom(config),
        intervalMs: config.notifications.intervalMs,
        loader: SNAPSHOT_LOADER,
        // The day's plan (a second of reads at 20,000 users) is made off the request thread; the
        // worker reads the SQLite file, so on PostgreSQL (reads off the event loop anyway) in-process.
        ...(onPostgres ? {} : { planner: (day: string, emailEnabled: boolean) => planDayInWorker({ databasePath: databasePath(), day, emailEnabled }) }),
      })
    : null;

  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    void Promise.all([closed, notifier?.stop()]).then(() => {
      cleanup.stop();
      if (!onPostgres) lockDatabase(file).release();
      process.exit(0);
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return server;
}

/** The path without query (which can carry tokens), and without one-time link tokens. */
function routeOf(url: string | undefined): string {
  return (url ?? '')
    .split('?')[0]!
    .replace(/\/login\/link\/[^/]+/, '/login/link/[token]')
    .slice(0, 200);
}

if (import.meta.main) {
  await serve();
}
