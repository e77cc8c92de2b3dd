/**
 * Practice (やってみよう): a lesson's `tryIt` tasks and the learner's own answers to them. Pure:
 * the limits, what the lesson page hands to `<TryIt id="…" />`, and which message a refused
 * answer gets.
 */
import type { ActionError } from 'astro:actions';
import type { TryItData } from '../curriculum/schemas.ts';

/** Room for a rewritten e-mail or a prompt with its material; the database enforces it too. */
export const ANSWER_MAX_CHARS = 4000;

/** A learner's latest answer to one task (only the latest is kept). */
export interface PracticeAnswer {
  lessonId: string;
  taskId: string;
  answer: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The answer to a practice post, as the page reads it after the redirect. */
export interface PracticePostResult {
  data?: { lessonId: string; taskId: string; created: boolean } | undefined;
  error?: ActionError | undefined;
}

/** What the lesson body's `<TryIt id="…" />` components read from `Astro.locals.practice`. */
export interface LessonPractice {
  lessonId: string;
  /** The tasks of the lesson in the language shown. */
  tasks: TryItData[];
  /** This learner's answers, by task id. */
  answers: Record<string, PracticeAnswer>;
  /** The form's action URL; null where no form is shown (the search index's copy of the lesson). */
  formAction: string | null;
  /** This response answers a practice post (the task it was for is in its input). */
  result: PracticePostResult | null;
  /** The fields of that post as typed (src/platform/http/form-input.ts). */
  input: URLSearchParams | null;
}

/** Why an answer was refused, for the message naming the field; null when it was not refused for its text. */
export type AnswerProblem = 'empty' | 'tooLong' | 'invisible';

/** Reads the refusal from the action's field errors and the text as typed. */
export function answerProblem(fieldErrors: string[] | undefined, typed: string | null): AnswerProblem | null {
  if (!fieldErrors || fieldErrors.length === 0) return null;
  if (fieldErrors.includes('text.invisible.answer')) return 'invisible';
  return (typed ?? '').trim().length === 0 ? 'empty' : 'tooLong';
}

/** The one task of this lesson a practice post was for, so only that task shows the answer to it. */
export function postedTask(lessonId: string, result: PracticePostResult | null, input: URLSearchParams | null): string | null {
  if (!result) return null;
  const posted = result.data ?? { lessonId: input?.get('lessonId'), taskId: input?.get('taskId') };
  return posted.lessonId === lessonId ? (posted.taskId ?? null) : null;
}
