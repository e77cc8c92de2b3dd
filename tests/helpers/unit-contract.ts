/**
 * What `db.unit` promises (src/platform/db.server.ts), checked on each driver with its own real
 * database: SQLite in src/platform/db-unit.test.ts, PostgreSQL in tests/postgres/open.test.ts.
 */
import { asc, eq, like, sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { settings } from '../../db/schema/index.ts';
import { NestedWriteError, type Db } from '../../src/platform/db.server.ts';
import { exec } from '../../src/platform/query.ts';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection after `ms`: a lock never released fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Registers the contract's tests; `db()` is the open handle of the test file, `prefix` keeps its keys apart. */
export function unitContract(db: () => Db, prefix: string): void {
  const put = (key: string, value: unknown = 1) => ({ key: `${prefix}${key}`, value, updatedAt: new Date() });
  const keys = async (): Promise<string[]> =>
    (
      await db().read(async (q) =>
        q
          .select({ key: settings.key })
          .from(settings)
          .where(like(settings.key, `${prefix}%`))
          .orderBy(asc(settings.key)),
      )
    ).map((r) => r.key.slice(prefix.length));
  // PostgreSQL's file keeps one database for all its tests: each starts without the last one's rows.
  beforeEach(async () => {
    await db().write(async (tx) => tx.delete(settings).where(like(settings.key, `${prefix}%`)));
  });

  it('a unit commits its writes together; a read outside waits for it and never sees them half done', async () => {
    const order: string[] = [];
    const unit = db().unit(async () => {
      await db().write(async (tx) => tx.insert(settings).values(put('u1')));
      await pause(30);
      await db().write(async (tx) => tx.insert(settings).values(put('u2')));
      order.push('unit');
      return 'done';
    });
    await pause(5);
    const outside = keys().then((seen) => {
      order.push('read');
      return seen;
    });
    const [answer, seen] = await within(Promise.all([unit, outside]));
    expect(answer).toBe('done');
    // Both or neither: SQLite's read waits for the unit's lock, PostgreSQL's (READ COMMITTED) sees no uncommitted row.
    expect([0, 2]).toContain(seen.filter((k) => k === 'u1' || k === 'u2').length);
    expect(await keys()).toEqual(['u1', 'u2']);
  });

  it('a write that fails inside a unit undoes only its own rows, and its error passes through', async () => {
    const unit = db().unit(async () => {
      await db().write(async (tx) => tx.insert(settings).values(put('kept')));
      const failed = db().write(async (tx) => {
        await tx.insert(settings).values(put('undone'));
        throw new Error('inner boom');
      });
      await expect(failed).rejects.toThrow('inner boom');
      // A read in the unit sees its own rows.
      return db().read(
        async (q) =>
          (
            await q
              .select()
              .from(settings)
              .where(eq(settings.key, `${prefix}kept`))
          ).length,
      );
    });
    expect(await within(unit)).toBe(1);
    expect(await keys()).toEqual(['kept']);
  });

  it("a unit's rejection rolls every write inside it back; the next write runs at once", async () => {
    const unit = db().unit(async () => {
      await db().write(async (tx) => tx.insert(settings).values(put('r1')));
      await db().write(async (tx) => tx.insert(settings).values(put('r2')));
      throw new Error('unit boom');
    });
    await expect(within(unit)).rejects.toThrow('unit boom');
    expect(await keys()).toEqual([]);
    await within(
      db().write(async (tx) => tx.insert(settings).values(put('after'))),
      2000,
    );
    expect(await keys()).toEqual(['after']);
  });

  it('a write inside a write inside a unit is refused, as anywhere; a unit inside a write or a unit too', async () => {
    const unit = db().unit(async () => db().write(async () => db().write(async () => 1)));
    await expect(within(unit)).rejects.toBeInstanceOf(NestedWriteError);
    await expect(within(db().write(async () => db().unit(async () => 1)))).rejects.toBeInstanceOf(NestedWriteError);
    await expect(within(db().unit(async () => db().unit(async () => 1)))).rejects.toBeInstanceOf(NestedWriteError);
  });

  it('a COMMIT that fails (a deferred constraint) rejects the unit and keeps nothing of it', async () => {
    const parent = sql.raw(`${prefix.replace(/\W/g, '_')}parent`);
    const child = sql.raw(`${prefix.replace(/\W/g, '_')}child`);
    await db().write(async (tx) => {
      await exec(tx, sql`create table if not exists ${parent} (id integer primary key)`);
      await exec(tx, sql`create table if not exists ${child} (parent_id integer references ${parent}(id) deferrable initially deferred)`);
    });
    const unit = db().unit(async () => {
      await db().write(async (tx) => tx.insert(settings).values(put('before-commit')));
      // Accepted now, refused at COMMIT: the unit's one commit is where it fails.
      await db().write(async (tx) => exec(tx, sql`insert into ${child} (parent_id) values (42)`));
      return 'acknowledged?';
    });
    // Drizzle on PostgreSQL wraps the driver's error ("Failed query: commit"), its cause names the key.
    const failure = await within(unit).then(
      () => null,
      (error: unknown) => error as Error & { cause?: Error },
    );
    expect(`${failure?.message} ${failure?.cause?.message ?? ''}`).toMatch(/foreign key/i);
    expect(await keys()).toEqual([]);
    const children = await db().read(async (q) => {
      const counted = (await q.select({ n: sql<number>`count(*)` }).from(sql`${child}`)) as { n: number | string }[];
      return Number(counted[0]?.n);
    });
    expect(children).toBe(0);
  });
}
