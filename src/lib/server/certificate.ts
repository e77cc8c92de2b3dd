/** Tier certificates: the holder's list and the public verification lookup. */
import { asc, eq } from 'drizzle-orm';
import { certificates, type Certificate } from '../../../db/schema.ts';
import type { DbExecutor } from './db.ts';

export function listCertificates(db: DbExecutor, userId: number): Certificate[] {
  return db.select().from(certificates).where(eq(certificates.userId, userId)).orderBy(asc(certificates.issuedAt)).all();
}

/** Codes are 24 characters of a 32-letter alphabet; anything else cannot match and is not looked up. */
export function findCertificate(db: DbExecutor, code: string): Certificate | null {
  if (!/^[a-z2-9]{24}$/.test(code)) return null;
  return db.select().from(certificates).where(eq(certificates.code, code)).get() ?? null;
}
