/** What signed-in users set about themselves: the language they prefer (the next sign-in starts in it). */
import { eq } from 'drizzle-orm';
import { users, type Locale } from '../../../db/schema/index.ts';
import type { Db } from '../../platform/db.server.ts';
import { now } from '../../platform/clock.ts';

export async function setPreferredLocale(db: Db, userId: number, locale: Locale): Promise<void> {
  await db.write(async (tx) => await tx.update(users).set({ locale, updatedAt: now() }).where(eq(users.id, userId)));
}
