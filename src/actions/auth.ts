/**
 * Sign-in and sign-out. One answer for an unknown email, a wrong password and a
 * deactivated account, at similar cost (a dummy argon2 verify when there is no hash).
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { localePath, safeNextPath } from '../lib/paths.ts';
import { getConfig } from '../lib/server/config.ts';
import { audit } from '../lib/server/audit.ts';
import { getDb } from '../lib/server/db.ts';
import { clientIp } from '../lib/server/request.ts';
import { checkPasswordPolicy, hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyDummyPassword, verifyPassword } from '../lib/server/password.ts';
import { consumeSignInAttempt, rememberSignInAddress } from '../lib/server/rate-limit.ts';
import { consumeLoginToken } from '../lib/server/login-link.ts';
import { endSessionUrl } from '../lib/server/oidc.ts';
import { deleteSessionCookie, setSessionCookie } from '../lib/server/session-cookie.ts';
import { createSession, deleteSession, deleteUserSessions } from '../lib/server/session.ts';
import { findLoginCandidate, setPasswordHash } from '../lib/server/user.ts';
import { users } from '../../db/schema.ts';
import { eq } from 'drizzle-orm';

export const auth = {
  login: defineAction({
    accept: 'form',
    input: z.strictObject({
      // An empty field arrives as null (Astro's form parsing): it gets the same message as a blank one.
      email: z.string('login.emailRequired').trim().min(1, 'login.emailRequired').max(254, 'login.emailRequired'),
      password: z.string('login.passwordRequired').min(1, 'login.passwordRequired').max(PASSWORD_MAX_LENGTH, 'login.passwordTooLong'),
      next: z.string().max(2048).optional(),
    }),
    handler: async (input, context) => {
      const db = getDb();
      // With AUTH_MODE=oidc the company's provider is the only way in.
      if (getConfig().authMode === 'oidc') throw new ActionError({ code: 'FORBIDDEN', message: 'login.passwordDisabled' });
      const wait = await consumeSignInAttempt(clientIp(context), input.email);
      if (wait !== null) {
        context.locals.retryAfter = wait;
        audit(db, { actor: null, actorLabel: input.email, action: 'auth.sign_in_failed', details: { reason: 'throttled' }, ip: clientIp(context) });
        throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: 'login.throttled' });
      }
      const candidate = findLoginCandidate(db, input.email);
      const passwordOk = candidate?.passwordHash
        ? await verifyPassword(candidate.passwordHash, input.password)
        : await verifyDummyPassword(input.password);
      if (!candidate || !candidate.active || !passwordOk) {
        audit(db, {
          actor: null,
          actorLabel: input.email,
          action: 'auth.sign_in_failed',
          details: { reason: !candidate ? 'unknown_email' : !candidate.active ? 'deactivated' : 'wrong_password' },
          ip: clientIp(context),
        });
        throw new ActionError({ code: 'UNAUTHORIZED', message: 'login.invalid' });
      }
      // From now on an attacker elsewhere cannot throttle this account at this address.
      rememberSignInAddress(clientIp(context), input.email);
      // A fresh session at every sign-in; the one this browser had before (if any) ends.
      if (context.locals.session) deleteSession(db, context.locals.session.id);
      const { sessionIdleMs, sessionMaxAgeMs } = getConfig();
      const { token, session } = createSession(db, candidate.id, { idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs });
      setSessionCookie(context.cookies, context.url, token, session.expiresAt);
      audit(db, { actor: { id: candidate.id, email: candidate.email }, action: 'auth.sign_in', details: { method: 'password' }, ip: clientIp(context) });
      return { next: safeNextPath(input.next, localePath(candidate.locale, '/home')) };
    },
  }),

  /** A one-time sign-in link: set a password, use the link (once), start a session. */
  useLink: defineAction({
    accept: 'form',
    input: z.strictObject({
      token: z.string().regex(/^[a-z2-9]{24}\.[a-z2-9]{24}$/, 'link.invalid'),
      password: z
        .string('password.tooShort')
        .min(PASSWORD_MIN_LENGTH, 'password.tooShort')
        .max(PASSWORD_MAX_LENGTH, 'password.tooLong')
        .refine((p) => checkPasswordPolicy(p) !== 'common', 'password.common'),
    }),
    handler: async ({ token, password }, context) => {
      if (getConfig().authMode === 'oidc') throw new ActionError({ code: 'FORBIDDEN', message: 'login.passwordDisabled' });
      const db = getDb();
      // Hash first: no await may sit inside the write transaction below.
      const passwordHash = await hashPassword(password);
      const result = consumeLoginToken(db, token);
      if (result.status !== 'ok') throw new ActionError({ code: 'BAD_REQUEST', message: `link.${result.status}` });
      const user = db.transaction(
        (tx) => {
          const found = tx.select({ id: users.id, email: users.email, active: users.active, locale: users.locale }).from(users).where(eq(users.id, result.userId)).get();
          if (!found || !found.active) return null;
          setPasswordHash(tx, found.id, passwordHash);
          deleteUserSessions(tx, found.id);
          return found;
        },
        { behavior: 'immediate' },
      );
      if (!user) throw new ActionError({ code: 'BAD_REQUEST', message: 'link.invalid' });
      if (context.locals.session) deleteSession(db, context.locals.session.id);
      const { sessionIdleMs, sessionMaxAgeMs } = getConfig();
      const { token: sessionToken, session } = createSession(db, user.id, { idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs }, new Date(), 'link');
      setSessionCookie(context.cookies, context.url, sessionToken, session.expiresAt);
      audit(db, { actor: user, action: 'auth.link_used', details: { method: 'link' }, ip: clientIp(context) });
      return { next: localePath(user.locale, '/home') };
    },
  }),

  /** A signed-in user changes their password: the current one first; every other session ends. */
  changePassword: defineAction({
    accept: 'form',
    input: z.strictObject({
      currentPassword: z.string('password.currentRequired').min(1, 'password.currentRequired').max(PASSWORD_MAX_LENGTH, 'password.currentRequired'),
      newPassword: z
        .string('password.tooShort')
        .min(PASSWORD_MIN_LENGTH, 'password.tooShort')
        .max(PASSWORD_MAX_LENGTH, 'password.tooLong')
        .refine((p) => checkPasswordPolicy(p) !== 'common', 'password.common'),
    }),
    handler: async ({ currentPassword, newPassword }, context) => {
      const user = context.locals.user;
      const session = context.locals.session;
      if (!user || !session) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Sign-in required.' });
      if (getConfig().authMode === 'oidc') throw new ActionError({ code: 'FORBIDDEN', message: 'login.passwordDisabled' });
      const db = getDb();
      const wait = await consumeSignInAttempt(clientIp(context), user.email);
      if (wait !== null) {
        context.locals.retryAfter = wait;
        throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: 'login.throttled' });
      }
      const stored = db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id)).get()?.hash ?? null;
      const ok = stored ? await verifyPassword(stored, currentPassword) : await verifyDummyPassword(currentPassword);
      if (!ok) throw new ActionError({ code: 'BAD_REQUEST', message: 'password.currentWrong' });
      if (newPassword === currentPassword) throw new ActionError({ code: 'BAD_REQUEST', message: 'password.same' });
      const passwordHash = await hashPassword(newPassword);
      const ended = db.transaction(
        (tx) => {
          setPasswordHash(tx, user.id, passwordHash);
          return deleteUserSessions(tx, user.id, session.id);
        },
        { behavior: 'immediate' },
      );
      audit(db, { actor: user, action: 'user.password_set', target: { type: 'user', id: user.id }, details: { otherSessionsEnded: ended }, ip: clientIp(context) });
      return { ended };
    },
  }),

  logout: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => {
      const db = getDb();
      const session = context.locals.session;
      if (session) deleteSession(db, session.id);
      if (context.locals.user) audit(db, { actor: context.locals.user, action: 'auth.sign_out', ip: clientIp(context) });
      deleteSessionCookie(context.cookies, context.url);
      // A single sign-on session also ends at the provider, when it offers an end-session endpoint.
      const { oidc, siteUrl } = getConfig();
      const back = new URL(`${localePath(context.locals.locale, '/login')}?signed_out=1`, siteUrl).href;
      const providerLogout = session?.authMethod === 'oidc' && oidc ? await endSessionUrl(oidc, back) : null;
      return { signedOut: true, providerLogout };
    },
  }),
};
