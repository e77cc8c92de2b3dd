/** The monthly check-in forms on the home page (wrapped for Astro in src/actions/checkin.ts). */
import { z } from 'astro/zod';
import { answerCheckin, dismissCheckin } from '../../features/programme/checkins.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import { textField } from '../../platform/input/text.ts';
import { defineForm, signedIn } from './definition.ts';

export const CHECKIN_SAVE = defineForm({
  name: 'checkin.save',
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
  run: async ({ hoursSaved, tasks }, context) => {
    const user = signedIn(context);
    await answerCheckin(context.db, { userId: user.id, hoursSaved, tasks: tasks || null }, getConfig().timeZone);
    return { hoursSaved };
  },
});

export const CHECKIN_DISMISS = defineForm({
  name: 'checkin.dismiss',
  input: z.strictObject({}),
  run: async (_input, context) => {
    const user = signedIn(context);
    await dismissCheckin(context.db, user.id, getConfig().timeZone);
    return { dismissed: true };
  },
});
