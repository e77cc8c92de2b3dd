/**
 * The table bindings of db/schema/index.ts (issue 18): feature code imports its tables there and
 * gets the selected dialect's. Every SQLite table must have a binding (a table without one would
 * stay SQLite's on PostgreSQL) and a PostgreSQL table of the same name to point it at.
 */
import { is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as bound from '../../db/schema/index.ts';
import * as pg from '../../db/schema-pg/index.ts';
import * as sqlite from '../../db/schema/sqlite.ts';

describe('db/schema/index.ts', () => {
  const sqliteTables = Object.entries(sqlite).filter(([, value]) => is(value, SQLiteTable));

  it('binds every SQLite table, to SQLite’s by default', () => {
    expect(sqliteTables.length).toBeGreaterThan(25);
    for (const [name, table] of sqliteTables) expect((bound as Record<string, unknown>)[name], name).toBe(table);
  });

  it('has a PostgreSQL table for every binding', () => {
    for (const [name] of sqliteTables) expect(is((pg as Record<string, unknown>)[name], PgTable), name).toBe(true);
  });
});
