/**
 * A signed-in learner's own forms: the ones the front server's fast form handler answers
 * (src/actions/fast-forms.server.ts) and whose answer travels in the result cookie, sealed for
 * the session, instead of a row (src/platform/http/form-results.server.ts says why and what it
 * gives up): nothing in their answers is secret or harmful to see twice. One list for both.
 */
export const LEARNER_FORMS = ['lesson.complete', 'lesson.feedback', 'quiz.start', 'quiz.submit', 'checkin.save', 'checkin.dismiss'] as const;

export type LearnerForm = (typeof LEARNER_FORMS)[number];

const NAMES: ReadonlySet<string> = new Set(LEARNER_FORMS);

export function isLearnerForm(action: string): action is LearnerForm {
  return NAMES.has(action);
}
