/**
 * SCIM bearer tokens: `manabi_scim_<publicId>.<secret>`, shown once when made. Only the SHA-256 of
 * the secret is stored; the public half finds the row and the hashes are compared in constant
 * time (@oslojs/crypto, as sessions are). A revoked token is refused at once; last use is
 * recorded at most once a minute per token, so a busy sync does not write on every request.
 */
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { scimTokens } from '../../../db/schema/index.ts';
import { now as clockNow } from '../../platform/clock.ts';
import type { Db } from '../../platform/db.server.ts';
import { audit } from '../audit/audit.server.ts';
import { generateSecureRandomString, hashSecret } from '../auth/session.server.ts';
import { changes, first } from '../../platform/query.ts';

const PREFIX = 'manabi_scim_';
const LAST_USED_INTERVAL_MS = 60_000;
export const MAX_TOKEN_LABEL_LENGTH = 100;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export interface ScimTokenRow {
  id: number;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Who made a token: an admin (id and email) or the command line (a label such as `cli:alice`). */
export type TokenCreator = { actor: { id: number; email: string }; ip: string | null } | { actorLabel: string };

/** A new token; the returned text is the only time it exists outside the provider's settings. */
export async function createScimToken(db: Db, label: string, by: TokenCreator): Promise<{ id: number; token: string }> {
  const publicId = generateSecureRandomString();
  const secret = `${generateSecureRandomString()}${generateSecureRandomString()}`;
  const secretHash = hex(hashSecret(secret));
  const at = clockNow();
  const id = await db.write(async (tx) => {
    const row = first(await tx.insert(scimTokens).values({ publicId, secretHash, label, createdAt: at }).returning({ id: scimTokens.id }))!;
    const who = 'actor' in by ? { actor: by.actor, ip: by.ip } : { actor: null, actorLabel: by.actorLabel };
    await audit(tx, { ...who, action: 'scim.token_created', target: { type: 'scim_token', id: row.id }, details: { label } }, at);
    return row.id;
  });
  return { id, token: `${PREFIX}${publicId}.${secret}` };
}

/** Tokens not revoked, newest first. */
export async function listScimTokens(db: Db): Promise<ScimTokenRow[]> {
  return db.read(
    async (q) =>
      await q
        .select({ id: scimTokens.id, label: scimTokens.label, createdAt: scimTokens.createdAt, lastUsedAt: scimTokens.lastUsedAt })
        .from(scimTokens)
        .where(isNull(scimTokens.revokedAt))
        .orderBy(desc(scimTokens.createdAt), desc(scimTokens.id)),
  );
}

/** Revokes a token; false when there is no such token or it was revoked already. */
export async function revokeScimToken(db: Db, id: number, caller: { actor: { id: number; email: string }; ip: string | null }): Promise<boolean> {
  return db.write(async (tx) => {
    const at = clockNow();
    const done =
      changes(
        await tx
          .update(scimTokens)
          .set({ revokedAt: at })
          .where(and(eq(scimTokens.id, id), isNull(scimTokens.revokedAt))),
      ) === 1;
    if (done) await audit(tx, { actor: caller.actor, action: 'scim.token_revoked', target: { type: 'scim_token', id }, ip: caller.ip }, at);
    return done;
  });
}

/** The token's public half and secret from an Authorization header; null when it is not a Manabi SCIM bearer token. */
export function parseBearer(header: string | null): { publicId: string; secret: string } | null {
  if (header === null) return null;
  const match = /^Bearer[ ]+(\S{1,200})$/i.exec(header.trim());
  if (!match) return null;
  const token = match[1]!;
  if (!token.startsWith(PREFIX)) return null;
  const [publicId, secret, ...rest] = token.slice(PREFIX.length).split('.');
  if (!publicId || !secret || rest.length > 0) return null;
  return { publicId, secret };
}

/** The id of the live token the header carries, or null (missing, malformed, unknown, wrong secret, revoked). */
export async function verifyScimToken(db: Db, header: string | null): Promise<number | null> {
  const bearer = parseBearer(header);
  if (bearer === null) return null;
  const row = await db.read(async (q) =>
    first(
      await q
        .select({ id: scimTokens.id, secretHash: scimTokens.secretHash, revokedAt: scimTokens.revokedAt, lastUsedAt: scimTokens.lastUsedAt })
        .from(scimTokens)
        .where(eq(scimTokens.publicId, bearer.publicId)),
    ),
  );
  if (!row || row.revokedAt !== null) return null;
  const given = new TextEncoder().encode(hex(hashSecret(bearer.secret)));
  if (!constantTimeEqual(given, new TextEncoder().encode(row.secretHash))) return null;
  const at = clockNow();
  if (row.lastUsedAt === null || at.getTime() - row.lastUsedAt.getTime() >= LAST_USED_INTERVAL_MS) {
    await db.write(async (tx) => await tx.update(scimTokens).set({ lastUsedAt: at }).where(eq(scimTokens.id, row.id)));
  }
  return row.id;
}
