/** Quiz actions: start (or resume) an attempt, submit it. Grading happens on the server only. */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { ContentId } from '../features/curriculum/schemas.ts';
import { checkAnswers, type AnswerProblem } from '../features/quiz/quiz.ts';
import { recordActivity } from '../features/progress/activity.server.ts';
import { getCatalog } from '../features/curriculum/catalog.server.ts';
import { getConfig } from '../platform/config.server.ts';
import { getDb } from '../platform/db.server.ts';
import { startAttempt, submitAttempt } from '../features/quiz/attempts.server.ts';
import { requireUnlocked, requireUser } from './guard.ts';

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

async function findQuiz(quizId: string) {
  const catalog = await getCatalog();
  const quiz = catalog.quiz(quizId);
  if (!quiz) throw new ActionError({ code: 'NOT_FOUND', message: 'No such quiz.' });
  return { catalog, quiz, course: catalog.course(quiz.courseId)! };
}

export const quiz = {
  start: defineAction({
    accept: 'form',
    input: z.strictObject({ quizId: ContentId.max(100) }),
    handler: async ({ quizId }, context) => {
      const user = requireUser(context);
      const { catalog, quiz: node, course } = await findQuiz(quizId);
      const db = getDb();
      requireUnlocked(db, catalog, user.id, course);
      const result = startAttempt(db, user.id, node);
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
      const { catalog, quiz: node, course } = await findQuiz(submission.quizId);
      const db = getDb();
      requireUnlocked(db, catalog, user.id, course);
      const problems: AnswerProblem[] = checkAnswers(node, submission.answers);
      const structural = problems.filter((p) => p.code !== 'unanswered');
      if (structural.length > 0) throw new ActionError({ code: 'BAD_REQUEST', message: 'The submission names unknown questions or options.' });
      if (problems.length > 0) {
        // Nothing is stored: the page shows which questions still need an answer, with the choices kept.
        return { status: 'incomplete' as const, attemptId: submission.attemptId, unanswered: problems.map((p) => p.questionId) };
      }
      const result = submitAttempt(db, catalog, user, node, submission.attemptId, submission.answers, getConfig().timeZone);
      if (result.status === 'not_found') throw new ActionError({ code: 'NOT_FOUND', message: 'No such attempt.' });
      if (result.status === 'submitted') recordActivity(db, user.id, getConfig().timeZone);
      return {
        status: result.status,
        attemptId: submission.attemptId,
        certificates: result.status === 'submitted' ? result.certificatesIssued.length : 0,
      };
    },
  }),
};
