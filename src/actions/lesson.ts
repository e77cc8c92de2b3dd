/** Lesson actions: mark complete, give feedback. */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { ContentId } from '../features/curriculum/schemas.ts';
import { textField } from '../platform/input/text.ts';
import { recordActivity } from '../features/progress/activity.server.ts';
import { getCatalog } from '../features/curriculum/catalog.server.ts';
import { getConfig } from '../platform/config.server.ts';
import { getDb } from '../platform/db.server.ts';
import { saveFeedback } from '../features/feedback/feedback.server.ts';
import { completeLesson } from '../features/progress/progress.server.ts';
import { requireUnlocked, requireUser } from './guard.ts';

async function findLesson(lessonId: string) {
  const catalog = await getCatalog();
  const lesson = catalog.lesson(lessonId);
  if (!lesson) throw new ActionError({ code: 'NOT_FOUND', message: 'No such lesson.' });
  return { catalog, lesson, course: catalog.course(lesson.courseId)! };
}

export const lesson = {
  complete: defineAction({
    accept: 'form',
    input: z.strictObject({ lessonId: ContentId.max(100) }),
    handler: async ({ lessonId }, context) => {
      const user = requireUser(context);
      const { catalog, course } = await findLesson(lessonId);
      const db = getDb();
      requireUnlocked(db, catalog, user.id, course);
      const result = completeLesson(db, catalog, user, lessonId);
      recordActivity(db, user.id, getConfig().timeZone);
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
      const { catalog, course } = await findLesson(lessonId);
      const db = getDb();
      requireUnlocked(db, catalog, user.id, course);
      const withoutName = anonymous === 'on';
      const saved = saveFeedback(db, { userId: user.id, lessonId, rating, comment: comment || null, locale: context.locals.locale, anonymous: withoutName }, getConfig().timeZone);
      // Feedback sent without the name is final: nothing can tie it to this learner to change it.
      if (saved === 'closed') throw new ActionError({ code: 'CONFLICT', message: 'feedback.closed' });
      recordActivity(db, user.id, getConfig().timeZone);
      return { lessonId, rating, anonymous: withoutName };
    },
  }),
};
