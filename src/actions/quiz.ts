/** Quiz actions: start (or resume) an attempt, submit it. Grading happens on the server only. */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { ContentId } from '../features/curriculum/schemas.ts';
import { beginAttempt, handInAttempt } from '../features/quiz/taking.server.ts';
import { courseLockedError, requireUser } from './guard.ts';

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
  if (entries.length > MAX_FIELDS) throw new ActionError({ code: 'CONTENT_TOO_LARGE', message: 'Too many fields.' });
  const answers = new Map<string, string[]>();
  let quizId: unknown;
  let attemptId: unknown;
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw new ActionError({ code: 'BAD_REQUEST', message: 'Files are not accepted.' });
    if (key === 'quizId') quizId = value;
    else if (key === 'attemptId') attemptId = value;
    else if (key.startsWith(ANSWER_PREFIX)) {
      const questionId = key.slice(ANSWER_PREFIX.length);
      answers.set(questionId, [...(answers.get(questionId) ?? []), value]);
    } else throw new ActionError({ code: 'BAD_REQUEST', message: `Unknown field "${key.slice(0, 50)}".` });
  }
  const parsed = SubmissionSchema.safeParse({ quizId, attemptId, answers });
  if (!parsed.success) throw new ActionError({ code: 'BAD_REQUEST', message: 'The submission is malformed.' });
  return parsed.data;
}

const NO_QUIZ = { code: 'NOT_FOUND', message: 'No such quiz.' } as const;

export const quiz = {
  start: defineAction({
    accept: 'form',
    input: z.strictObject({ quizId: ContentId.max(100) }),
    handler: async ({ quizId }, context) => {
      const user = requireUser(context);
      const result = await beginAttempt(context.locals.db, user.id, quizId);
      if (result.status === 'quiz_not_found') throw new ActionError(NO_QUIZ);
      if (result.status === 'locked') throw courseLockedError();
      if (result.status === 'no_attempts_left') {
        throw new ActionError({ code: 'FORBIDDEN', message: 'no_attempts_left' });
      }
      return { attemptId: result.attemptId };
    },
  }),

  submit: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const user = requireUser(context);
      const submission = readSubmission(form);
      const result = await handInAttempt(context.locals.db, user, submission);
      if (result.status === 'quiz_not_found') throw new ActionError(NO_QUIZ);
      if (result.status === 'locked') throw courseLockedError();
      if (result.status === 'malformed') throw new ActionError({ code: 'BAD_REQUEST', message: 'The submission names unknown questions or options.' });
      if (result.status === 'incomplete') {
        // Nothing is stored: the page shows which questions still need an answer, with the choices kept.
        return { status: 'incomplete' as const, attemptId: submission.attemptId, unanswered: result.unanswered };
      }
      if (result.status === 'not_found') throw new ActionError({ code: 'NOT_FOUND', message: 'No such attempt.' });
      return {
        status: result.status,
        attemptId: submission.attemptId,
        certificates: result.status === 'submitted' ? result.certificatesIssued.length : 0,
      };
    },
  }),
};
