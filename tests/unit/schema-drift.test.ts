/**
 * The SQLite schema (db/schema/) and its PostgreSQL mirror (db/schema-pg/) must not drift apart
 * (issue 18): the same tables, columns, types (mapped), nullability, defaults, identity, primary
 * keys, unique constraints, indexes, foreign keys and checks. Read from Drizzle's table config on
 * both sides; no database needed. Change both schema folders together, then run both
 * `npm run db:generate` and `npm run db:generate:postgres`.
 */
import { type Column, is, SQL } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, integer, PgDialect, PgTable, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteSyncDialect, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as sqliteSchema from '../../db/schema/index.ts';
import * as pgSchema from '../../db/schema-pg/index.ts';
import { createdAt } from '../../db/schema-pg/columns.ts';

type Shape = {
  name: string;
  columns: Record<string, { type: string; notNull: boolean; default: unknown; identity: boolean; enumValues: string[] | null }>;
  primaryKey: string[];
  uniques: string[];
  indexes: string[];
  foreignKeys: string[];
  checks: string[];
};

const sqliteDialect = new SQLiteSyncDialect();
const pgDialect = new PgDialect();

/** The one column type on each side that stands for the same stored values. */
const SQLITE_TYPES: Record<string, string> = {
  SQLiteInteger: 'integer',
  SQLiteBoolean: 'boolean',
  SQLiteText: 'text',
  SQLiteTextJson: 'json',
  SQLiteReal: 'float',
  SQLiteBlobBuffer: 'bytes',
};
const PG_TYPES: Record<string, string> = {
  PgInteger: 'integer',
  // 53-bit integers (the random anonymous-feedback ids reach 2^47; SQLite integers are 64-bit).
  PgBigInt53: 'integer',
  PgBoolean: 'boolean',
  PgText: 'text',
  // rate-limiter-flexible's sign_in_limits.key (varchar(255) in its own DDL); SQLite has no length.
  PgVarchar: 'text',
  PgJson: 'json',
  PgDoublePrecision: 'float',
};
/** SQL defaults that mean the same on both sides. */
const SAME_DEFAULTS: Record<string, string> = {
  "(unixepoch('subsec') * 1000)": 'now in ms',
  '(floor(extract(epoch from now()) * 1000))::bigint': 'now in ms',
};

function typeOf(column: Column, dialect: 'sqlite' | 'pg'): string {
  const raw = column as unknown as { columnType: string; mode?: string; getSQLType(): string };
  if (dialect === 'sqlite') {
    if (raw.columnType === 'SQLiteTimestamp') return raw.mode === 'timestamp_ms' ? 'epoch ms' : `epoch ${raw.mode}`;
    const type = SQLITE_TYPES[raw.columnType];
    if (type === undefined) throw new Error(`unmapped SQLite column type ${raw.columnType} (${column.name}): add it to SQLITE_TYPES`);
    return type;
  }
  if (raw.columnType === 'PgCustomColumn') {
    const sqlType = raw.getSQLType();
    if (sqlType === 'bigint') return 'epoch ms';
    if (sqlType === 'bytea') return 'bytes';
    throw new Error(`unmapped custom PostgreSQL type ${sqlType} (${column.name})`);
  }
  const type = PG_TYPES[raw.columnType];
  if (type === undefined) throw new Error(`unmapped PostgreSQL column type ${raw.columnType} (${column.name}): add it to PG_TYPES`);
  return type;
}

function render(value: SQL, dialect: 'sqlite' | 'pg'): string {
  return (dialect === 'sqlite' ? sqliteDialect : pgDialect).sqlToQuery(value).sql;
}

function defaultOf(column: Column, dialect: 'sqlite' | 'pg'): unknown {
  if (column.default === undefined) return column.defaultFn === undefined ? null : 'app-side function';
  if (!is(column.default, SQL)) return column.default;
  const text = render(column.default, dialect);
  const meaning = SAME_DEFAULTS[text];
  if (meaning === undefined) throw new Error(`SQL default ${text} (${column.name}) has no known equivalent: add it to SAME_DEFAULTS`);
  return meaning;
}

function columnShape(column: Column, dialect: 'sqlite' | 'pg'): Shape['columns'][string] {
  const identity = dialect === 'sqlite' ? (column as unknown as { autoIncrement?: boolean }).autoIncrement === true : column.generatedIdentity !== undefined;
  return {
    type: typeOf(column, dialect),
    notNull: column.notNull,
    default: defaultOf(column, dialect),
    identity,
    enumValues: column.enumValues ?? null,
  };
}

