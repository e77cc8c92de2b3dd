/**
 * Opens the SQLite database, applies the pragmas Manabi relies on and the committed
 * migrations. One server process is the single writer; write transactions are short and
 * `BEGIN IMMEDIATE`. Their callbacks may be synchronous or asynchronous: a per-connection
 * lock keeps an open asynchronous write to itself (src/platform/sqlite-access.server.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { selectTables } from '../../db/schema/index.ts';
import * as schema from '../../db/schema/sqlite.ts';
import { startBackgroundCheckpoints } from './checkpointer.server.ts';
import { getConfig } from './config.server.ts';
import { openPostgres, poolOf, postgresDrizzle, readPagesOnPostgres } from './postgres.server.ts';
import { sqliteAccess, type SqliteAccess } from './sqlite-access.server.ts';

export { NestedWriteError } from './sqlite-access.server.ts';

/** What a read or write callback works with: Drizzle's synchronous SQLite executor. */
export type Tx = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

/** The SQL dialect behind a `Db`, for the few queries that must be written per dialect. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * The one interface every data function takes. The functions are async so that a second driver
 * changes only `src/platform/`, the `*.server.ts` files and `db/`.
 */
export interface DataAccess {
  readonly dialect: Dialect;
  /**
   * Reads (one or several statements). The callback may be async (`await` the builders); on
   * SQLite it then holds the connection until it settles. Inside a write's callback, a read is
   * part of that transaction.
   */
  read<T>(work: (q: Tx) => T | PromiseLike<T>): Promise<T>;
  /**
   * One short atomic write: BEGIN IMMEDIATE … COMMIT, ROLLBACK on a throw or a rejection (the
   * error passes through). The callback may be async; keep slow work (hashing, fetching) before
   * it, since on SQLite every other read and write of the process waits while it is open. A
   * `db.write` inside a write's callback rejects with NestedWriteError (pass `tx` instead).
   */
  write<T>(work: (tx: Tx) => T | PromiseLike<T>): Promise<T>;
  /**
   * One transaction around several writes of one request, committed once (a form post's action
   * and its kept answer: one COMMIT instead of two). Each `db.write` inside runs as a savepoint
   * of it, so a rejected write still undoes only its own rows and its error passes through as
   * before; reads inside see the unit's rows. A rejection of `work`, or a failed COMMIT, rolls
   * everything back: nothing inside is acknowledged before the unit resolves.
   */
  unit<T>(work: () => PromiseLike<T>): Promise<T>;
  /** A statement prepared once per connection (the hot paths). */
  prepared<T>(key: string, build: (q: Tx) => T): T;
  close(): Promise<void>;
}

type Connection = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The handle every data function takes: the interface alone, so no caller can bypass it. */
export type Db = DataAccess;

/** The connection behind each handle, for the platform's own helpers below. */
const connections = new WeakMap<Db, Connection>();
const accesses = new WeakMap<Db, SqliteAccess<Tx>>();

function connectionOf(database: Db): Connection {
  const connection = connections.get(database);
  if (!connection) throw new Error('Not a SQLite database handle opened by openDatabase() (this helper is SQLite-only).');
  return connection;
}

/** Runs `work` holding the connection's lock (no open write of another request sees it or interleaves). */
function settle<T>(database: Db, work: () => T | PromiseLike<T>): Promise<T> {
  const access = accesses.get(database);
  if (!access) return Promise.reject(new Error('Not a database handle opened by openDatabase().'));
  return access.exclusive(work);
}

/** Adds the `DataAccess` methods to a Drizzle connection (statements run at the call, in order). */
function withDataAccess(connection: Connection): Db {
  const statements = new Map<string, unknown>();
  // Drizzle's transaction handle holds no state of its own: take it once, use it for every write.
  const tx = connection.transaction((handle) => handle, { behavior: 'deferred' }) as Tx;
  const locked = sqliteAccess<Tx>(connection.$client, connection, tx);
  const access: DataAccess = {
    dialect: 'sqlite',
    read: locked.read,
    write: locked.write,
    unit: locked.unit,
    prepared: <T>(key: string, build: (q: Tx) => T): T => {
      let statement = statements.get(key) as T | undefined;
      if (statement === undefined) {
        statement = build(connection);
        statements.set(key, statement);
      }
      return statement;
    },
    close: () => locked.exclusive(() => void connection.$client.close()),
  };
  connections.set(access, connection);
  accesses.set(access, locked);
  return access;
}

