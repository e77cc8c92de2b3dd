/**
 * A throwaway PostgreSQL cluster for tests (issue 18): `initdb` into a temp folder, `pg_ctl start`
 * on a free port on 127.0.0.1 only (its unix socket in that folder too), one database, and
 * `stop()` that shuts it down and removes the folder. Uses Debian's `postgresql` package
 * (/usr/lib/postgresql/<version>/bin; `.ci/run` installs it). initdb refuses to run as root, so
 * as root every server command runs as the `postgres` user (`runuser`), in a folder it owns.
 * Durability is switched off (fsync, synchronous_commit): the cluster lives for one test run.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Db } from '../../src/platform/db.server.ts';
import { openPostgres, postgresReady } from '../../src/platform/postgres.server.ts';
import { freePort } from './server.ts';

const run = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';
const PREFERRED_VERSION = '15';

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`: trust authentication, loopback only. */
  url: string;
  port: number;
  /** The temp folder: data directory, socket and server log. */
  dir: string;
  /** The server log so far (for a failing test's message). */
  log: () => string;
  /** Stops the server (fast, then immediate) and removes the folder; safe to call twice. */
  stop: () => Promise<void>;
  /** Stops the server (fast: open connections are ended) and starts it again on the same port, as a restart or a failover does. */
  restart: () => Promise<void>;
}

/** The PostgreSQL binaries: version 15 when installed, else the newest version there; null when none. */
export function findPostgresBin(): string | null {
  const preferred = path.join(PG_ROOT, PREFERRED_VERSION, 'bin');
  if (fs.existsSync(path.join(preferred, 'initdb'))) return preferred;
  if (!fs.existsSync(PG_ROOT)) return null;
  const versions = fs
    .readdirSync(PG_ROOT)
    .filter((v) => fs.existsSync(path.join(PG_ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : path.join(PG_ROOT, versions[0], 'bin');
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root; bounded by `timeoutMs`. */
async function pgCommand(bin: string, tool: string, args: string[], timeoutMs: number): Promise<void> {
  const file = path.join(bin, tool);
  const [command, commandArgs] = isRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  await run(command, commandArgs, { timeout: timeoutMs, killSignal: 'SIGKILL' });
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startPostgres(options: { database?: string; maxConnections?: number } = {}): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (bin === null) throw new Error(`No PostgreSQL under ${PG_ROOT}: install Debian's postgresql package (apt-get install -y postgresql).`);
  const database = options.database ?? 'manabi_test';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    fs.chownSync(dir, uid, gid);
  }
  const log = (): string => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  let started = false;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', stopAtExit);
    if (started) {
      started = false;
      try {
        await pgCommand(bin, 'pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w', '-t', '20'], 30_000);
      } catch {
        await pgCommand(bin, 'pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], 15_000).catch(() => undefined);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A test run that dies without its afterAll still leaves no server behind.
  const stopAtExit = (): void => {
    if (started) {
      const args = ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'];
      const file = path.join(bin, 'pg_ctl');
      try {
        if (isRoot()) execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { timeout: 15_000, stdio: 'ignore' });
        else execFileSync(file, args, { timeout: 15_000, stdio: 'ignore' });
      } catch {
        // nothing more to do at exit
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopAtExit);

  try {
    await pgCommand(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions'], 60_000);
    // A free port can be taken between the check and the start: try a few.
    let port = 0;
    let serverOptions = '';
    for (let attempt = 1; attempt <= 3 && !started; attempt++) {
      port = await freePort();
      serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${options.maxConnections ?? 100}`;
      try {
        await pgCommand(bin, 'pg_ctl', ['start', '-D', data, '-w', '-t', '30', '-l', logFile, '-o', serverOptions], 40_000);
        started = true;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
    const restart = async (): Promise<void> => {
      await pgCommand(bin, 'pg_ctl', ['restart', '-D', data, '-m', 'fast', '-w', '-t', '30', '-l', logFile, '-o', serverOptions], 40_000);
    };
    return { url: `postgres://postgres@127.0.0.1:${port}/${database}`, port, dir, log, stop, restart };
  } catch (error) {
    const serverLog = log();
    await stop();
    throw new Error(`The throwaway PostgreSQL cluster did not start: ${(error as Error).message}\n${serverLog}`);
  }
}

/** Two `Db` handles, each with its own pool, on one database: two Manabi instances in one test process, migrated and ready. */
export async function openInstances(cluster: PostgresCluster, poolSize: number): Promise<[Db, Db]> {
  const open = (): Db => openPostgres({ url: cluster.url, poolSize, connectTimeoutMs: 5000, idleTimeoutMs: 1000, statementTimeoutMs: 10_000 });
  const pair: [Db, Db] = [open(), open()];
  await Promise.all(pair.map((db) => postgresReady(db)));
  return pair;
}
