/** Lesson actions: mark complete, give feedback (defined in src/actions/forms/lesson.ts). */
import { formAction } from './define.ts';
import { LESSON_COMPLETE, LESSON_FEEDBACK } from './forms/lesson.ts';

export const lesson = {
  complete: formAction(LESSON_COMPLETE),
  feedback: formAction(LESSON_FEEDBACK),
};
