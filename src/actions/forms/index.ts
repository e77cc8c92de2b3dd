/** The learner's form actions defined free of Astro (src/actions/forms/definition.ts), by name. */
import { CHECKIN_DISMISS, CHECKIN_SAVE } from './checkin.ts';
import type { FormActionDefinition } from './definition.ts';
import { LESSON_COMPLETE, LESSON_FEEDBACK } from './lesson.ts';
import { QUIZ_START, QUIZ_SUBMIT } from './quiz.ts';

export const LEARNER_FORMS: ReadonlyMap<string, FormActionDefinition<never, unknown>> = new Map(
  [LESSON_COMPLETE, LESSON_FEEDBACK, CHECKIN_SAVE, CHECKIN_DISMISS, QUIZ_START, QUIZ_SUBMIT].map((d) => [d.name, d as unknown as FormActionDefinition<never, unknown>]),
);
