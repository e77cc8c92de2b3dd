/**
 * Signing in and out with a password or a one-time link, and the one sequence every sign-in
 * ends with (`startSession`, also for single sign-on). One answer for an unknown email, a wrong
 * password and a deactivated account, at similar cost (a dummy argon2 verify when there is no
 * hash). Hashing and verifying happen before each write: no await sits inside a transaction.
 */
import type { AstroCookies } from 'astro';
import { eq } from 'drizzle-orm';
import { users, type Locale } from '../../../db/schema/index.ts';
import { audit } from '../audit/audit.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { clientIp } from '../../platform/http/request.server.ts';
import { findLoginCandidate, setPasswordHash } from '../users/users.server.ts';
import { deleteSessionCookie, setSessionCookie } from './cookie.server.ts';
import { useLoginToken, type ConsumeResult } from './login-links.server.ts';
import { endSessionUrl } from './oidc.server.ts';
import { hashPassword, verifyDummyPassword, verifyPassword } from './password.server.ts';
import { consumeSignInAttempt, rememberSignInAddress } from './rate-limit.server.ts';
import { deleteUserSessions, endSession, insertSession, type AuthMethod, type SessionInfo } from './session.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { first } from '../../platform/query.ts';

/** What a sign-in needs of the request: its cookies and address, the session this browser had, the client's address. */
export interface SignInRequest {
  cookies: AstroCookies;
  url: URL;
  previousSessionId: string | null;
  ip: string | null;
}

/** The sign-in request of an action or route context. */
export function signInRequest(context: { cookies: AstroCookies; url: URL; locals: { session: SessionInfo | null }; clientAddress?: string; request?: Request }): SignInRequest {
  return { cookies: context.cookies, url: context.url, previousSessionId: context.locals.session?.id ?? null, ip: clientIp(context) };
}

/**
 * Ends the session this browser had, starts a fresh one and audits the sign-in; call inside
 * `db.write`. Returns the new session, whose cookie the caller sets after the commit.
 */
async function beginSession(tx: Tx, request: SignInRequest, user: { id: number; email: string }, method: AuthMethod): Promise<Awaited<ReturnType<typeof insertSession>>> {
  const { sessionIdleMs, sessionMaxAgeMs } = getConfig();
  // A fresh session at every sign-in; whatever this browser had before ends.
  if (request.previousSessionId !== null) await endSession(tx, request.previousSessionId);
  const started = await insertSession(tx, user.id, { idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs }, clockNow(), method);
  await audit(tx, { actor: user, action: method === 'link' ? 'auth.link_used' : 'auth.sign_in', details: { method }, ip: request.ip });
  return started;
}

function setCookie(request: SignInRequest, started: Awaited<ReturnType<typeof insertSession>>): void {
  setSessionCookie(request.cookies, request.url, started.token, started.session.expiresAt);
}

/** The one sign-in sequence (password, link, single sign-on): the old session ends, a fresh one starts, audited; then the cookie. */
export async function startSession(db: Db, request: SignInRequest, user: { id: number; email: string }, method: AuthMethod): Promise<void> {
  setCookie(request, await db.write(async (tx) => await beginSession(tx, request, user, method)));
}

/** Why a password sign-in or change was refused (the actions turn these into their messages). */
export type PasswordRefusal = { reason: 'disabled' } | { reason: 'throttled'; retryAfter: number } | { reason: 'invalid' };

export async function signInWithPassword(
  db: Db,
  request: SignInRequest,
  email: string,
  password: string,
): Promise<{ ok: true; locale: Locale } | ({ ok: false } & PasswordRefusal)> {
  // With AUTH_MODE=oidc the company's provider is the only way in.
  if (getConfig().authMode === 'oidc') return { ok: false, reason: 'disabled' };
  const wait = await consumeSignInAttempt(db, request.ip, email);
  if (wait !== null) {
    await db.write(async (tx) => await audit(tx, { actor: null, actorLabel: email, action: 'auth.sign_in_failed', details: { reason: 'throttled' }, ip: request.ip }));
    return { ok: false, reason: 'throttled', retryAfter: wait };
  }
  const candidate = await db.read(async (q) => await findLoginCandidate(q, email));
  const passwordOk = candidate?.passwordHash ? await verifyPassword(candidate.passwordHash, password) : await verifyDummyPassword(password);
  if (!candidate || !candidate.active || !passwordOk) {
    const reason = !candidate ? 'unknown_email' : !candidate.active ? 'deactivated' : 'wrong_password';
    await db.write(async (tx) => await audit(tx, { actor: null, actorLabel: email, action: 'auth.sign_in_failed', details: { reason }, ip: request.ip }));
    return { ok: false, reason: 'invalid' };
  }
  // From now on an attacker elsewhere cannot throttle this account at this address.
  await rememberSignInAddress(db, request.ip, email);
  await startSession(db, request, { id: candidate.id, email: candidate.email }, 'password');
  return { ok: true, locale: candidate.locale };
}

