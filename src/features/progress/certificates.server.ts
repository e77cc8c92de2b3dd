/** Tier certificates: the holder's list, the public verification lookup, and their validity. */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { certificates, type Certificate } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import type { Db } from '../../platform/db.server.ts';
import { addMonthsAt } from '../../platform/dates.ts';
import { logger } from '../../platform/log.server.ts';
import { rebuildCertificateRollupsIn, syncCertificateEvents } from '../kpi/certificate-rollups.server.ts';
import { first } from '../../platform/query.ts';

export type { Certificate };

/** Every certificate of the holder, every cycle, oldest first. */
export async function listCertificates(db: Db, userId: number): Promise<Certificate[]> {
  // Prepared once per connection: a lesson that completed its tier, the home and tier pages ask.
  const statement = db.prepared('certificates.own', (q) =>
    q
      .select()
      .from(certificates)
      .where(eq(certificates.userId, sql.placeholder('userId')))
      .orderBy(asc(certificates.issuedAt), asc(certificates.id))
      .prepare(),
  );
  return db.read(async () => await statement.execute({ userId }));
}

/** The newest certificate of each tier the holder has (the one that counts now). */
export function newestPerTier(list: readonly Certificate[]): Certificate[] {
  const newest = new Map<string, Certificate>();
  for (const c of list) {
    const seen = newest.get(c.tierId);
    if (!seen || c.cycle > seen.cycle) newest.set(c.tierId, c);
  }
  return [...newest.values()];
}

/** Codes are 24 characters of a 32-letter alphabet; anything else cannot match and is not looked up. */
export async function findCertificate(db: Db, code: string): Promise<Certificate | null> {
  if (!/^[a-z2-9]{24}$/.test(code)) return null;
  return db.read(async (q) => first(await q.select().from(certificates).where(eq(certificates.code, code))) ?? null);
}

/**
 * Certificates issued before their tier had a validity (those migrated from before renewal
 * cycles, or issued while the tier's content said nothing) get one from the tier's
 * `validForMonths`, counted from their issue: once, at start, idempotent. A tier without the
 * setting leaves its certificates valid for good.
 */
export async function settleCertificateValidity(db: Db, catalog: Catalog, timeZone: string): Promise<number> {
  const renewing = catalog.tiers.filter((t) => t.renewal !== null);
  if (renewing.length === 0) return 0;
  const settled = await db.write(async (tx) => {
    let count = 0;
    const holders = new Set<number>();
    for (const tier of renewing) {
      const rows = await tx
        .select({ id: certificates.id, userId: certificates.userId, issuedAt: certificates.issuedAt })
        .from(certificates)
        .where(and(eq(certificates.tierId, tier.id), isNull(certificates.validUntil)));
      for (const row of rows) {
        await tx
          .update(certificates)
          .set({ validUntil: addMonthsAt(row.issuedAt, tier.renewal!.validForMonths, timeZone) })
          .where(and(eq(certificates.id, row.id), isNull(certificates.validUntil)));
        holders.add(row.userId);
        count++;
      }
    }
    // The dashboard's certificate standing: per holder, or (many at once) one rebuild pass.
    if (holders.size > 1000) await rebuildCertificateRollupsIn(tx, timeZone);
    else for (const userId of holders) await syncCertificateEvents(tx, userId, timeZone);
    return count;
  });
  if (settled > 0) logger.info({ settled, tiers: renewing.map((t) => t.id) }, 'certificates without a validity given one from their tier');
  return settled;
}

let settling: Promise<void> | null = null;

/** `settleCertificateValidity` once per process before the first request; a failure is logged and tried again a minute later. */
export function settleCertificateValidityOnce(open: () => Db, catalog: () => Promise<Catalog>, timeZone: string): Promise<void> {
  settling ??= (async () => {
    await settleCertificateValidity(open(), await catalog(), timeZone);
  })().catch((error: unknown) => {
    setTimeout(() => (settling = null), 60_000).unref();
    logger.error({ err: error }, 'certificate validity could not be settled');
  });
  return settling;
}
