/**
 * A real database with the real migrations applied: a SQLite file in a temp folder, or in the
 * suites run again on PostgreSQL (the `*-pg` projects), a fresh copy of the run's migrated
 * template database (tests/helpers/global-postgres.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { openDatabase, rawSqlite, type Db } from '../../src/platform/db.server.ts';
import { openPostgres, poolOf } from '../../src/platform/postgres.server.ts';
import { findPostgresBin } from './postgres.ts';

export { databaseEnv } from './server.ts';
import { hashPassword } from '../../src/features/auth/password.server.ts';
import { createUser, ensureDepartment } from '../../src/features/users/users.server.ts';
import type { Role } from '../../src/features/users/roles.ts';

/** Whether this suite runs on PostgreSQL (a `*-pg` project): a test of SQLite's own file, pragmas or locks is skipped there. */
export const onPostgres: boolean = process.env.MANABI_TEST_DATABASE === 'postgres';

export interface TempDb {
  db: Db;
  /** The SQLite file, or on PostgreSQL the database's URL: what `startServer({ databasePath })` takes. */
  file: string;
  dir: string;
  cleanup: () => void;
}

export function tempDir(prefix = 'manabi-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

let copies = 0;

/** A new database on the run's cluster, copied from the migrated template (a few tens of ms). */
function postgresCopy(): string {
  const template = new URL(inject('postgresTemplateUrl'));
  const name = `t_${process.pid}_${++copies}_${Math.floor(Math.random() * 1e6)}`;
  const bin = findPostgresBin()!;
  const connection = ['-h', template.hostname, '-p', template.port, '-U', 'postgres'];
  execFileSync(path.join(bin, 'createdb'), [...connection, '-T', template.pathname.slice(1), name], { timeout: 60_000, stdio: 'pipe' });
  const url = new URL(template);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A copy of a database nobody is connected to (a second server with other settings starts on it):
 * the SQLite file copied into `dir`, or on PostgreSQL `createdb -T`; dropped with the cluster.
 */
export function copyDb(file: string, dir: string, name: string): string {
  if (!file.startsWith('postgres://')) {
    const copy = path.join(dir, `${name}.db`);
    fs.copyFileSync(file, copy);
    return copy;
  }
  const source = new URL(file);
  const target = new URL(file);
  target.pathname = `${source.pathname}_${name.replace(/\W/g, '_').toLowerCase()}`;
  const connection = ['-h', source.hostname, '-p', source.port, '-U', 'postgres'];
  execFileSync(path.join(findPostgresBin()!, 'createdb'), [...connection, '-T', source.pathname.slice(1), target.pathname.slice(1)], { timeout: 60_000, stdio: 'pipe' });
  return target.toString();
}

function dropDatabase(url: string): void {
  const { hostname, port, pathname } = new URL(url);
  // Best effort: the cluster goes at the end of the run anyway; this keeps its disk small.
  execFile(path.join(findPostgresBin()!, 'dropdb'), ['-h', hostname, '-p', port, '-U', 'postgres', '--force', pathname.slice(1)], { timeout: 60_000 }, () => undefined);
}

export function tempDb(): TempDb {
  if (onPostgres) {
    const dir = tempDir();
    const url = postgresCopy();
    const db = openPostgres({ url, poolSize: 4, connectTimeoutMs: 10_000, idleTimeoutMs: 1000, statementTimeoutMs: 60_000 });
    return {
      db,
      file: url,
      dir,
      cleanup: () => {
        void db.close().then(() => dropDatabase(url));
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const dir = tempDir();
  const file = path.join(dir, 'manabi.db');
  const db = openDatabase(file);
  return {
    db,
    file,
    dir,
    cleanup: () => {
      void db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A second handle on a tempDb's database (the test's own, while a server uses it): the SQLite
 * file without migrating, or on PostgreSQL a small pool on the same database.
 */
export function reopenDb(file: string): Db {
  if (file.startsWith('postgres://'))
    return openPostgres({ url: file, poolSize: 2, connectTimeoutMs: 10_000, idleTimeoutMs: 1000, statementTimeoutMs: 60_000 }, { migrate: false });
  return openDatabase(file, { migrate: false });
}

/**
 * Raw SQL for a test that inspects or tampers with rows, on either database: `?` placeholders
 * (numbered for PostgreSQL), booleans as SQLite gives them (1/0). A statement that writes
 * answers its rows too (`returning`), or none.
 */
export async function sqlRows<T = Record<string, unknown>>(db: Db, text: string, ...params: unknown[]): Promise<T[]> {
  const pool = poolOf(db);
  if (pool === null) {
    const statement = rawSqlite(db).prepare(text);
    if (statement.reader) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  }
  let n = 0;
  const result = await pool.query(
    text.replace(/\?/g, () => `$${++n}`),
    params,
  );
  return result.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v]))) as T[];
}

export async function addUser(db: Db, options: { email: string; password?: string; role?: Role; department?: string; name?: string }): Promise<number> {
  const passwordHash = options.password ? await hashPassword(options.password) : null;
  return db.write(
    async (tx) =>
      await createUser(tx, {
        email: options.email,
        displayName: options.name ?? options.email.split('@')[0]!,
        role: options.role ?? 'learner',
        departmentId: await ensureDepartment(tx, options.department ?? '営業部'),
        passwordHash,
      }),
  );
}
