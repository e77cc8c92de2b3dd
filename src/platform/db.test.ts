import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settings } from '../../db/schema/index.ts';
import { tempDb, type TempDb } from '../../tests/helpers/db.ts';
import { rawSqlite } from './db.server.ts';

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
