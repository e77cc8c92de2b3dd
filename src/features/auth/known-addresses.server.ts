/**
 * The account and address pairs where the right password was given (issue 11 item 6, issue 18):
 * an address in this list skips the per-account bucket for addresses the account never signed in
 * from (src/features/auth/rate-limit.server.ts), so an attacker elsewhere who empties that bucket
 * cannot keep the owner out at their usual desk.
 *
 * Why a table and not the process's memory: behind a load balancer the owner's next attempt may
 * reach another instance, which must know the address too (and a restart must not forget it, or
 * the owner would be throttled by the attacker right after a deploy). Only SHA-256 of
 * `account\naddress` is stored, never the address or the email; that is pseudonymous, not
 * anonymous (someone holding the table and an email can test candidate addresses), which is why
 * rows live 30 days from the last correct password and expired rows are deleted (housekeeping,
 * `pruneKnownAddresses`, in bounded batches). Written only after a correct password.
 */
import { createHash } from 'node:crypto';
import { and, eq, gt, inArray, lt } from 'drizzle-orm';
import { signInKnownAddresses } from '../../../db/schema/index.ts';
import type { Db } from '../../platform/db.server.ts';
import { changes, first } from '../../platform/query.ts';

/** How long an address stays known after the last correct password from it. */
export const KNOWN_ADDRESS_TTL_MS = 30 * 24 * 3_600_000;

/** SHA-256 (base64url) of the text: the stored form of an account, an address or a pair. */
export function throttleKey(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Whether `keyHash` (throttleKey of `account\naddress`) gave the right password in the last 30 days. */
export async function isKnownAddress(db: Db, keyHash: string, now: Date): Promise<boolean> {
  const t = signInKnownAddresses;
  return db.read(
    async (q) =>
      first(
        await q
          .select({ keyHash: t.keyHash })
          .from(t)
          .where(and(eq(t.keyHash, keyHash), gt(t.expiresAt, now)))
          .limit(1),
      ) !== null,
  );
}

/** Records (or refreshes for another 30 days) a pair that gave the right password. */
export async function recordKnownAddress(db: Db, keyHash: string, now: Date): Promise<void> {
  const t = signInKnownAddresses;
  const expiresAt = new Date(now.getTime() + KNOWN_ADDRESS_TTL_MS);
  await db.write(async (tx) => {
    await tx.insert(t).values({ keyHash, expiresAt }).onConflictDoUpdate({ target: t.keyHash, set: { expiresAt } });
  });
}

/** Deletes up to `limit` expired pairs; answers how many went. */
export async function pruneKnownAddresses(db: Db, now: Date, limit: number): Promise<number> {
  const t = signInKnownAddresses;
  return db.write(async (tx) => changes(await tx.delete(t).where(inArray(t.keyHash, tx.select({ keyHash: t.keyHash }).from(t).where(lt(t.expiresAt, now)).limit(limit)))));
}
