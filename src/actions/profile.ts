/** Profile actions: the language a signed-in user prefers (remembered for their next sign-in). */
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { LOCALES } from '../platform/i18n/locales.ts';
import { setPreferredLocale } from '../features/users/users-profile.server.ts';
import { requireUser } from './guard.ts';

export const profile = {
  setLocale: defineAction({
    accept: 'form',
    input: z.strictObject({ locale: z.enum(LOCALES), next: z.string().max(2048).optional() }),
    handler: async ({ locale, next }, context) => {
      const user = requireUser(context);
      await setPreferredLocale(context.locals.db, user.id, locale);
      return { locale, next: next ?? null };
    },
  }),
};
