/**
 * Dialect-neutral query helpers (issue 18; ARCHITECTURE.md, "Writing queries for both databases").
 * A data function awaits the Drizzle builder instead of SQLite's `.all()`/`.get()`/`.run()`, and
 * reaches raw SQL through `rows`/`exec`, so the same code runs on better-sqlite3 and node-postgres.
 */
import { is, type SQL, sql } from 'drizzle-orm';
import { PgDatabase } from 'drizzle-orm/pg-core';

/** The first row, or null: what SQLite's `.get()` answered (with null for absence). */
export function first<T>(rows: readonly T[]): T | null {
  return rows.length > 0 ? (rows[0] as T) : null;
}

/** What a raw-SQL or builder call runs on: a read's `q` or a write's `tx`, of either dialect. */
interface Executor {
  all?: (query: SQL) => unknown;
  run?: (query: SQL) => unknown;
  execute?: (query: SQL) => Promise<{ rows: unknown[] }>;
}

/** The rows of a raw-SQL select (`q.all(sql…)` on SQLite, `execute(…).rows` on PostgreSQL). */
export async function rows<T>(q: object, query: SQL): Promise<T[]> {
  const executor = q as Executor;
  if (is(q, PgDatabase)) return (await executor.execute!(query)).rows as T[];
  return (await executor.all!(query)) as T[];
}

/** Runs a raw-SQL statement that returns no rows; answers the number of rows it changed. */
export async function exec(q: object, query: SQL): Promise<number> {
  const executor = q as Executor;
  if (is(q, PgDatabase)) return ((await executor.execute!(query)) as { rowCount?: number | null }).rowCount ?? 0;
  return ((await executor.run!(query)) as { changes: number }).changes;
}

/** The number of rows an awaited insert, update or delete changed (SQLite `changes`, pg `rowCount`). */
export function changes(result: unknown): number {
  const r = result as { changes?: number; rowCount?: number | null };
  return r.changes ?? r.rowCount ?? 0;
}

let savepoints = 0;

/**
 * Runs `work` in a savepoint of the caller's transaction: a throw or rejection undoes only what
 * `work` wrote and passes through. Drizzle's `tx.transaction(…)` on better-sqlite3 is synchronous
 * (it releases the savepoint before an async callback's awaits run, and never rolls back on a
 * rejection), so on SQLite the savepoint is written here; the write's lock keeps it to this
 * callback across its awaits. On PostgreSQL, Drizzle's own nested transaction.
 */
export async function savepoint<Q extends object, T>(tx: Q, work: (sp: Q) => Promise<T>): Promise<T> {
  if (is(tx, PgDatabase)) return (tx as unknown as { transaction: (w: (sp: Q) => Promise<T>) => Promise<T> }).transaction(work);
  savepoints += 1;
  const name = sql.raw(`manabi_sp${savepoints}`);
  await exec(tx, sql`savepoint ${name}`);
  try {
    const result = await work(tx);
    await exec(tx, sql`release savepoint ${name}`);
    return result;
  } catch (error) {
    await exec(tx, sql`rollback to savepoint ${name}`);
    await exec(tx, sql`release savepoint ${name}`);
    throw error;
  }
}

/** A prepared statement that may answer its rows as arrays (SQLite's `.values`). */
interface ArrayStatement {
  values?: (params?: Record<string, unknown>) => unknown[][];
  execute: (params?: Record<string, unknown>) => Promise<unknown> | unknown;
}

/**
 * A prepared select's rows as arrays in its columns' order: SQLite's `.values(params)` (no object
 * per row: it halves a large read), elsewhere the executed rows' values in the same order.
 */
export async function valueRows<T extends unknown[]>(statement: object, params: Record<string, unknown>): Promise<T[]> {
  const s = statement as ArrayStatement;
  if (typeof s.values === 'function') return s.values(params) as T[];
  return ((await s.execute(params)) as Record<string, unknown>[]).map((row) => Object.values(row) as T);
}

/** True on a PostgreSQL handle (a read's `q` or a write's `tx`): for the few statements each dialect spells its own way. */
export function onPostgres(q: object): boolean {
  return is(q, PgDatabase);
}

/**
 * A one-column subquery (`value`) of the ids in `list`, a JSON array bound as one parameter (or a
 * placeholder of one) whatever its length: SQLite's `json_each`, PostgreSQL's `json_array_elements_text`.
 */
export function jsonIds(q: object, list: unknown): SQL {
  return onPostgres(q) ? sql`select value::bigint as value from json_array_elements_text(${list}::json) as value` : sql`select value from json_each(${list})`;
}

/**
 * A subquery of the objects in `list` (a JSON array of objects, one parameter), one text column per
 * field: SQLite's `json_each` with `json_extract`, PostgreSQL's `json_array_elements` with `->>`.
 */
export function jsonObjects(q: object, list: string, fields: readonly string[]): SQL {
  if (onPostgres(q)) {
    const columns = sql.join(
      fields.map((f) => sql`value->>${f} as ${sql.identifier(f)}`),
      sql`, `,
    );
    return sql`select ${columns} from json_array_elements(${list}::json) as value`;
  }
  const columns = sql.join(
    fields.map((f) => sql`json_extract(value, ${`$.${f}`}) as ${sql.identifier(f)}`),
    sql`, `,
  );
  return sql`select ${columns} from json_each(${list})`;
}

/**
 * Whether a failed statement broke a unique constraint (SQLite's SQLITE_CONSTRAINT_UNIQUE or
 * _PRIMARYKEY, PostgreSQL's 23505), looked for on the error and on the driver error Drizzle wraps:
 * what a path that checked first and then inserted meets when another instance inserted between.
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  }
  return false;
}
