/**
 * PostgreSQL behind the same `Db` (issue 18), selected by DATABASE_URL=postgres://…: a pg Pool
 * (size and timeouts from getConfig()), Drizzle's node-postgres driver with db/schema-pg, and the
 * migrations of db/migrations/postgres applied once per database under a session advisory lock
 * (several instances starting together: the first migrates, the others wait and find nothing to do).
 *
 * `write` is one transaction on one pooled connection (BEGIN … COMMIT, ROLLBACK on a throw or a
 * rejection), READ COMMITTED, not retried: a retry would run the callback twice, and callbacks
 * are not written to be repeatable. Paths that must be atomic across instances say so in SQL
 * (`INSERT … ON CONFLICT`, `SELECT … FOR UPDATE`). `read` runs on the pool, each statement on
 * whichever connection is free; inside a write's callback it runs in that transaction, and so do
 * `prepared` statements (built on the transaction, uncached; one taken outside and run inside
 * resolves to the transaction when run: a statement bound to the pool would run outside it). A `db.write` inside a write's callback rejects with NestedWriteError, as on SQLite.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { deferred } from './deferred.ts';
import path from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as pgSchema from '../../db/schema-pg/index.ts';
import { selectTables } from '../../db/schema/index.ts';
import type { PostgresSettings } from './config-types.ts';
import type { DataAccess, Tx } from './db.server.ts';
import { logger } from './log.server.ts';
import { keyOrderOf } from './postgres-order.server.ts';
import { NestedWriteError } from './sqlite-access.server.ts';
import { POSTGRES_GONE } from './storage-errors.server.ts';

/** The advisory lock key of Manabi's migrations (any constant shared by every instance). */
const MIGRATION_LOCK_KEY = 4_318_001;

export type PgConnection = NodePgDatabase<typeof pgSchema> & { $client: pg.Pool };

interface Scope {
  owner: object;
  tx: Tx;
  open: boolean;
  /** A unit's scope (DataAccess.unit): a `write` inside it is a savepoint (Drizzle's nested transaction). */
  unit: boolean;
  nested: boolean;
}
const scope = new AsyncLocalStorage<Scope>();

const pools = new WeakMap<DataAccess, { pool: pg.Pool; ready: Promise<void>; connection: PgConnection }>();

export function postgresMigrationsFolder(): string {
  return path.resolve('db/migrations/postgres');
}

/** Applies the migrations once: under pg_advisory_lock, so concurrent starts run them one at a time. */
export async function migratePostgres(pool: pg.Pool, migrationsFolder: string): Promise<void> {
  const client = await pool.connect();
  try {
    // A migration (and the wait for another instance's) may outlast the statement timeout.
    await client.query('set statement_timeout = 0');
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle({ client, schema: pgSchema }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
    await client.query('reset statement_timeout');
    client.release();
  } catch (error) {
    // A connection in an unknown state is not handed back to the pool.
    client.release(error as Error);
    throw error;
  }
}

export interface PostgresOpenOptions {
  migrate?: boolean;
  migrationsFolder?: string;
}

/**
 * Opens the pool (no connection yet) and starts the migrations; every read and write waits for
 * them, and `postgresReady(db)` answers when they are done (the server awaits it before listening).
 * From here on the feature code's tables (db/schema/index.ts) are PostgreSQL's.
 */
/**
 * int8 (`count(*)`, `sum`, epoch milliseconds) and numeric (`avg`, `* 100.0`) as JS numbers, as
 * SQLite answers them: node-postgres gives strings, which compare and add as text. Exact below
 * 2^53, which counts and epoch milliseconds are. Set on node-postgres's global parsers, since
 * Drizzle passes its own per query and falls back to those (a pool's `types` is never read).
 */
function readNumbersAsNumbers(): void {
  pg.types.setTypeParser(pg.types.builtins.INT8, Number);
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);
}

