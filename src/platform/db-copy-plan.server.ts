/**
 * What db:copy copies (src/platform/db-copy.server.ts): every table of db/schema-pg/ paired
 * with its db/schema/ twin, in an insert order that puts parents first, and each value mapped
 * through both schemas' columns. Pure: no database.
 */
import { type Column, is } from 'drizzle-orm';
import { getTableConfig as getPgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as getSqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as pgSchema from '../../db/schema-pg/index.ts';
import * as sqliteSchema from '../../db/schema/sqlite.ts';

export interface TablePlan {
  name: string;
  /** pg column name → the pair of Drizzle columns (SQLite's for reading, pg's for writing). */
  columns: { name: string; sqlite: Column; pg: Column }[];
  /** Columns referencing this same table: inserted as null, then set by a second pass. */
  selfReferences: string[];
  primaryKey: string[];
  /** Identity columns whose sequence is set to max + 1 after the copy. */
  identity: string[];
}

export const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The user:password part of a URL hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function pgTables(): PgTable[] {
  return (Object.values(pgSchema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
}

function sqliteTablesByName(): Map<string, SQLiteTable> {
  const tables = (Object.values(sqliteSchema) as unknown[]).filter((value): value is SQLiteTable => is(value, SQLiteTable));
  return new Map(tables.map((t) => [getSqliteTableConfig(t).name, t]));
}

/** Every table of db/schema-pg/, parents before the tables referencing them. */
export function copyPlan(): TablePlan[] {
  const sqliteByName = sqliteTablesByName();
  const plans = new Map<string, TablePlan & { parents: Set<string> }>();
  for (const table of pgTables()) {
    const config = getPgTableConfig(table);
    const sqliteTable = sqliteByName.get(config.name);
    if (!sqliteTable) throw new Error(`db/schema has no table ${config.name} (db/schema-pg has): the schemas drifted`);
    const sqliteColumns = new Map(getSqliteTableConfig(sqliteTable).columns.map((c) => [c.name, c as Column]));
    const parents = new Set<string>();
    const selfReferences: string[] = [];
    for (const fk of config.foreignKeys) {
      const reference = fk.reference();
      const parent = getPgTableConfig(reference.foreignTable).name;
      if (parent === config.name) selfReferences.push(...reference.columns.map((c) => c.name));
      else parents.add(parent);
    }
    const primaryKey = [...config.columns.filter((c) => c.primary).map((c) => c.name), ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name))];
    plans.set(config.name, {
      name: config.name,
      columns: config.columns.map((c) => {
        const sqliteColumn = sqliteColumns.get(c.name);
        if (!sqliteColumn) throw new Error(`db/schema's ${config.name} has no column ${c.name} (db/schema-pg has): the schemas drifted`);
        return { name: c.name, sqlite: sqliteColumn, pg: c as Column };
      }),
      selfReferences,
      primaryKey,
      identity: config.columns.filter((c) => c.generatedIdentity !== undefined).map((c) => c.name),
      parents,
    });
  }
  const ordered: TablePlan[] = [];
  const placed = new Set<string>();
  while (placed.size < plans.size) {
    const ready = [...plans.values()].filter((p) => !placed.has(p.name) && [...p.parents].every((parent) => placed.has(parent) || !plans.has(parent)));
    if (ready.length === 0) throw new Error('the foreign keys of db/schema-pg form a cycle across tables: no insert order');
    for (const plan of ready.sort((a, b) => a.name.localeCompare(b.name))) {
      placed.add(plan.name);
      const { parents: _parents, ...rest } = plan;
      ordered.push(rest);
    }
  }
  return ordered;
}

/** A SQLite value as the pg driver should receive it, through both schemas' column mappings. */
export function convert(value: unknown, sqliteColumn: Column, pgColumn: Column): unknown {
  if (value === null || value === undefined) return null;
  return pgColumn.mapToDriverValue(sqliteColumn.mapFromDriverValue(value));
}
