/**
 * Sign-in and sign-out. One answer for an unknown email, a wrong password and a
 * deactivated account, at similar cost (a dummy argon2 verify when there is no hash).
 */
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { localePath, safeNextPath } from '../lib/paths.ts';
import { getConfig } from '../lib/server/config.ts';
import { getDb } from '../lib/server/db.ts';
import { verifyDummyPassword, verifyPassword, PASSWORD_MAX_LENGTH } from '../lib/server/password.ts';
import { deleteSessionCookie, setSessionCookie } from '../lib/server/session-cookie.ts';
import { createSession, deleteSession } from '../lib/server/session.ts';
import { findLoginCandidate } from '../lib/server/user.ts';

export const auth = {
  login: defineAction({
    accept: 'form',
    input: z.strictObject({
      email: z.string().trim().min(1, 'login.emailRequired').max(254, 'login.emailRequired'),
      password: z.string().min(1, 'login.passwordRequired').max(PASSWORD_MAX_LENGTH, 'login.passwordTooLong'),
      next: z.string().max(2048).optional(),
    }),
    handler: async (input, context) => {
      const db = getDb();
      const candidate = findLoginCandidate(db, input.email);
      const passwordOk = candidate?.passwordHash
        ? await verifyPassword(candidate.passwordHash, input.password)
        : await verifyDummyPassword(input.password);
      if (!candidate || !candidate.active || !passwordOk) {
        throw new ActionError({ code: 'UNAUTHORIZED', message: 'login.invalid' });
      }
      // A fresh session at every sign-in; the one this browser had before (if any) ends.
      if (context.locals.session) deleteSession(db, context.locals.session.id);
      const { sessionIdleMs, sessionMaxAgeMs } = getConfig();
      const { token, session } = createSession(db, candidate.id, { idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs });
      setSessionCookie(context.cookies, context.url, token, session.expiresAt);
      return { next: safeNextPath(input.next, localePath(candidate.locale, '/home')) };
    },
  }),

  logout: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: (_input, context) => {
      if (context.locals.session) deleteSession(getDb(), context.locals.session.id);
      deleteSessionCookie(context.cookies, context.url);
      return { signedOut: true };
    },
  }),
};
