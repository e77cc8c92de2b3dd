/**
 * Shared pieces of the security suite: a fixture server with signed-in users, raw HTTP
 * requests (chosen client address, chunked or oversized bodies), database snapshots and
 * dumps, and the lists of routes and actions the app really has (so a new one without a
 * rule makes a test fail).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '../../db/schema/index.ts';
import { openDatabase, type Db, rawDrizzle } from '../../src/platform/db.server.ts';
import { hashPassword } from '../../src/features/auth/password.server.ts';
import { createUser, ensureDepartment } from '../../src/features/users/users.server.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { afterPost, signIn } from '../helpers/http.ts';
import { copyDb, onPostgres, reopenDb, sqlRows, tempDb } from '../helpers/db.ts';

export { onPostgres, sqlRows };

export { afterPost };
import { startServer, type RunningServer } from '../helpers/server.ts';

export const PASSWORD = 'security suite password';
export const ROOT = path.resolve(import.meta.dirname, '../..');

export function tempDir(prefix = 'manabi-security-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Opens a database file with src/platform/db.server.ts (same pragmas, the real migrations when
 * asked, the `Db` interface the features take). The server under test opens it on its own.
 */
export function openTestDatabase(file: string, options: { migrate?: boolean } = {}): Db {
  // In the `security-pg` project `file` is a PostgreSQL URL (a tempDb copy of the migrated template).
  if (file.startsWith('postgres://')) return reopenDb(file);
  // The app's own opening (pragmas, and the read/write interface the features take).
  return openDatabase(file, { migrate: options.migrate ?? false, migrationsFolder: path.join(ROOT, 'db/migrations') });
}

/**
 * A fresh migrated database for calling the sign-in throttle directly (its counters live in the
 * database), opened by the current module graph: after `vi.resetModules()` the re-imported
 * modules know only the handles their own db.server.ts opened.
 */
