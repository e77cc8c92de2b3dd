/** Lesson forms: mark complete, give feedback (wrapped for Astro in src/actions/lesson.ts). */
import { z } from 'astro/zod';
import { ContentId } from '../../features/curriculum/schemas.ts';
import { sendLessonFeedback } from '../../features/feedback/send.server.ts';
import { markLessonComplete } from '../../features/progress/lesson.server.ts';
import { textField } from '../../platform/input/text.ts';
import { Refusal } from '../../platform/refusal.ts';
import { courseLocked, defineForm, signedIn } from './definition.ts';

const notFound = (): Refusal => new Refusal('NOT_FOUND', 'No such lesson.');

export const LESSON_COMPLETE = defineForm({
  name: 'lesson.complete',
  input: z.strictObject({ lessonId: ContentId.max(100) }),
  run: async ({ lessonId }, context) => {
    const user = signedIn(context);
    const result = await markLessonComplete(context.db, user, lessonId);
    if (result.status === 'not_found') throw notFound();
    if (result.status === 'locked') throw courseLocked();
    return { lessonId, created: result.created, certificates: result.certificatesIssued.length };
  },
});

export const LESSON_FEEDBACK = defineForm({
  name: 'lesson.feedback',
  input: z.strictObject({
    lessonId: ContentId.max(100),
    rating: z.coerce.number().int().min(1).max(5),
    comment: textField('comment', 1000, { multiline: true }).optional(),
    /** The checkbox "send without my name". */
    anonymous: z.literal('on').optional(),
  }),
  run: async ({ lessonId, rating, comment, anonymous }, context) => {
    const user = signedIn(context);
    const withoutName = anonymous === 'on';
    const saved = await sendLessonFeedback(context.db, {
      userId: user.id,
      lessonId,
      rating,
      comment: comment || null,
      locale: context.locale,
      anonymous: withoutName,
    });
    if (saved === 'not_found') throw notFound();
    if (saved === 'locked') throw courseLocked();
    // Feedback sent without the name is final: nothing can tie it to this learner to change it.
    if (saved === 'closed') throw new Refusal('CONFLICT', 'feedback.closed');
    return { lessonId, rating, anonymous: withoutName };
  },
});
