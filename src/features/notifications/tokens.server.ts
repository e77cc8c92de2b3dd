/**
 * Secret URL tokens for notifications: 32 random bytes in base64url, stored only as their
 * SHA-256 hex. An unsubscribe token is made for each e-mail that has optional kinds; a calendar
 * feed token is one per user (creating a new one revokes the old).
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { NotificationTokenPurpose } from '../../../db/schema/index.ts';
import { notificationTokens } from '../../../db/schema/index.ts';
import { now } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { first } from '../../platform/query.ts';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new token for `userId`, inside the caller's transaction; the plain token is returned once and never stored. */
export async function issueToken(tx: Tx, purpose: NotificationTokenPurpose, userId: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  if (purpose === 'calendar') await revokeTokens(tx, 'calendar', userId);
  await tx.insert(notificationTokens).values({ tokenHash: hashToken(token), purpose, userId, createdAt: now() });
  return token;
}

export async function revokeTokens(tx: Tx, purpose: NotificationTokenPurpose, userId: number): Promise<void> {
  await tx.delete(notificationTokens).where(and(eq(notificationTokens.purpose, purpose), eq(notificationTokens.userId, userId)));
}

/** The user a token belongs to, or null (malformed, unknown, revoked, another purpose). Lookup by hash: no timing leak about the token. */
export async function tokenUser(db: Db, purpose: NotificationTokenPurpose, token: string): Promise<number | null> {
  if (!TOKEN.test(token)) return null;
  const hash = hashToken(token);
  const row = await db.read(async (q) =>
    first(
      await q
        .select({ userId: notificationTokens.userId })
        .from(notificationTokens)
        .where(and(eq(notificationTokens.tokenHash, hash), eq(notificationTokens.purpose, purpose))),
    ),
  );
  return row?.userId ?? null;
}
