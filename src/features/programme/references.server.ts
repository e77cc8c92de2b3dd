/** Checks of the ids a form sends for departments and waves. */
import { inArray } from 'drizzle-orm';
import { departments, waves } from '../../../db/schema/index.ts';
import type { Tx } from '../../platform/db.server.ts';
import { Refusal, type RefusalCode } from '../../platform/refusal.ts';

/**
 * Refuses ids of departments or waves that do not exist (a forged or stale form): the foreign
 * keys would refuse them too, but as an error thrown mid-write, which answered 500. Call inside
 * `db.write`, before the change: the `Refusal` rolls the write back.
 */
export async function requireExisting(tx: Tx, table: typeof departments | typeof waves, ids: readonly number[], message: string, code: RefusalCode = 'BAD_REQUEST'): Promise<void> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return;
  const found = (await tx.select({ id: table.id }).from(table).where(inArray(table.id, wanted))).length;
  if (found !== wanted.length) throw new Refusal(code, message);
}
