/**
 * Pruning what the notifications keep past its time, in short batched writes (the periods and why: retention.ts).
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { notificationOutbox, notificationTokens } from '../../../db/schema/index.ts';
import { now as clockNow } from '../../platform/clock.ts';
import type { Db } from '../../platform/db.server.ts';
import { BODY_RETENTION_DAYS, PRUNED_PAYLOAD, TOKEN_RETENTION_DAYS } from './retention.ts';
import { changes } from '../../platform/query.ts';

const DAY_MS = 86_400_000;
const BATCH = 500;

export interface PruneReport {
  bodies: number;
  tokens: number;
}

/** Drops old sent bodies and old unsubscribe tokens, BATCH rows per short write (a huge backlog never holds the database for long). */
export async function pruneNotifications(db: Db, at = clockNow(), batch = BATCH): Promise<PruneReport> {
  const o = notificationOutbox;
  const bodiesBefore = new Date(at.getTime() - BODY_RETENTION_DAYS * DAY_MS);
  const tokensBefore = new Date(at.getTime() - TOKEN_RETENTION_DAYS * DAY_MS);
  const report: PruneReport = { bodies: 0, tokens: 0 };
  for (let round = 0; round < 10_000; round++) {
    const changed = await db.write(async (tx) => {
      // json compared as its text: PostgreSQL's json type has no equality (the stored text is JSON.stringify's on both).
      const ids = (
        await tx
          .select({ id: o.id })
          .from(o)
          .where(and(eq(o.state, 'sent'), lt(o.sentAt, bodiesBefore), sql`cast(${o.payload} as text) <> ${JSON.stringify(PRUNED_PAYLOAD)}`))
          .limit(batch)
      ).map((r) => r.id);
      if (ids.length === 0) return 0;
      return changes(await tx.update(o).set({ payload: PRUNED_PAYLOAD }).where(inArray(o.id, ids)));
    });
    report.bodies += changed;
    if (changed < batch) break;
  }
  const n = notificationTokens;
  for (let round = 0; round < 10_000; round++) {
    const deleted = await db.write(async (tx) =>
      changes(
        await tx
          .delete(n)
          .where(sql`${n.tokenHash} in (select ${n.tokenHash} from ${n} where ${n.purpose} = 'unsubscribe' and ${n.createdAt} < ${tokensBefore.getTime()} limit ${batch})`),
      ),
    );
    report.tokens += deleted;
    if (deleted < batch) break;
  }
  return report;
}