export async function throttleDatabase(): Promise<{ db: Db; dispose: () => Promise<void> }> {
  if (onPostgres) {
    // A fresh copy of the migrated template, opened by the fresh graph's PostgreSQL driver.
    const temp = tempDb();
    const { openPostgres } = await import('../../src/platform/postgres.server.ts');
    const db = openPostgres({ url: temp.file, poolSize: 2, connectTimeoutMs: 10_000, idleTimeoutMs: 1000, statementTimeoutMs: 60_000 }, { migrate: false });
    return {
      db,
      dispose: async () => {
        await db.close();
        temp.cleanup();
      },
    };
  }
  const { openDatabase: open } = await import('../../src/platform/db.server.ts');
  const dir = tempDir('manabi-throttle-');
  const db = open(path.join(dir, 'manabi.db'), { migrationsFolder: path.join(ROOT, 'db/migrations') });
  return {
    db,
    dispose: async () => {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface UserSpec {
  role?: Role;
  department?: string;
  /** null: an invited user without a password yet. */
  password?: string | null;
  name?: string;
}

export interface App {
  server: RunningServer;
  url: string;
  /** A second connection to the server's database (the server holds its own). */
  db: Db;
  /** The SQLite file, or in the `security-pg` project the PostgreSQL database's URL. */
  file: string;
  dir: string;
  ids: Record<string, number>;
  /** `manabi_session=…` per user key, for every user with a password. */
  cookies: Record<string, string>;
  emailOf: (key: string) => string;
  /** Further servers, each on a copy of the database made before start (e.g. one with NODE_ENV=production), by name. */
  extra: Record<string, RunningServer>;
  stop: () => Promise<void>;
}

/**
 * A fixture-build server over a fresh database with the given users (`<key>@example.com`),
 * each signed in once. `prepare` runs on the database before the server starts.
 */
export async function startApp(options: {
  users: Record<string, UserSpec>;
  env?: Record<string, string>;
  prepare?: (db: Db, ids: Record<string, number>) => void | Promise<void>;
  signIn?: boolean;
  /** Started at the same time as the main server, each on a copy of the prepared database. */
  extraServers?: Record<string, { env?: Record<string, string>; script?: string }>;
  /** The main server's port, when its address must be known before it starts (e.g. for OIDC). */
  port?: number;
}): Promise<App> {
  // A migrated database of the suite's kind: a SQLite file, or on PostgreSQL a copy of the template.
  const temp = tempDb();
  const { dir, file } = temp;
  const setup = temp.db;
  const ids: Record<string, number> = {};
  for (const [key, spec] of Object.entries(options.users)) {
    const password = spec.password === null ? null : (spec.password ?? PASSWORD);
    ids[key] = await createUser(rawDrizzle(setup), {
      email: `${key}@example.com`,
      displayName: spec.name ?? key,
      role: spec.role ?? 'learner',
      departmentId: await ensureDepartment(rawDrizzle(setup), spec.department ?? 'Sales'),
      passwordHash: password === null ? null : await hashPassword(password),
    });
  }
  await options.prepare?.(setup, ids);
  await setup.close();
  const extraNames = Object.keys(options.extraServers ?? {});
  const [server, ...others] = await Promise.all([
    startServer({ databasePath: file, outDir: FIXTURE_OUT_DIR, env: options.env, port: options.port }),
    // A server holds its database's lock (one server per file): each further one gets a copy.
    ...extraNames.map((name) => startServer({ databasePath: copyDb(file, dir, name), outDir: FIXTURE_OUT_DIR, ...options.extraServers![name] })),
  ]);
  const extra = Object.fromEntries(extraNames.map((name, i) => [name, others[i]!]));
  const db = openTestDatabase(file);
  const cookies: Record<string, string> = {};
  if (options.signIn ?? true) {
    for (const [key, spec] of Object.entries(options.users)) {
      if (spec.password === null) continue;
      const { cookie } = await signIn(server.url, `${key}@example.com`, spec.password ?? PASSWORD);
      if (cookie) cookies[key] = cookie;
    }
  }
  return {
    server,
    url: server.url,
    db,
    file,
    dir,
    ids,
    cookies,
    emailOf: (key) => `${key}@example.com`,
    extra,
    stop: async () => {
      await Promise.all([server.stop(), ...others.map((o) => o.stop())]);
      await db.close();
      temp.cleanup();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  setCookies: string[];
}

export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Connect from this local address (127.0.0.0/8 all reach the server): a second client IP. */
  localAddress?: string;
  /** Stream this many bytes with chunked transfer encoding (no Content-Length). */
  chunkedBytes?: number;
  /** Announce this Content-Length but send no body: the answer must come before any is read. */
  announceLength?: number;
}

/**
 * One HTTP request on its own connection (no keep-alive), so a server that refuses a body
 * half-way cannot confuse the next request. Resolves with the response, whatever it is.
 */
export function rawRequest(base: string, target: string, options: RawOptions = {}): Promise<RawResponse> {
  const url = new URL(target, base);
  const headers: Record<string, string> = { ...options.headers };
  if (options.chunkedBytes !== undefined) headers['transfer-encoding'] = 'chunked';
  if (options.announceLength !== undefined) headers['content-length'] = String(options.announceLength);
  else if (options.body !== undefined && options.chunkedBytes === undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers,
        agent: false,
        localAddress: options.localAddress,
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const setCookie = response.headers['set-cookie'] ?? [];
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), setCookies: setCookie });
          request.destroy();
        });
        response.on('error', () => undefined);
      },
    );
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.announceLength !== undefined) {
      request.flushHeaders();
      return;
    }
    if (options.chunkedBytes !== undefined) {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const prefix = typeof options.body === 'string' ? Buffer.from(options.body) : (options.body ?? Buffer.alloc(0));
      let sent = 0;
      const pump = (): void => {
        while (sent < options.chunkedBytes! && !answered && !request.destroyed) {
          const piece = sent === 0 && prefix.length > 0 ? Buffer.concat([prefix, chunk]) : chunk;
          sent += piece.length;
          if (!request.write(piece)) {
            request.once('drain', pump);
            return;
          }
        }
        if (!request.destroyed) request.end();
      };
      pump();
      return;
    }
    request.end(options.body);
  });
}

/** The session cookie (`name=value`) a response sets, or null. */
export function sessionCookieFrom(setCookies: string[]): string | null {
  const header = setCookies.find((c) => /^(__Host-)?manabi_session=[^;]+/.test(c));
  return header ? header.split(';')[0]! : null;
}

/** A same-origin POST of form fields through fetch (no redirects followed). */
export function post(
  base: string,
  target: string,
  cookie: string | null | undefined,
  fields: Record<string, string> | [string, string][],
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${target}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, ...(cookie ? { cookie } : {}), ...headers },
    body: new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields)),
  });
}

/** Every table of the app (migrations bookkeeping aside), on either database. */
export async function tableNames(db: Db): Promise<string[]> {
  const rows = onPostgres
    ? await sqlRows<{ name: string }>(
        db,
        "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name",
      )
    : await sqlRows<{ name: string }>(db, "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name");
  return rows.map((r) => r.name).filter((name) => name !== '__drizzle_migrations');
}