/** The Drizzle connection under a `Db`: for tests and tools that set up or inspect rows, never for features (PostgreSQL's: awaited builders only). */
export function rawDrizzle(database: Db): Connection {
  return (postgresDrizzle(database) as unknown as Connection | null) ?? connectionOf(database);
}

/** The SQLite handle under a `Db`: for tests and tools that need raw SQL, never for features. */
export function rawSqlite(database: Db): Database.Database {
  return connectionOf(database).$client;
}

/**
 * Streams a large read in pages by rowid, each page one short read, so no statement stays open
 * while the consumer writes to the same connection (better-sqlite3 refuses that) and memory
 * stays flat. `query` selects `t.rowid rid` from a table aliased `t` and ends in a `where`
 * clause (`where true` for all rows), `params` fill its placeholders (PostgreSQL: readPagesOnPostgres).
 */
export async function* readPages<T>(database: Db, query: string, params: readonly unknown[] = [], pageSize = 2000): AsyncGenerator<T> {
  if (database.dialect === 'postgres') return yield* readPagesOnPostgres<T>(database, query, params, pageSize);
  const statement = connectionOf(database).$client.prepare(`${query} and t.rowid > ? order by t.rowid limit ${pageSize}`);
  let after = 0;
  for (;;) {
    const rows = await database.read(() => statement.all(...params, after) as (T & { rid: number })[]);
    if (rows.length === 0) return;
    yield* rows as unknown as Awaited<T>[];
    after = rows.at(-1)!.rid;
  }
}

/**
 * Bulk work Drizzle's builder cannot express (a TEMP staging table, set-based INSERT … SELECT,
 * statements prepared for thousands of rows): `work` gets the native handle and the same
 * connection as a `Tx`; it opens its own transactions (`sqlite.transaction(…).immediate()`).
 */
export function withNativeSqlite<T>(database: Db, work: (sqlite: Database.Database, q: Tx) => T | PromiseLike<T>): Promise<T> {
  return settle(database, () => {
    const connection = connectionOf(database);
    return work(connection.$client, connection);
  });
}

/**
 * Runs `work` (a write) with SQLite's `secure_delete` on for this connection, so that what the
 * write deletes or overwrites is zeroed in the file instead of lingering in free space, then
 * restores the setting. For erasures. PostgreSQL has no such setting: compactDatabase VACUUMs.
 */
export async function withSecureDelete<T>(database: Db, work: () => Promise<T>): Promise<T> {
  if (database.dialect === 'postgres') return work();
  const sqlite = connectionOf(database).$client;
  const before = sqlite.pragma('secure_delete', { simple: true }) as number;
  sqlite.pragma('secure_delete = 1');
  try {
    return await work();
  } finally {
    sqlite.pragma(`secure_delete = ${before === 1 ? 1 : before === 2 ? "'fast'" : 0}`);
  }
}

/**
 * Leaves no old bytes in the database file: the write-ahead log is checkpointed into the file
 * and emptied, VACUUM writes every page afresh (dropping free pages and the free space inside
 * pages, where earlier versions of rows stay until overwritten), and the log is emptied again.
 * Holds the write lock for as long as VACUUM takes: for rare, deliberate operations (an erasure).
 * `walEmptied`: false when a reader kept the log from being emptied (done at the next checkpoint).
 */
export async function compactDatabase(database: Db): Promise<{ walEmptied: boolean }> {
  // PostgreSQL: a plain VACUUM frees the old row versions for reuse and locks nobody out.
  if (database.dialect === 'postgres') return { walEmptied: Boolean(await poolOf(database)!.query('VACUUM')) };
  return settle(database, () => {
    const sqlite = connectionOf(database).$client;
    if (sqlite.memory) return { walEmptied: true };
    const checkpoint = (): boolean => (sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]?.busy === 0;
    checkpoint();
    sqlite.exec('VACUUM');
    return { walEmptied: checkpoint() };
  });
}

/** The database file behind a connection, for a worker thread that opens its own. */
export function databaseFileOf(database: Db): string {
  return connectionOf(database).$client.name;
}