/**
 * A one-time sign-in link: sets the password, uses the link (once), ends the user's other
 * sessions and starts a fresh one, in one write.
 */
export async function signInWithLink(
  db: Db,
  request: SignInRequest,
  token: string,
  password: string,
): Promise<{ ok: true; locale: Locale } | { ok: false; reason: 'disabled' | Exclude<ConsumeResult['status'], 'ok'> }> {
  if (getConfig().authMode === 'oidc') return { ok: false, reason: 'disabled' };
  const passwordHash = await hashPassword(password);
  const outcome = await db.write(async (tx) => {
    const used = await useLoginToken(tx, token);
    if (used.status !== 'ok') return { ok: false as const, reason: used.status };
    const user = first(await tx.select({ id: users.id, email: users.email, active: users.active, locale: users.locale }).from(users).where(eq(users.id, used.userId)));
    // The link is used up either way; a deactivated account gets the same answer as a bad link.
    if (!user || !user.active) return { ok: false as const, reason: 'invalid' as const };
    await setPasswordHash(tx, user.id, passwordHash);
    await deleteUserSessions(tx, user.id);
    return { ok: true as const, locale: user.locale, started: await beginSession(tx, request, user, 'link') };
  });
  if (!outcome.ok) return outcome;
  setCookie(request, outcome.started);
  return { ok: true, locale: outcome.locale };
}

/** A signed-in user changes their password: the current one first; every other session ends. */
export async function changePassword(
  db: Db,
  caller: { user: { id: number; email: string }; sessionId: string; ip: string | null },
  currentPassword: string,
  newPassword: string,
): Promise<{ ok: true; ended: number } | { ok: false; reason: 'disabled' | 'current_wrong' | 'same' } | ({ ok: false } & Extract<PasswordRefusal, { reason: 'throttled' }>)> {
  const { user, sessionId, ip } = caller;
  if (getConfig().authMode === 'oidc') return { ok: false, reason: 'disabled' };
  const wait = await consumeSignInAttempt(db, ip, user.email);
  if (wait !== null) return { ok: false, reason: 'throttled', retryAfter: wait };
  const stored = (await db.read(async (q) => first(await q.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id)))))?.hash ?? null;
  const ok = stored ? await verifyPassword(stored, currentPassword) : await verifyDummyPassword(currentPassword);
  if (!ok) return { ok: false, reason: 'current_wrong' };
  if (newPassword === currentPassword) return { ok: false, reason: 'same' };
  const passwordHash = await hashPassword(newPassword);
  const ended = await db.write(async (tx) => {
    await setPasswordHash(tx, user.id, passwordHash);
    const count = await deleteUserSessions(tx, user.id, sessionId);
    await audit(tx, { actor: user, action: 'user.password_set', target: { type: 'user', id: user.id }, details: { otherSessionsEnded: count }, ip });
    return count;
  });
  return { ok: true, ended };
}

/**
 * Signs out: the session ends (audited), the cookie goes; a single sign-on session also ends at
 * the provider, when it offers an end-session endpoint (the address to send the browser to).
 */
export async function signOut(
  db: Db,
  request: Omit<SignInRequest, 'previousSessionId'>,
  session: SessionInfo | null,
  user: { id: number; email: string } | null,
  loginPath: string,
): Promise<{ providerLogout: string | null }> {
  if (session || user) {
    await db.write(async (tx) => {
      if (session) await endSession(tx, session.id);
      if (user) await audit(tx, { actor: user, action: 'auth.sign_out', ip: request.ip });
    });
  }
  deleteSessionCookie(request.cookies, request.url);
  const { oidc, siteUrl } = getConfig();
  const back = new URL(`${loginPath}?signed_out=1`, siteUrl).href;
  return { providerLogout: session?.authMethod === 'oidc' && oidc ? await endSessionUrl(oidc, back) : null };
}
