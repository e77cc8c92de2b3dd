/** The monthly check-in on the home page: hours saved with AI this month, or "not now". */
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { recordActivity } from '../features/progress/activity.server.ts';
import { dismissCheckin, saveCheckin } from '../features/programme/checkins.server.ts';
import { getConfig } from '../platform/config.server.ts';
import { getDb } from '../platform/db.server.ts';
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
      const db = getDb();
      const { timeZone } = getConfig();
      saveCheckin(db, { userId: user.id, hoursSaved, tasks: tasks || null }, timeZone);
      await recordActivity(db, user.id, timeZone);
      return { hoursSaved };
    },
  }),

  dismiss: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: (_input, context) => {
      const user = requireUser(context);
      dismissCheckin(getDb(), user.id, getConfig().timeZone);
      return { dismissed: true };
    },
  }),
};
