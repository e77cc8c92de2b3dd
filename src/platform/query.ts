/**
 * Dialect-neutral query helpers (issue 18; ARCHITECTURE.md, "Writing queries for both databases").
 * A data function awaits the Drizzle builder instead of SQLite's `.all()`/`.get()`/`.run()`, and
 * reaches raw SQL through `rows`/`exec`, so the same code runs on better-sqlite3 and node-postgres.
 */
import { is, type SQL } from 'drizzle-orm';
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