type AnyConfig = ReturnType<typeof sqliteTableConfig> | ReturnType<typeof pgTableConfig>;

function shapeOf(config: AnyConfig, dialect: 'sqlite' | 'pg'): Shape {
  const columns = config.columns as Column[];
  const indexColumn = (c: unknown): string => (is(c, SQL) ? render(c, dialect) : (c as { name: string }).name);
  const composite = config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name));
  return {
    name: config.name,
    columns: Object.fromEntries(columns.map((c) => [c.name, columnShape(c, dialect)])),
    primaryKey: [...columns.filter((c) => c.primary).map((c) => c.name), ...composite],
    uniques: [
      ...columns.filter((c) => c.isUnique).map((c) => `${c.uniqueName} (${c.name})`),
      ...config.uniqueConstraints.map((u) => `${u.getName()} (${u.columns.map((c) => c.name).join(', ')})`),
    ].sort(),
    indexes: config.indexes
      .map(({ config: i }) => {
        const where = i.where === undefined ? '' : ` where ${render(i.where, dialect)}`;
        return `${i.name}: ${i.unique ? 'unique ' : ''}(${i.columns.map(indexColumn).join(', ')})${where}`;
      })
      .sort(),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        const target = dialect === 'sqlite' ? sqliteTableConfig(ref.foreignTable as SQLiteTable).name : pgTableConfig(ref.foreignTable as PgTable).name;
        return `(${ref.columns.map((c) => c.name).join(', ')}) → ${target}(${ref.foreignColumns.map((c) => c.name).join(', ')}) on delete ${fk.onDelete ?? 'no action'} on update ${fk.onUpdate ?? 'no action'}`;
      })
      .sort(),
    checks: config.checks.map((c) => `${c.name}: ${render(c.value, dialect)}`).sort(),
  };
}

function tables<T>(schema: Record<string, unknown>, kind: abstract new (...args: never[]) => T): Map<string, T> {
  const found = Object.values(schema).filter((value): value is T => is(value, kind as never));
  return new Map(found.map((table) => [is(table, SQLiteTable) ? sqliteTableConfig(table).name : pgTableConfig(table as PgTable).name, table]));
}

const sqliteTables = tables(sqliteSchema, SQLiteTable);
const pgTables = tables(pgSchema, PgTable);

function sqliteShape(name: string): Shape {
  const table = sqliteTables.get(name);
  if (table === undefined) throw new Error(`no SQLite table ${name}`);
  return shapeOf(sqliteTableConfig(table), 'sqlite');
}

function pgShape(table: PgTable): Shape {
  return shapeOf(pgTableConfig(table), 'pg');
}

describe('the PostgreSQL schema mirrors the SQLite schema', () => {
  it('has the same tables', () => {
    expect(sqliteTables.size).toBeGreaterThan(25);
    expect([...pgTables.keys()].sort()).toEqual([...sqliteTables.keys()].sort());
  });

  for (const name of [...sqliteTables.keys()].sort()) {
    it(`${name}: same columns, types, defaults, keys, indexes, foreign keys and checks`, () => {
      const pg = pgTables.get(name);
      expect(pg, `db/schema-pg/ has no table ${name}`).toBeDefined();
      if (pg === undefined) return;
      expect(pgShape(pg)).toEqual(sqliteShape(name));
    });
  }

  it('notices a missing index, a missing column and a changed type (the comparison can fail)', () => {
    const departments = sqliteShape('departments');
    const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();
    const withoutIndex = pgTable('departments', { id: id(), name: text('name').notNull(), createdAt: createdAt() });
    const withoutColumn = pgTable('departments', { id: id(), name: text('name').notNull() }, (t) => [uniqueIndex('departments_name_unique').on(t.name)]);
    const textId = pgTable('departments', { id: text('id').primaryKey(), name: text('name').notNull(), createdAt: createdAt() }, (t) => [
      uniqueIndex('departments_name_unique').on(t.name),
    ]);
    expect(pgShape(withoutIndex).indexes).not.toEqual(departments.indexes);
    expect(Object.keys(pgShape(withoutColumn).columns)).not.toEqual(Object.keys(departments.columns));
    expect(pgShape(textId).columns.id).not.toEqual(departments.columns.id);
  });
});
