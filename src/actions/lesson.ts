/** Lesson actions: mark complete, give feedback. */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { ContentId } from '../features/curriculum/schemas.ts';
import { textField } from '../platform/input/text.ts';
import { sendLessonFeedback } from '../features/feedback/send.server.ts';
import { markLessonComplete } from '../features/progress/lesson.server.ts';
import { courseLockedError, requireUser } from './guard.ts';

const NOT_FOUND = { code: 'NOT_FOUND', message: 'No such lesson.' } as const;

export const lesson = {
  complete: defineAction({
    accept: 'form',
    input: z.strictObject({ lessonId: ContentId.max(100) }),
    handler: async ({ lessonId }, context) => {
      const user = requireUser(context);
      const result = await markLessonComplete(context.locals.db, user, lessonId);
      if (result.status === 'not_found') throw new ActionError(NOT_FOUND);
      if (result.status === 'locked') throw courseLockedError();
      return { lessonId, created: result.created, certificates: result.certificatesIssued.length };
    },
  }),

  feedback: defineAction({
    accept: 'form',
    input: z.strictObject({
      lessonId: ContentId.max(100),
      rating: z.coerce.number().int().min(1).max(5),
      comment: textField('comment', 1000, { multiline: true }).optional(),
      /** The checkbox "send without my name". */
      anonymous: z.literal('on').optional(),
    }),
    handler: async ({ lessonId, rating, comment, anonymous }, context) => {
      const user = requireUser(context);
      const withoutName = anonymous === 'on';
      const saved = await sendLessonFeedback(context.locals.db, {
        userId: user.id,
        lessonId,
        rating,
        comment: comment || null,
        locale: context.locals.locale,
        anonymous: withoutName,
      });
      if (saved === 'not_found') throw new ActionError(NOT_FOUND);
      if (saved === 'locked') throw courseLockedError();
      // Feedback sent without the name is final: nothing can tie it to this learner to change it.
      if (saved === 'closed') throw new ActionError({ code: 'CONFLICT', message: 'feedback.closed' });
      return { lessonId, rating, anonymous: withoutName };
    },
  }),
};
