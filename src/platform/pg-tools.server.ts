/**
 * `db:backup` and `db:restore` on PostgreSQL (issue 18): thin wrappers around `pg_dump -Fc` and
 * `pg_restore`, the tools PostgreSQL ships for a logical copy. The binaries come from Debian's
 * /usr/lib/postgresql/<newest>/bin (a newer pg_dump reads an older server, not the reverse), else
 * from PATH. The password travels in PGPASSWORD, not on the command line, where `ps` would show it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { childEnv } from './config.server.ts';

const run = promisify(execFile);
const DEBIAN_ROOT = '/usr/lib/postgresql';

export class PgToolError extends Error {
  override name = 'PgToolError';
}

/** The path of `pg_dump`/`pg_restore`: the newest Debian version's, else the one on PATH; null when none. */
export function findPgTool(tool: 'pg_dump' | 'pg_restore'): string | null {
  if (fs.existsSync(DEBIAN_ROOT)) {
    const versions = fs
      .readdirSync(DEBIAN_ROOT)
      .filter((v) => fs.existsSync(path.join(DEBIAN_ROOT, v, 'bin', tool)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return path.join(DEBIAN_ROOT, versions[0], 'bin', tool);
  }
  for (const dir of (childEnv().PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, tool);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** The URL without its password, and the environment that passes the password instead. */
function connection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const env: NodeJS.ProcessEnv = childEnv();
  if (parsed.password) {
    env.PGPASSWORD = decodeURIComponent(parsed.password);
    parsed.password = '';
  }
  return { url: parsed.toString(), env };
}

async function tool(name: 'pg_dump' | 'pg_restore', args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const file = findPgTool(name);
  if (file === null) throw new PgToolError(`${name} not found (install the postgresql-client package of your server's version, or put ${name} on PATH).`);
  try {
    const { stdout } = await run(file, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new PgToolError(`${name} failed: ${stderr || (error as Error).message}`);
  }
}

/** The tables a dump holds (from `pg_restore --list`), as schema.table. */
export async function dumpTables(file: string): Promise<string[]> {
  const list = await tool('pg_restore', ['--list', file], childEnv());
  return list
    .split('\n')
    .map((line) => /^\d+; \d+ \d+ TABLE (\S+) (\S+) /.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}.${m[2]}`);
}

/** `pg_dump -Fc` of the whole database into `file` (which must not exist), then checks it lists Manabi's tables. */
export async function dumpPostgres(url: string, file: string): Promise<void> {
  const { url: bare, env } = connection(url);
  await tool('pg_dump', ['--format=custom', `--file=${file}`, '--no-owner', '--no-privileges', `--dbname=${bare}`], env);
  const tables = await dumpTables(file).catch((error: unknown) => {
    fs.rmSync(file, { force: true });
    throw error;
  });
  if (!tables.includes('public.users') || !tables.includes('drizzle.__drizzle_migrations')) {
    fs.rmSync(file, { force: true });
    throw new PgToolError('the dump does not hold Manabi’s tables (users, the migrations table): is DATABASE_URL the right database? Nothing kept.');
  }
}

/** Other sessions of the database than our own (a running Manabi, a psql), by application name. */
export async function otherSessions(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "select coalesce(nullif(application_name, ''), 'unnamed') || ' (pid ' || pid || ')' as name from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'",
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

/**
 * Replaces the database's contents with the dump's: `pg_restore --clean --if-exists
 * --single-transaction --exit-on-error`, so it either completes or leaves the database as it was.
 */
export async function restorePostgres(url: string, file: string): Promise<void> {
  const { url: bare, env } = connection(url);
  await tool('pg_restore', ['--clean', '--if-exists', '--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${bare}`, file], env);
}
