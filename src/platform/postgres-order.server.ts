/**
 * The order of readPages on PostgreSQL. SQLite pages by rowid, so an export lists rows in the
 * order they were stored, the same at every download; PostgreSQL has no rowid and, without an
 * ORDER BY, answers in whatever order its plan meets the rows (after an UPDATE elsewhere, a
 * different one). Ordering by the primary key of the table aliased `t` gives one stable order.
 */
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import * as pgSchema from '../../db/schema-pg/index.ts';

const keys = new Map<string, string[]>();
for (const table of Object.values(pgSchema)) {
  if (!is(table, PgTable)) continue;
  const config = getTableConfig(table);
  const single = config.columns.filter((column) => column.primary).map((column) => column.name);
  keys.set(config.name, single.length > 0 ? single : (config.primaryKeys[0]?.columns.map((column) => column.name) ?? []));
}

/** ` order by t."…"` for the query's `from <table> t`, or '' when the table has no key (or is not named so). */
export function keyOrderOf(query: string): string {
  const table = /\bfrom\s+"?(\w+)"?\s+t\b/i.exec(query)?.[1];
  const columns = table === undefined ? [] : (keys.get(table) ?? []);
  return columns.length === 0 ? '' : ` order by ${columns.map((column) => `t."${column}"`).join(', ')}`;
}
