/**
 * Sessions the Lucia way (lucia-auth.com/sessions/basic): the client holds `id.secret`,
 * the database holds only the id and a SHA-256 hash of the secret, compared in constant time.
 * Sessions end after inactivity and after an absolute lifetime, and with the user's deactivation.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { departments, sessions, users, type Locale, type Role } from '../../../db/schema/index.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { bestEffortWrite } from '../../platform/storage-errors.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { changes, first } from '../../platform/query.ts';

/** Refresh `last_active_at` at most this often, so reads do not turn into writes on every request. */
const ACTIVITY_WRITE_MAX_INTERVAL_MS = 60_000;

/**
 * How stale the stored `last_active_at` may get. Expiry is judged on the stored value, so an
 * active user can be signed out up to this much early: a tenth of the idle window, at most a
 * minute (with a one-minute window a fixed minute signed active users out at 60 s).
 */
export function activityWriteInterval(idleMs: number): number {
  return Math.min(ACTIVITY_WRITE_MAX_INTERVAL_MS, Math.floor(idleMs / 10));
}

/** The random bytes one `generateSecureRandomString` takes. */
export const SECURE_STRING_BYTES = 24;

/** Human-readable alphabet (a–z, 0–9 without l, o, 0, 1); 24 characters × 5 bits = 120 bits. */
export function generateSecureRandomString(): string {
  const bytes = new Uint8Array(SECURE_STRING_BYTES);
  crypto.getRandomValues(bytes);
  return secureRandomStringFrom(bytes);
}

/** The string of `generateSecureRandomString` from the first 24 of `bytes`, which the caller drew from a CSPRNG. */
export function secureRandomStringFrom(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  let id = '';
  for (let i = 0; i < SECURE_STRING_BYTES; i++) {
    // 256 is a multiple of 32, so the top five bits are uniform.
    id += alphabet[bytes[i]! >> 3];
  }
  return id;
}

export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

export interface SessionLifetime {
  idleMs: number;
  maxAgeMs: number;
}

export interface SessionUser {
  id: number;
  publicId: string;
  email: string;
  displayName: string;
  locale: Locale;
  role: Role;
  departmentId: number | null;
  departmentName: string | null;
  /** Whether anyone active reports to this user (users.manager_id): the "My team" page and its link. */
  hasReports: boolean;
}

export type AuthMethod = 'password' | 'link' | 'oidc';

export interface SessionInfo {
  id: string;
  userId: number;
  /** How this session was started; `oidc` sessions also end at the provider on sign-out. */
  authMethod: AuthMethod;
  createdAt: Date;
  lastActiveAt: Date;
  /** When the absolute lifetime ends; the cookie expires then too. */
  expiresAt: Date;
}

export interface NewSession {
  session: SessionInfo;
  /** `id.secret`; shown to the client once, never stored. */
  token: string;
}

export interface ValidatedSession {
  session: SessionInfo;
  user: SessionUser;
}

/**
 * Inserts a fresh session; call inside `db.write` (sign-in starts one with its audit row,
 * src/features/auth/sign-in.server.ts), so a pre-set cookie can never be adopted.
 */
export async function insertSession(tx: Tx, userId: number, lifetime: SessionLifetime, now = clockNow(), authMethod: AuthMethod = 'password'): Promise<NewSession> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  await tx.insert(sessions).values({ id, secretHash: Buffer.from(hashSecret(secret)), userId, createdAt: now, lastActiveAt: now, authMethod });
  return {
    token: `${id}.${secret}`,
    session: { id, userId, authMethod, createdAt: now, lastActiveAt: now, expiresAt: new Date(now.getTime() + lifetime.maxAgeMs) },
  };
}

/** Starts a session on its own (tests, tools); sign-in goes through `startSession`. */
export async function createSession(db: Db, userId: number, lifetime: SessionLifetime, now = clockNow(), authMethod: AuthMethod = 'password'): Promise<NewSession> {
  return db.write(async (tx) => await insertSession(tx, userId, lifetime, now, authMethod));
}

/**
 * The query every request makes, by session id (`sql.placeholder('id')`). Exported for the
 * query-plan test (tests/integration/query-plans.test.ts): it must stay index lookups only.
 */
