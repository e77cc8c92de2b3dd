/** Practice (やってみよう) on the lesson page: save or revise the learner's own answer. */
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { defineAction } from './define.ts';
import { ContentId } from '../features/curriculum/schemas.ts';
import { ANSWER_MAX_CHARS } from '../features/practice/practice.ts';
import { submitPracticeAnswer } from '../features/practice/submit.server.ts';
import { textField } from '../platform/input/text.ts';
import { courseLockedError, requireUser } from './guard.ts';

export const practice = {
  save: defineAction({
    accept: 'form',
    input: z.strictObject({
      lessonId: ContentId.max(100),
      taskId: ContentId.max(100),
      answer: textField('answer', ANSWER_MAX_CHARS, { multiline: true, required: true }),
    }),
    handler: async ({ lessonId, taskId, answer }, context) => {
      const user = requireUser(context);
      const result = await submitPracticeAnswer(context.locals.db, { userId: user.id, lessonId, taskId, answer });
      if (result.status === 'not_found') throw new ActionError({ code: 'NOT_FOUND', message: 'No such practice task.' });
      if (result.status === 'locked') throw courseLockedError();
      return { lessonId, taskId, created: result.created };
    },
  }),
};
