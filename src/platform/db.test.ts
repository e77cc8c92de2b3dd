import { asc, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settings } from '../../db/schema/index.ts';
import { tempDb, type TempDb } from '../../tests/helpers/db.ts';
import { NestedWriteError, rawSqlite, type Db } from './db.server.ts';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection after `ms`: a lock never released fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const keys = (db: Db): Promise<string[]> => db.read(async (q) => (await q.select({ key: settings.key }).from(settings).orderBy(asc(sql`rowid`))).map((r) => r.key));

describe('the data boundary (Db)', () => {
  let t: TempDb;
  beforeEach(() => {
    t = tempDb();
  });
  afterEach(() => t.cleanup());

  it('a write is one transaction: a throw rolls every statement back and rejects', async () => {
    const now = new Date();
    const failed = t.db.write((tx) => {
      tx.insert(settings).values({ key: 'a', value: 1, updatedAt: now }).run();
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    expect(await t.db.read((q) => q.select().from(settings).where(eq(settings.key, 'a')).all())).toEqual([]);
    expect(rawSqlite(t.db).inTransaction).toBe(false);
  });

  it('a write commits and a read sees it; a failing read rejects instead of throwing', async () => {
    const now = new Date();
    const written = await t.db.write((tx) => tx.insert(settings).values({ key: 'b', value: 2, updatedAt: now }).run().changes);
    expect(written).toBe(1);
    const row = await t.db.read((q) => q.select().from(settings).where(eq(settings.key, 'b')).get());
    expect(row?.value).toBe(2);
    const read = t.db.read(() => {
      throw new Error('bad read');
    });
    await expect(read).rejects.toThrow('bad read');
  });

  it('prepared builds a statement once per key and connection', () => {
    let built = 0;
    const build = (): object => {
      built += 1;
      return {};
    };
    const first = t.db.prepared('k', build);
    expect(t.db.prepared('k', build)).toBe(first);
    expect(built).toBe(1);
  });
});

describe('asynchronous callbacks on SQLite (one connection, one FIFO lock)', () => {
  let t: TempDb;
  beforeEach(() => {
    t = tempDb();
  });
  afterEach(() => t.cleanup());
  const put = (key: string, value: unknown = 1) => ({ key, value, updatedAt: new Date() });

  it('two interleaved async writes never interleave their statements', async () => {
    const a = t.db.write(async (tx) => {
      await tx.insert(settings).values(put('a1'));
      await pause(30);
      await tx.insert(settings).values(put('a2'));
      return 'a';
    });
    const b = t.db.write(async (tx) => {
      await tx.insert(settings).values(put('b1'));
      await pause(1);
      await tx.insert(settings).values(put('b2'));
      return 'b';
    });
    // A synchronous write queued behind them waits its turn too.
    const c = t.db.write((tx) => tx.insert(settings).values(put('c1')).run().changes);
    expect(await within(Promise.all([a, b, c]))).toEqual(['a', 'b', 1]);
    expect(await keys(t.db)).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
  });

  it('a read during an open async write waits and then sees the committed state', async () => {
    await t.db.write((tx) => tx.insert(settings).values(put('x', 1)).run());
    const order: string[] = [];
    const write = t.db.write(async (tx) => {
      await tx.update(settings).set({ value: 2 }).where(eq(settings.key, 'x'));
      await pause(30);
      await tx.update(settings).set({ value: 3 }).where(eq(settings.key, 'x'));
      order.push('write');
    });
    await pause(5);
    const syncRead = t.db.read((q) => q.select().from(settings).where(eq(settings.key, 'x')).get()?.value);
    const asyncRead = t.db.read(async (q) => (await q.select().from(settings).where(eq(settings.key, 'x')))[0]?.value);
    void syncRead.then(() => order.push('read'));
    const [, seenSync, seenAsync] = await within(Promise.all([write, syncRead, asyncRead]));
    expect([seenSync, seenAsync]).toEqual([3, 3]);
    expect(order).toEqual(['write', 'read']);
  });

  it('a throw or a rejection rolls back everything and passes the error through', async () => {
    const thrown = t.db.write(async (tx) => {
      await tx.insert(settings).values(put('r1'));
      await pause(5);
      await tx.insert(settings).values(put('r2'));
      throw new Error('late boom');
    });
    await expect(within(thrown)).rejects.toThrow('late boom');
    const rejected = t.db.write((tx) => {
      tx.insert(settings).values(put('r3')).run();
      return Promise.reject(new Error('rejected'));
    });
    await expect(within(rejected)).rejects.toThrow('rejected');
    expect(await keys(t.db)).toEqual([]);
    expect(rawSqlite(t.db).inTransaction).toBe(false);
  });

  it('the lock is released after errors: the next write and read run at once', async () => {
    await expect(within(t.db.write(async () => Promise.reject(new Error('one'))))).rejects.toThrow('one');
    await expect(within(t.db.read(async () => Promise.reject(new Error('two'))))).rejects.toThrow('two');
    await expect(
      within(
        t.db.write((tx) => {
          tx.insert(settings).values(put('dup')).run();
          tx.insert(settings).values(put('dup')).run();
        }),
      ),
    ).rejects.toThrow(/UNIQUE/);
    const started = performance.now();
    await within(
      t.db.write(async (tx) => tx.insert(settings).values(put('after'))),
      500,
    );
    expect(await within(keys(t.db), 500)).toEqual(['after']);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('a nested db.write inside a write callback is refused clearly (no deadlock); a read inside sees the open write', async () => {
    const outer = t.db.write(async (tx) => {
      await tx.insert(settings).values(put('outer'));
      const seen = await t.db.read(async (q) => (await q.select().from(settings)).map((r) => r.key));
      expect(seen).toEqual(['outer']);
      await t.db.write((inner) => inner.insert(settings).values(put('inner')).run());
    });
    await expect(within(outer)).rejects.toBeInstanceOf(NestedWriteError);
    const syncOuter = t.db.write(() => t.db.write(() => 1));
    await expect(within(syncOuter)).rejects.toThrow(/inside a db.write callback/);
    expect(await keys(t.db)).toEqual([]);
  });

  it("a savepoint inside a write (tx.transaction) still works, as the outbox's does", async () => {
    await within(
      t.db.write(async (tx) => {
        await tx.insert(settings).values(put('kept'));
        expect(() =>
          tx.transaction((sp) => {
            sp.insert(settings).values(put('undone')).run();
            throw new Error('savepoint');
          }),
        ).toThrow('savepoint');
      }),
    );
    expect(await keys(t.db)).toEqual(['kept']);
  });
});