export function sessionLookupQuery(q: Tx) {
  return q
    .select({
      id: sessions.id,
      secretHash: sessions.secretHash,
      createdAt: sessions.createdAt,
      lastActiveAt: sessions.lastActiveAt,
      authMethod: sessions.authMethod,
      userId: users.id,
      publicId: users.publicId,
      email: users.email,
      displayName: users.displayName,
      locale: users.locale,
      role: users.role,
      active: users.active,
      departmentId: users.departmentId,
      departmentName: departments.name,
      // One probe of users_manager_idx: the header's "My team" link on every page.
      hasReports: sql<number>`exists(select 1 from users r where r.manager_id = ${users.id} and r.active and r.erased_at is null)`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(eq(sessions.id, sql.placeholder('id')));
}

/** The lookup every request makes: prepared once per connection. */
function sessionLookup(db: Db) {
  return db.prepared('session.lookup', (q) => sessionLookupQuery(q).prepare());
}

/**
 * Returns the session and its user, or null for a malformed, unknown, expired or forged
 * token, or a deactivated user. The user row is read on every request, so a role change
 * or deactivation takes effect at once.
 */
export async function validateSessionToken(db: Db, token: string, lifetime: SessionLifetime, now = clockNow()): Promise<ValidatedSession | null> {
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  const [id, secret] = parts as [string, string];
  if (id.length === 0 || secret.length === 0) return null;

  const lookup = sessionLookup(db);
  const row = await db.read(async () => first(await lookup.execute({ id })));
  if (!row) return null;

  const nowMs = now.getTime();
  const expired = nowMs - row.createdAt.getTime() >= lifetime.maxAgeMs || nowMs - row.lastActiveAt.getTime() >= lifetime.idleMs;
  if (expired || !row.active) {
    await bestEffortWrite('session.delete', () => deleteSession(db, id));
    return null;
  }
  if (!constantTimeEqual(hashSecret(secret), new Uint8Array(row.secretHash))) return null;

  let lastActiveAt = row.lastActiveAt;
  if (nowMs - lastActiveAt.getTime() >= activityWriteInterval(lifetime.idleMs)) {
    lastActiveAt = now;
    // A disk that cannot take writes must not sign everyone out: the next request tries again.
    await bestEffortWrite('session.lastActiveAt', () => db.write(async (tx) => await tx.update(sessions).set({ lastActiveAt }).where(eq(sessions.id, id))));
  }
  return {
    session: {
      id,
      userId: row.userId,
      authMethod: row.authMethod,
      createdAt: row.createdAt,
      lastActiveAt,
      expiresAt: new Date(row.createdAt.getTime() + lifetime.maxAgeMs),
    },
    user: {
      id: row.userId,
      publicId: row.publicId,
      email: row.email,
      displayName: row.displayName,
      locale: row.locale,
      role: row.role,
      departmentId: row.departmentId,
      departmentName: row.departmentName,
      hasReports: Boolean(row.hasReports),
    },
  };
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.write(async (tx) => await endSession(tx, sessionId));
}

/** Ends one session; call inside `db.write`. */
export async function endSession(tx: Tx, sessionId: string): Promise<void> {
  await tx.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a user (deactivation, password change), optionally keeping one; call inside `db.write`. */
export async function deleteUserSessions(tx: Tx, userId: number, exceptSessionId: string | null = null): Promise<number> {
  const where = exceptSessionId ? and(eq(sessions.userId, userId), sql`${sessions.id} <> ${exceptSessionId}`) : eq(sessions.userId, userId);
  return changes(await tx.delete(sessions).where(where));
}

/**
 * Housekeeping: removes sessions past either limit, at most `limit` of them per call (one short
 * statement, so a huge backlog is worked off in batches between requests).
 */
export async function deleteExpiredSessions(db: Db, lifetime: SessionLifetime, now = clockNow(), limit = Number.MAX_SAFE_INTEGER): Promise<number> {
  const nowMs = now.getTime();
  const expired = or(lt(sessions.createdAt, new Date(nowMs - lifetime.maxAgeMs)), lt(sessions.lastActiveAt, new Date(nowMs - lifetime.idleMs)));
  return db.write(async (tx) => changes(await tx.delete(sessions).where(inArray(sessions.id, tx.select({ id: sessions.id }).from(sessions).where(expired).limit(limit)))));
}
