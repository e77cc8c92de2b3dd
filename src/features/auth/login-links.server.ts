/**
 * One-time sign-in links for new users (and resets): `id.secret` like sessions, only a hash
 * of the secret stored, single use, valid for at most an hour.
 */
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { and, eq, isNull } from 'drizzle-orm';
import { loginTokens } from '../../../db/schema/index.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { generateSecureRandomString, hashSecret } from './session.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { changes, first } from '../../platform/query.ts';

export const LOGIN_LINK_LIFETIME_MS = 60 * 60 * 1000;

export type LoginLinkPurpose = 'first_login' | 'reset';

/** Issues a link's token (replacing any unused one of the user); call inside `db.write`. */
export async function issueLoginToken(tx: Tx, userId: number, createdBy: number | null, purpose: LoginLinkPurpose = 'first_login', now = clockNow()): Promise<string> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  // A new link replaces any unused one for the same user.
  await tx.delete(loginTokens).where(and(eq(loginTokens.userId, userId), isNull(loginTokens.usedAt)));
  await tx
    .insert(loginTokens)
    .values({ id, secretHash: Buffer.from(hashSecret(secret)), userId, purpose, createdBy, createdAt: now, expiresAt: new Date(now.getTime() + LOGIN_LINK_LIFETIME_MS) });
  return `${id}.${secret}`;
}

export async function createLoginToken(db: Db, userId: number, createdBy: number | null, purpose: LoginLinkPurpose = 'first_login', now = clockNow()): Promise<string> {
  return db.write(async (tx) => await issueLoginToken(tx, userId, createdBy, purpose, now));
}

/**
 * The address an admin hands out: always on SITE_URL, never the request's own URL, which
 * behind a TLS-terminating proxy is plain http (and whose Host a client chooses).
 */
export function loginLinkUrl(token: string, siteUrl: string): string {
  return new URL(`/login/link/${token}`, siteUrl).href;
}

export type ConsumeResult = { status: 'ok'; userId: number } | { status: 'invalid' | 'expired' | 'used' };

/** Marks the token used (exactly once, even under concurrent requests) and returns its user; call inside `db.write`. */
export async function useLoginToken(tx: Tx, token: string, now = clockNow()): Promise<ConsumeResult> {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined) return { status: 'invalid' };
  const row = first(await tx.select().from(loginTokens).where(eq(loginTokens.id, id)));
  if (!row || !constantTimeEqual(hashSecret(secret), new Uint8Array(row.secretHash))) return { status: 'invalid' };
  if (row.usedAt !== null) return { status: 'used' };
  if (row.expiresAt <= now) return { status: 'expired' };
  const updated = changes(
    await tx
      .update(loginTokens)
      .set({ usedAt: now })
      .where(and(eq(loginTokens.id, id), isNull(loginTokens.usedAt))),
  );
  if (updated !== 1) return { status: 'used' };
  return { status: 'ok', userId: row.userId };
}

export async function consumeLoginToken(db: Db, token: string, now = clockNow()): Promise<ConsumeResult> {
  return db.write(async (tx) => await useLoginToken(tx, token, now));
}
