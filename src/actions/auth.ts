/**
 * Sign-in and sign-out (src/features/auth/sign-in.server.ts): parse the form, call the
 * feature, turn a refusal into its message.
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { localePath, safeNextPath } from '../platform/i18n/paths.ts';
import { clientIp } from '../platform/http/request.server.ts';
import { newPasswordField, PASSWORD_MAX_LENGTH } from '../features/auth/password.server.ts';
import { changePassword, signInRequest, signInWithLink, signInWithPassword, signOut } from '../features/auth/sign-in.server.ts';

const PASSWORDS_DISABLED = { code: 'FORBIDDEN', message: 'login.passwordDisabled' } as const;

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
      const result = await signInWithPassword(context.locals.db, signInRequest(context), input.email, input.password);
      if (result.ok) return { next: safeNextPath(input.next, localePath(result.locale, '/home')) };
      if (result.reason === 'disabled') throw new ActionError(PASSWORDS_DISABLED);
      if (result.reason === 'throttled') {
        context.locals.retryAfter = result.retryAfter;
        throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: 'login.throttled' });
      }
      throw new ActionError({ code: 'UNAUTHORIZED', message: 'login.invalid' });
    },
  }),

  /** A one-time sign-in link: set a password, use the link (once), start a session. */
  useLink: defineAction({
    accept: 'form',
    input: z.strictObject({
      token: z.string().regex(/^[a-z2-9]{24}\.[a-z2-9]{24}$/, 'link.invalid'),
      password: newPasswordField,
    }),
    handler: async ({ token, password }, context) => {
      const result = await signInWithLink(context.locals.db, signInRequest(context), token, password);
      if (result.ok) return { next: localePath(result.locale, '/home') };
      if (result.reason === 'disabled') throw new ActionError(PASSWORDS_DISABLED);
      throw new ActionError({ code: 'BAD_REQUEST', message: `link.${result.reason}` });
    },
  }),

  /** A signed-in user changes their password: the current one first; every other session ends. */
  changePassword: defineAction({
    accept: 'form',
    input: z.strictObject({
      currentPassword: z.string('password.currentRequired').min(1, 'password.currentRequired').max(PASSWORD_MAX_LENGTH, 'password.currentRequired'),
      newPassword: newPasswordField,
    }),
    handler: async ({ currentPassword, newPassword }, context) => {
      const user = context.locals.user;
      const session = context.locals.session;
      if (!user || !session) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Sign-in required.' });
      const result = await changePassword(context.locals.db, { user, sessionId: session.id, ip: clientIp(context) }, currentPassword, newPassword);
      if (result.ok) return { ended: result.ended };
      if (result.reason === 'disabled') throw new ActionError(PASSWORDS_DISABLED);
      if (result.reason === 'throttled') {
        context.locals.retryAfter = result.retryAfter;
        throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: 'login.throttled' });
      }
      throw new ActionError({ code: 'BAD_REQUEST', message: result.reason === 'same' ? 'password.same' : 'password.currentWrong' });
    },
  }),

  logout: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => {
      const { locals } = context;
      const { providerLogout } = await signOut(locals.db, signInRequest(context), locals.session, locals.user, localePath(locals.locale, '/login'));
      return { signedOut: true, providerLogout };
    },
  }),
};
