/**
 * rate-limiter-flexible's database stores on the `Db`'s own connection (issue 18), for counters
 * every instance behind a load balancer shares: RateLimiterPostgres on the pg Pool, RateLimiterSQLite
 * on the better-sqlite3 connection. The table is our migrations' (db/schema/auth.ts `signInLimits`),
 * never the library's (`tableCreated: true`: no DDL at run time, one schema history), and expired
 * rows are deleted by housekeeping in bounded batches, not by the library's timers
 * (`clearExpiredByTimeout: false`: one unref'd timer per limiter per instance, unbounded deletes).
 *
 * On SQLite a store statement must run holding the connection's lock (`onLimiterConnection`): an
 * asynchronous write of another request may be open on the shared connection, and the store's
 * upsert (better-sqlite3 `transaction()`, a savepoint when a transaction is open) would run inside
 * it and be rolled back with it. Holding the lock costs microseconds: the store's work is synchronous.
 */
import { type RateLimiterAbstract, RateLimiterPostgres, RateLimiterSQLite } from 'rate-limiter-flexible';
import { type Db, rawSqlite } from './db.server.ts';
import { poolOf, postgresReady } from './postgres.server.ts';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  /** Seconds. */
  duration: number;
  /** A table of the store's shape (key, points, expire), created by a migration. */
  tableName: string;
}

/**
 * A fixed-window limiter whose counters live in the database behind `database` (it only builds
 * the object, no statement runs: synchronous, like the other platform helpers taking the handle).
 */
export function databaseLimiter(database: Db, options: LimiterOptions): RateLimiterAbstract {
  const common = { ...options, tableCreated: true, clearExpiredByTimeout: false };
  if (database.dialect === 'postgres') {
    const pool = poolOf(database);
    if (!pool) throw new Error('Not a PostgreSQL database handle opened by openPostgres().');
    return new RateLimiterPostgres({ ...common, storeClient: pool, storeType: 'pool' });
  }
  return new RateLimiterSQLite({ ...common, storeClient: rawSqlite(database), storeType: 'better-sqlite3' });
}

/**
 * Runs a limiter call (`consume`, …) where its statements may run: on SQLite holding the
 * connection's lock, outside any other request's open write; on PostgreSQL once the migrations ran.
 */
export async function onLimiterConnection<T>(db: Db, work: () => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') {
    await postgresReady(db);
    return work();
  }
  return db.read(() => work());
}