/** Where the migrations live; the server and the CLI both run from the project root. */
export function migrationsFolder(): string {
  return path.resolve(getConfig().migrationsDir);
}

export function databasePath(): string {
  return path.resolve(getConfig().databasePath);
}

/**
 * Opens (creating if needed) the database at `file` and migrates it to the latest schema.
 * `synchronous=NORMAL` in WAL mode survives a process crash; see the README for the choice.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  selectTables('sqlite', schema);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { readonly: options.readonly ?? false });
  sqlite.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('foreign_keys = ON');
  // 64 MiB of page cache instead of SQLite's 2 MiB: the dashboards read tens of thousands of
  // rows, which evicted the pages every lesson request needs (sessions, progress); with the
  // larger cache a champion view plus learner lookups ran about 30 % faster in the benchmark.
  sqlite.pragma('cache_size = -65536');
  const connection = drizzle({ client: sqlite, schema }) as Connection;
  if (options.migrate ?? !options.readonly) migrateKeepingReferences(sqlite, connection, options.migrationsFolder ?? migrationsFolder());
  return withDataAccess(connection);
}

/**
 * Runs the migrations with foreign keys off, then checks every reference. drizzle-kit rebuilds a
 * table to change a constraint (create the new table, copy, drop the old one); its
 * `PRAGMA foreign_keys=OFF` is a no-op inside the migrator's transaction, and with foreign keys on,
 * dropping the old table would delete or refuse the rows that point at it (an attempt's answers,
 * an assignment's enrolments). SQLite's documented procedure: keys off around the change (the
 * pragma only works outside a transaction), then `foreign_key_check`, which must find nothing.
 */
function migrateKeepingReferences(sqlite: Database.Database, connection: Connection, folder: string): void {
  const before = appliedMigrations(sqlite);
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(connection, { migrationsFolder: folder });
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
  // Only after a migration ran: the check reads every referencing table, which on a large
  // database costs seconds and fills the page cache at every start.
  if (appliedMigrations(sqlite) === before) return;
  const broken = sqlite.pragma('foreign_key_check') as unknown[];
  if (broken.length > 0) throw new Error(`the database has ${broken.length} broken reference(s) after migrating: ${JSON.stringify(broken.slice(0, 5))}`);
}

/** How many migrations the database records as applied (0 for a new file). */
function appliedMigrations(sqlite: Database.Database): number {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  return table ? (sqlite.prepare('select count(*) n from __drizzle_migrations').get() as { n: number }).n : 0;
}

let shared: Db | null = null;

/**
 * The process-wide connection of the server, opened and migrated on first use (the request
 * pipeline then prepares the programme's data: src/features/programme/prepare.server.ts).
 * With DATABASE_URL, PostgreSQL's pool (migrating in the background: `postgresReady`).
 */
export function getDb(): Db {
  if (shared) return shared;
  const { postgres } = getConfig();
  shared = postgres ? openPostgres(postgres) : withBackgroundCheckpoints(openDatabase(databasePath()), databasePath());
  return shared;
}

/**
 * A new handle on the configured database, for a command-line tool: PostgreSQL's pool with
 * DATABASE_URL (migrated under the advisory lock), else the SQLite file at DATABASE_PATH. The
 * caller closes it.
 */
export function openConfiguredDatabase(): Db {
  const { postgres } = getConfig();
  return postgres ? openPostgres(postgres) : openDatabase(databasePath());
}

/** Where the configured database is, for a tool's messages: the PostgreSQL host and database (never the password), or the file. */
export function configuredDatabaseLabel(): string {
  const { postgres } = getConfig();
  if (!postgres) return databasePath();
  const url = new URL(postgres.url);
  return `PostgreSQL ${url.host}${url.pathname}`;
}

/** The server's connection checkpoints its WAL in a worker thread (src/platform/checkpointer.server.ts), not in a request's COMMIT. */
function withBackgroundCheckpoints(database: Db, file: string): Db {
  if (file === ':memory:') return database;
  const checkpoints = startBackgroundCheckpoints(rawSqlite(database), file);
  const close = database.close;
  database.close = async () => {
    await checkpoints.stop();
    await close();
  };
  return database;
}

export interface OpenOptions {
  readonly?: boolean;
  /** Defaults to true for writable connections. */
  migrate?: boolean;
  migrationsFolder?: string;
}
