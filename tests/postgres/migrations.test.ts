/**
 * The PostgreSQL migration history (db/migrations/postgres/) on a real, throwaway PostgreSQL
 * (tests/helpers/postgres.ts): it applies cleanly and once, creates every table, column and index
 * of db/schema-pg/ (so a schema change without `npm run db:generate:postgres` fails here), keeps
 * the SQLite side's value semantics (epoch-ms timestamps read as Date, booleans, bytes), and the
 * audit log stays append-only as on SQLite.
 */
import path from 'node:path';
import { eq, is } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema-pg/index.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../db/migrations/postgres');

let cluster: PostgresCluster;
let pool: pg.Pool;
let db: NodePgDatabase<typeof schema>;

beforeAll(async () => {
  cluster = await startPostgres();
  pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
  // pool.end() resolves once each client is told to end, not once its socket closed: a backend the
  // cluster's shutdown then terminates (57P01) reaches the pool as an idle client's 'error', which
  // with no listener is an uncaught exception. That one is expected; anything else still fails.
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') throw error;
  });
  db = drizzle({ client: pool, schema });
  await migrate(db, { migrationsFolder: MIGRATIONS });
});

afterAll(async () => {
  await pool?.end();
  await cluster?.stop();
});

const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));

describe('PostgreSQL migrations', () => {
  it('create every table of db/schema-pg/ with its columns and indexes', async () => {
    expect(tables.length).toBeGreaterThan(25);
    const columns = await pool.query<{ table_name: string; column_name: string }>("select table_name, column_name from information_schema.columns where table_schema = 'public'");
    const indexes = await pool.query<{ indexname: string }>("select indexname from pg_indexes where schemaname = 'public'");
    const indexNames = new Set(indexes.rows.map((row) => row.indexname));
    for (const table of tables) {
      const config = getTableConfig(table);
      const inDb = columns.rows.filter((row) => row.table_name === config.name).map((row) => row.column_name);
      expect(inDb.sort(), `columns of ${config.name}`).toEqual(config.columns.map((c) => c.name).sort());
      for (const index of config.indexes) expect(indexNames.has(index.config.name ?? ''), `index ${index.config.name}`).toBe(true);
    }
  });

  it('apply once: a second run changes nothing', async () => {
    const before = await pool.query('select count(*)::int as n from drizzle.__drizzle_migrations');
    await migrate(db, { migrationsFolder: MIGRATIONS });
    const after = await pool.query('select count(*)::int as n from drizzle.__drizzle_migrations');
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect(after.rows[0].n).toBe(2);
  });

  it('read the values back as the SQLite schema does (Date, boolean, Buffer, defaults)', async () => {
    const lastActiveAt = new Date('2026-12-02T01:02:03.456Z');
    const [user] = await db.insert(schema.users).values({ publicId: 'p-1', email: 'a@example.com', displayName: 'A' }).returning();
    expect(user?.active).toBe(true);
    expect(user?.locale).toBe('ja');
    expect(user?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs((user?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    await db.insert(schema.sessions).values({ id: 's-1', secretHash: Buffer.from([0, 1, 255]), userId: user?.id ?? 0, lastActiveAt });
    const [session] = await db.select().from(schema.sessions).where(eq(schema.sessions.id, 's-1'));
    expect(session?.lastActiveAt).toEqual(lastActiveAt);
    expect(Buffer.compare(session?.secretHash ?? Buffer.alloc(0), Buffer.from([0, 1, 255]))).toBe(0);
    const raw = await pool.query<{ last_active_at: string }>("select last_active_at from sessions where id = 's-1'");
    expect(Number(raw.rows[0]?.last_active_at)).toBe(lastActiveAt.getTime());
  });

  it('enforce the checks as SQLite does (half hours saved: 1.5 stored, 1.3 refused; emails unique case-insensitively)', async () => {
    const [user] = await db.insert(schema.users).values({ publicId: 'p-2', email: 'b@example.com', displayName: 'B' }).returning();
    const checkin = (month: string, hoursSaved: number) => db.insert(schema.checkins).values({ userId: user?.id ?? 0, month, hoursSaved, updatedAt: new Date() });
    await checkin('2026-11', 1.5);
    await expect(checkin('2026-12', 1.3)).rejects.toMatchObject({ cause: { constraint: 'checkins_hours_check' } });
    await expect(db.insert(schema.users).values({ publicId: 'p-3', email: 'B@example.com', displayName: 'B2' })).rejects.toMatchObject({
      cause: { constraint: 'users_email_unique' },
    });
  });

  it('keep the audit log append-only: UPDATE, DELETE, upsert and TRUNCATE are refused', async () => {
    const [entry] = await db
      .insert(schema.auditLog)
      .values({ at: new Date(), action: 'test.append', details: { n: 1 } })
      .returning();
    const id = entry?.id ?? 0;
    await expect(pool.query('update audit_log set action = $1 where id = $2', ['tampered', id])).rejects.toThrow(/append-only/);
    await expect(pool.query('delete from audit_log where id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(pool.query("insert into audit_log (id, at, action) values ($1, 0, 'x') on conflict (id) do update set action = 'tampered'", [id])).rejects.toThrow(/append-only/);
    await expect(pool.query('truncate audit_log')).rejects.toThrow(/append-only/);
    const rows = await db.select().from(schema.auditLog).where(eq(schema.auditLog.id, id));
    expect(rows.map((row) => [row.action, row.details])).toEqual([['test.append', { n: 1 }]]);
  });
});
