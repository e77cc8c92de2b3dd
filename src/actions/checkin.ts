/** The monthly check-in on the home page: hours saved with AI this month, or "not now". */
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { answerCheckin, dismissCheckin } from '../features/programme/checkins.server.ts';
import { getConfig } from '../platform/config.server.ts';
import { textField } from '../platform/input/text.ts';
import { requireUser } from './guard.ts';

export const checkin = {
  save: defineAction({
    accept: 'form',
    input: z.strictObject({
      // An empty field is a missing answer, not 0 hours.
      hoursSaved: z
        .string()
        .trim()
        .min(1, 'required')
        .pipe(
          z.coerce
            .number<string>()
            .min(0)
            .max(200)
            .refine((h) => Number.isInteger(h * 2), 'half_hours'),
        ),
      tasks: textField('tasks', 500).optional(),
    }),
    handler: async ({ hoursSaved, tasks }, context) => {
      const user = requireUser(context);
      await answerCheckin(context.locals.db, { userId: user.id, hoursSaved, tasks: tasks || null }, getConfig().timeZone);
      return { hoursSaved };
    },
  }),

  dismiss: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => {
      const user = requireUser(context);
      await dismissCheckin(context.locals.db, user.id, getConfig().timeZone);
      return { dismissed: true };
    },
  }),
};
