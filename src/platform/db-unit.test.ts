import { like, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settings } from '../../db/schema/index.ts';
import { tempDb, type TempDb } from '../../tests/helpers/db.ts';
import { unitContract } from '../../tests/helpers/unit-contract.ts';
import { exec } from './query.ts';

describe('db.unit on SQLite: one transaction around several writes of a request', () => {
  let t: TempDb;
  beforeEach(() => {
    t = tempDb();
  });
  afterEach(() => t.cleanup());
  unitContract(() => t.db, 'unit.');

  it('rejects with the error, and keeps nothing, when SQLite ended the transaction inside one of its writes (as on a full disk)', async () => {
    const put = (key: string) => ({ key: `ended.${key}`, value: 1, updatedAt: new Date() });
    const unit = t.db.unit(async () => {
      await t.db.write(async (tx) => tx.insert(settings).values(put('a')));
      const ended = t.db.write(async (tx) => {
        await tx.insert(settings).values(put('b'));
        // What SQLite does by itself on some faults: the whole transaction is gone.
        await exec(tx, sql.raw('rollback'));
        throw new Error('database or disk is full');
      });
      await expect(ended).rejects.toThrow('disk is full');
      // Going on would begin a new transaction outside the unit: refused.
      await expect(t.db.write(async (tx) => tx.insert(settings).values(put('c')))).rejects.toThrow('disk is full');
      return 'looks fine';
    });
    await expect(unit).rejects.toThrow('disk is full');
    const kept = await t.db.read(async (q) => q.select().from(settings).where(like(settings.key, 'ended.%')));
    expect(kept).toEqual([]);
    await t.db.write(async (tx) => tx.insert(settings).values(put('after')));
    expect((await t.db.read(async (q) => q.select().from(settings).where(like(settings.key, 'ended.%')))).map((r) => r.key)).toEqual(['ended.after']);
  });
});