function cell(value: unknown): string {
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')} b64:${value.toString('base64')} raw:${value.toString('latin1')}`;
  if (value instanceof Date) return String(value.getTime());
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Every row of every table as text (blobs as hex, base64 and raw), to search for secrets. */
export async function dumpDatabase(db: Db): Promise<string> {
  const lines: string[] = [];
  for (const table of await tableNames(db)) {
    for (const row of await sqlRows<Record<string, unknown>>(db, `select * from "${table}"`)) {
      lines.push(`${table}: ${Object.values(row).map(cell).join(' | ')}`);
    }
  }
  return lines.join('\n');
}

/**
 * Tables that hold no state of the product: `form_results` keeps the answer to a post for the one
 * redirect after it (post/redirect/get), so a refused post leaves its error message there.
 */
const TRANSIENT_TABLES: Record<string, '*'> = { form_results: '*' };

/** Rows of every table, as sorted JSON lines; `ignore` drops columns (or whole tables with '*'). */
export async function snapshot(db: Db, ignore: Record<string, string[] | '*'> = {}): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of await tableNames(db)) {
    const skip = ignore[table] ?? TRANSIENT_TABLES[table];
    if (skip === '*') continue;
    const rows = await sqlRows<Record<string, unknown>>(db, `select * from "${table}"`);
    out[table] = rows
      .map((row) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(row)
              .filter(([k]) => !skip?.includes(k))
              .map(([k, v]) => [k, cell(v)]),
          ),
        ),
      )
      .sort();
  }
  return out;
}

/** Route patterns of the fixture build, read from the server bundle's manifest. */
export function builtRoutes(outDir = FIXTURE_OUT_DIR): string[] {
  const chunks = path.join(ROOT, outDir, 'server', 'chunks');
  const routes = new Set<string>();
  for (const file of fs.readdirSync(chunks)) {
    if (!file.endsWith('.mjs')) continue;
    const text = fs.readFileSync(path.join(chunks, file), 'utf8');
    for (const match of text.matchAll(/"route":"([^"]+)"/g)) routes.add(match[1]!);
  }
  return [...routes].sort();
}

/** Route patterns from the files in src/pages (same form as the manifest's). */
export function sourceRoutes(): string[] {
  const pages = path.join(ROOT, 'src/pages');
  return fs
    .readdirSync(pages, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(astro|ts|md|mdx|js)$/.test(d.name))
    .map((d) => path.relative(pages, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .map((file) => `/${file.replace(/\.(astro|ts|md|mdx|js)$/, '').replace(/(^|\/)index$/, '')}`.replace(/\/$/, '') || '/')
    .sort();
}

export { actionNames } from '../helpers/actions.ts';

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The locale prefixes a `/[...locale]` route is reachable under. */
export const LOCALE_PREFIXES = ['', '/en'];

/**
 * A route pattern made into concrete paths: `[param]` and `[...param]` from `values`
 * (a missing value is an error), and `/[...locale]` under each locale prefix.
 */
export function concretePaths(route: string, values: Record<string, string>): string[] {
  const filled = route.replace(/\[(?:\.\.\.)?(\w+)\]/g, (whole, name: string) => {
    if (name === 'locale' && whole === '[...locale]') return whole;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${whole} in ${route}`);
    return value;
  });
  if (filled === '/[...locale]') return LOCALE_PREFIXES.map((p) => p || '/');
  if (filled.startsWith('/[...locale]/')) return LOCALE_PREFIXES.map((p) => p + filled.slice('/[...locale]'.length));
  return [filled];
}

/** A same-origin form POST followed through its 303 to the page that shows the answer (post/redirect/get). */
export async function submit(
  base: string,
  target: string,
  cookie: string | null | undefined,
  fields: Record<string, string> | [string, string][],
  headers: Record<string, string> = {},
): Promise<Response> {
  return afterPost(base, await post(base, target, cookie, fields, headers), cookie);
}

/** `afterPost` for a raw response: the redirect's page, from the same client address. */
export async function rawAfterPost(base: string, response: RawResponse, cookie: string | null, localAddress?: string): Promise<RawResponse> {
  if (response.status !== 303) return response;
  const location = new URL(String(response.headers.location), base);
  const result = response.setCookies.find((c) => /^(__Host-)?manabi_result=[^;]/.test(c))?.split(';')[0] ?? null;
  const cookies = [cookie, result].filter(Boolean).join('; ');
  return rawRequest(base, location.pathname + location.search, { localAddress, headers: cookies ? { cookie: cookies } : {} });
}
