/**
 * Opening PostgreSQL through the `Db` (src/platform/postgres.server.ts) on a real, throwaway cluster
 * (tests/helpers/postgres.ts): two instances starting at once on a fresh database both start and
 * the migrations run once (advisory lock); a write is one transaction; the statement timeout holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../../db/schema/index.ts';
import type { PostgresSettings } from '../../src/platform/config-types.ts';
import { NestedWriteError, type Db } from '../../src/platform/db.server.ts';
import { databaseHealthy } from '../../src/platform/health.server.ts';
import { openPostgres, poolOf, postgresReady } from '../../src/platform/postgres.server.ts';
import { first, rows } from '../../src/platform/query.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import { unitContract } from '../helpers/unit-contract.ts';

const JOURNAL = path.resolve(import.meta.dirname, '../../db/migrations/postgres/meta/_journal.json');

let cluster: PostgresCluster;
const opened: Db[] = [];
const open = (overrides: Partial<PostgresSettings> = {}): Db => {
  const db = openPostgres({ url: cluster.url, poolSize: 4, connectTimeoutMs: 5000, idleTimeoutMs: 1000, statementTimeoutMs: 5000, ...overrides });
  opened.push(db);
  return db;
};

beforeAll(async () => {
  cluster = await startPostgres();
});

afterAll(async () => {
  for (const db of opened) await db.close().catch(() => undefined);
  await cluster?.stop();
});

describe('PostgreSQL through the Db', () => {
  it('two instances opening one fresh database at once both start, and the migrations run once', async () => {
    const a = open();
    const b = open();
    await Promise.all([postgresReady(a), postgresReady(b)]);
    const journal = JSON.parse(fs.readFileSync(JOURNAL, 'utf8')) as { entries: unknown[] };
    const applied = await a.read((q) => rows<{ n: number }>(q, sql`select count(*)::int as n from drizzle.__drizzle_migrations`));
    expect(applied[0]?.n).toBe(journal.entries.length);
    expect(await b.read(async (q) => first(await rows<{ one: number }>(q, sql`select 1 as one`)))).toEqual({ one: 1 });
    expect(a.dialect).toBe('postgres');
  });

  it('a write is one transaction: a rejection rolls back everything and passes through; a read inside sees it', async () => {
    const db = open();
    const failed = db.write(async (tx) => {
      await tx.insert(settings).values({ key: 'pg.a', value: 1, updatedAt: new Date() });
      const seen = await db.read(async (q) => (await q.select().from(settings)).map((r) => r.key));
      expect(seen).toContain('pg.a');
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    expect(await db.read(async (q) => (await q.select().from(settings)).map((r) => r.key))).not.toContain('pg.a');
    await expect(db.write(async () => db.write(async () => 1))).rejects.toBeInstanceOf(NestedWriteError);
    expect(await db.write(async (tx) => (await tx.insert(settings).values({ key: 'pg.b', value: 2, updatedAt: new Date() }).returning())[0]?.value)).toBe(2);
  });

  it('the statement timeout cancels a slow statement, and the pool answers after it', async () => {
    const db = open({ statementTimeoutMs: 300 });
    const started = performance.now();
    await expect(db.read((q) => rows(q, sql`select pg_sleep(5)`))).rejects.toMatchObject({ cause: { code: '57014' } });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await db.read((q) => rows(q, sql`select 2 as two`))).toEqual([{ two: 2 }]);
    expect(poolOf(db)?.options.max).toBe(4);
  });

  it('/healthz checks the pool: healthy on a live database, a throw (503) when no connection can be had', async () => {
    const db = open();
    expect(await databaseHealthy(db, 1_000_000)).toBe(true);
    const keys = await db.read(async (q) => (await q.select().from(settings)).map((r) => r.key));
    expect(keys).not.toContain('healthz.write_probe');
    const unreachable = open({ url: cluster.url.replace(`:${cluster.port}/`, ':1/'), connectTimeoutMs: 500 });
    await expect(databaseHealthy(unreachable, 2_000_000)).rejects.toThrow();
  });
});

describe('db.unit on PostgreSQL: one transaction around several writes of a request', () => {
  let db: Db | null = null;
  const handle = (): Db => {
    db ??= open();
    return db;
  };
  beforeAll(async () => {
    await postgresReady(handle());
  });
  unitContract(handle, 'pgunit.');
});