/** The server closed, refused or dropped the connection (a restart, a failover, a full pool). */
const LOST_CONNECTION =
  /Connection terminated|timeout exceeded when trying to connect|connection error|the database system is (starting up|shutting down|not yet accepting connections|in recovery mode)/i;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether a failed call lost PostgreSQL rather than broke a rule: no connection (refused, reset,
 * timed out, the pool's connect timeout), SQLSTATE class 08, the server shutting down or starting
 * (57P01–57P03), too many connections (53300). Looked for through Drizzle's wrapped causes.
 */
export function isConnectionLoss(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_GONE.test(code))) return true;
    if (LOST_CONNECTION.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

/** PostgreSQL out of reach: storage-errors.server.ts answers it as a 503 ("not saved, try again"), as a full disk on SQLite. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DB_UNAVAILABLE';
  constructor(cause: unknown) {
    super('PostgreSQL is out of reach', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DatabaseUnavailableError || !isConnectionLoss(error)) throw error;
    throw new DatabaseUnavailableError(error);
  }
}

export function openPostgres(settings: PostgresSettings, options: PostgresOpenOptions = {}): DataAccess {
  readNumbersAsNumbers();
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: settings.idleTimeoutMs,
    statement_timeout: settings.statementTimeoutMs > 0 ? settings.statementTimeoutMs : undefined,
    application_name: 'manabi',
  });
  // An idle connection the server drops (a restart, a failover) must not end the process.
  pool.on('error', (error: Error & { code?: string }) => logger.warn({ code: error.code }, 'idle PostgreSQL connection lost'));
  // A checked-out connection between two statements (inside a transaction) gets no pool listener:
  // its error (the server restarting: 57P01) would be an uncaught exception. The statement that
  // runs next on it fails instead (a 503), and the pool discards it on release.
  pool.on('connect', (client) => {
    client.on('error', (error: Error & { code?: string }) => logger.warn({ code: error.code }, 'PostgreSQL connection lost while in use'));
  });
  selectTables('postgres', pgSchema);
  const connection = drizzle({ client: pool, schema: pgSchema }) as PgConnection;
  const q = connection as unknown as Tx;
  const ready = options.migrate === false ? Promise.resolve() : migratePostgres(pool, options.migrationsFolder ?? postgresMigrationsFolder());
  // Reported through every read and write (and postgresReady), never as an unhandled rejection.
  ready.catch(() => undefined);
  const owner = {};
  const current = (): Scope | null => {
    const s = scope.getStore();
    return s && s.owner === owner && s.open ? s : null;
  };
  /** Runs `work` as the scope of transaction `tx` (a unit's or a write's), closed when it ends. */
  const within = async <T>(tx: unknown, unit: boolean, work: () => T | PromiseLike<T>): Promise<T> => {
    const s: Scope = { owner, tx: tx as Tx, open: true, unit, nested: false };
    try {
      return await scope.run(s, work);
    } finally {
      s.open = false;
    }
  };
  const statements = new Map<string, unknown>();
  const access: DataAccess = {
    dialect: 'postgres',
    async read(work) {
      const open = current();
      if (open) return work(open.tx);
      return guarded(async () => {
        await ready;
        return await work(q);
      });
    },
    async write(work) {
      const open = current();
      if (open?.unit && !open.nested) {
        open.nested = true;
        try {
          const outer = open.tx as unknown as PgConnection;
          return await outer.transaction(async (sp) => await within(sp, false, () => work(sp as unknown as Tx)));
        } finally {
          open.nested = false;
        }
      }
      if (open) throw new NestedWriteError();
      return guarded(async () => {
        await ready;
        return await connection.transaction(async (tx) => await within(tx, false, () => work(tx as unknown as Tx)));
      });
    },
    async unit(work) {
      if (current()) throw new NestedWriteError();
      return guarded(async () => {
        await ready;
        return await connection.transaction(async (tx) => await within(tx, true, work));
      });
    },
    prepared(key, build) {
      const open = current();
      if (open) return build(open.tx);
      // Taken outside a transaction, it may still be run inside one (a write's callback): it then
      // runs in that transaction, resolved when called. Bound to the pool, it took a second
      // connection while the transaction held the first, and 25 lesson views at once on a pool
      // of 8 waited for each other until the pool's timeout (503s under load).
      const pooled = (): unknown => {
        let statement = statements.get(key);
        if (statement === undefined) {
          statement = build(q);
          statements.set(key, statement);
        }
        return statement;
      };
      return deferred(() => {
        const inside = current();
        return inside ? build(inside.tx) : pooled();
      }, []) as ReturnType<typeof build>;
    },
    close: async () => {
      await ready.catch(() => undefined);
      if (!pool.ending) await pool.end(); // a second close (a test's cleanup after its own) is a no-op, as on SQLite
    },
  };
  pools.set(access, { pool, ready, connection });
  return access;
}

/** Resolves once the migrations ran (rejects with their error); resolves at once for SQLite. */
export async function postgresReady(db: DataAccess): Promise<void> {
  await pools.get(db)?.ready;
}

/** The pool under a PostgreSQL `Db` (health checks, tests); null for SQLite. */
export function poolOf(db: DataAccess): pg.Pool | null {
  return pools.get(db)?.pool ?? null;
}

/** The Drizzle connection over that pool (tests and tools that inspect rows); null for SQLite. */
export const postgresDrizzle = (db: DataAccess): PgConnection | null => pools.get(db)?.connection ?? null;

/**
 * The same pool under a handle whose close() does nothing: for background work that closes its
 * handle when it stops, while the server's requests still use the pool.
 */
export function borrowedHandle(db: DataAccess): DataAccess {
  const borrowed: DataAccess = { ...db, close: async () => undefined };
  const entry = pools.get(db);
  if (entry) pools.set(borrowed, entry);
  return borrowed;
}

/** A value as SQLite's raw rows give it: booleans as 1/0, json columns as their text. */
function asSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

/**
 * readPages (db.server.ts) on PostgreSQL: the same native query (`t.rowid rid` left out, `?`s numbered,
 * in key order: keyOrderOf) through a cursor in one read-only REPEATABLE READ transaction, `pageSize` rows
 * a fetch: one snapshot, memory flat. The connection is the caller's until the export ends or is abandoned.
 */
export async function* readPagesOnPostgres<T>(db: DataAccess, query: string, params: readonly unknown[], pageSize: number): AsyncGenerator<T> {
  const pool = poolOf(db);
  if (!pool) throw new Error('Not a PostgreSQL database handle opened by openPostgres().');
  let n = 0;
  const text = `${query.replace(/\bt\.rowid rid,\s*/, '')}${keyOrderOf(query)}`.replace(/\?/g, () => `$${++n}`);
  const client = await guarded(async () => {
    await postgresReady(db);
    return await pool.connect();
  });
  let failed: Error | undefined;
  try {
    const fetchRows = (): Promise<pg.QueryResult> => guarded(async () => await client.query(`fetch ${pageSize} from manabi_pages`));
    await guarded(async () => {
      await client.query('begin isolation level repeatable read read only');
      await client.query(`declare manabi_pages no scroll cursor for ${text}`, [...params]);
    });
    for (let page = await fetchRows(); page.rows.length > 0; page = await fetchRows()) {
      for (const row of page.rows as Record<string, unknown>[]) {
        for (const key of Object.keys(row)) row[key] = asSqliteValue(row[key]);
        yield row as T;
      }
    }
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    await client.query('rollback').catch(() => undefined);
    // A connection that failed mid-export is not handed back to the pool.
    client.release(failed);
  }
}
