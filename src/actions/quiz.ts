/** Quiz actions: start (or resume) an attempt, submit it (defined in src/actions/forms/quiz.ts). */
import { formAction } from './define.ts';
import { QUIZ_START, QUIZ_SUBMIT } from './forms/quiz.ts';

export const quiz = {
  start: formAction(QUIZ_START),
  submit: formAction(QUIZ_SUBMIT),
};
