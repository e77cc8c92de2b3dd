/** Quiz forms: start (or resume) an attempt, submit it; grading on the server only (wrapped for Astro in src/actions/quiz.ts). */
import { z } from 'astro/zod';
import { ContentId } from '../../features/curriculum/schemas.ts';
import { beginAttempt, handInAttempt } from '../../features/quiz/taking.server.ts';
import { Refusal } from '../../platform/refusal.ts';
import { courseLocked, defineForm, signedIn } from './definition.ts';

const ANSWER_PREFIX = 'answer.';
const MAX_FIELDS = 400;

/** The submitted form as data: every field accounted for, nothing unknown, sizes bounded. */
const SubmissionSchema = z.strictObject({
  quizId: ContentId.max(100),
  attemptId: z.string().regex(/^[a-z2-9]{24}$/),
  answers: z.map(ContentId.max(100), z.array(ContentId.max(100)).max(8)),
});

function readSubmission(form: FormData): z.infer<typeof SubmissionSchema> {
  const entries = [...form.entries()];
  if (entries.length > MAX_FIELDS) throw new Refusal('CONTENT_TOO_LARGE', 'Too many fields.');
  const answers = new Map<string, string[]>();
  let quizId: unknown;
  let attemptId: unknown;
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new Refusal('BAD_REQUEST', 'Files are not accepted.');
    if (key === 'quizId') quizId = value;
    else if (key === 'attemptId') attemptId = value;
    else if (key.startsWith(ANSWER_PREFIX)) {
      const questionId = key.slice(ANSWER_PREFIX.length);
      answers.set(questionId, [...(answers.get(questionId) ?? []), value]);
    } else throw new Refusal('BAD_REQUEST', `Unknown field "${key.slice(0, 50)}".`);
  }
  const parsed = SubmissionSchema.safeParse({ quizId, attemptId, answers });
  if (!parsed.success) throw new Refusal('BAD_REQUEST', 'The submission is malformed.');
  return parsed.data;
}

const noQuiz = (): Refusal => new Refusal('NOT_FOUND', 'No such quiz.');

export const QUIZ_START = defineForm({
  name: 'quiz.start',
  input: z.strictObject({ quizId: ContentId.max(100) }),
  run: async ({ quizId }, context) => {
    const user = signedIn(context);
    const result = await beginAttempt(context.db, user.id, quizId);
    if (result.status === 'quiz_not_found') throw noQuiz();
    if (result.status === 'locked') throw courseLocked();
    if (result.status === 'no_attempts_left') throw new Refusal('FORBIDDEN', 'no_attempts_left');
    return { attemptId: result.attemptId };
  },
});

export const QUIZ_SUBMIT = defineForm({
  name: 'quiz.submit',
  input: null,
  run: async (form: FormData, context) => {
    const user = signedIn(context);
    const submission = readSubmission(form);
    const result = await handInAttempt(context.db, user, submission);
    if (result.status === 'quiz_not_found') throw noQuiz();
    if (result.status === 'locked') throw courseLocked();
    if (result.status === 'malformed') throw new Refusal('BAD_REQUEST', 'The submission names unknown questions or options.');
    if (result.status === 'incomplete') {
      // Nothing is stored: the page shows which questions still need an answer, with the choices kept.
      return { status: 'incomplete' as const, attemptId: submission.attemptId, unanswered: result.unanswered };
    }
    if (result.status === 'not_found') throw new Refusal('NOT_FOUND', 'No such attempt.');
    return {
      status: result.status,
      attemptId: submission.attemptId,
      certificates: result.status === 'submitted' ? result.certificatesIssued.length : 0,
    };
  },
});
