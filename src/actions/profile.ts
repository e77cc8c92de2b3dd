/** Profile actions: the language a signed-in user prefers (remembered for their next sign-in). */
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema.ts';
import { LOCALES } from '../lib/locales.ts';
import { getDb } from '../lib/server/db.ts';
import { requireUser } from './guard.ts';

export const profile = {
  setLocale: defineAction({
    accept: 'form',
    input: z.strictObject({ locale: z.enum(LOCALES), next: z.string().max(2048).optional() }),
    handler: ({ locale, next }, context) => {
      const user = requireUser(context);
      getDb().update(users).set({ locale, updatedAt: new Date() }).where(eq(users.id, user.id)).run();
      return { locale, next: next ?? null };
    },
  }),
};
