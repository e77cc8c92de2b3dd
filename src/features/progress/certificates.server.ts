/** Tier certificates: the holder's list and the public verification lookup. */
import { asc, eq } from 'drizzle-orm';
import { certificates, type Certificate } from '../../../db/schema/index.ts';
import type { Db } from '../../platform/db.server.ts';

export type { Certificate };

export async function listCertificates(db: Db, userId: number): Promise<Certificate[]> {
  return db.read((q) => q.select().from(certificates).where(eq(certificates.userId, userId)).orderBy(asc(certificates.issuedAt)).all());
}

/** Codes are 24 characters of a 32-letter alphabet; anything else cannot match and is not looked up. */
export async function findCertificate(db: Db, code: string): Promise<Certificate | null> {
  if (!/^[a-z2-9]{24}$/.test(code)) return null;
  return db.read((q) => q.select().from(certificates).where(eq(certificates.code, code)).get() ?? null);
}
