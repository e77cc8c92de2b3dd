/**
 * Fuzzing src/actions/quiz.ts (see harness.ts for what is sent and what must hold). quiz.submit
 * has no zod schema (its fields are named after the questions): its bodies are the spec's.
 */
import fc from 'fast-check';
import { answerSheet } from '../support.ts';
import { appliedQuiz, basicQuiz, catalog, specialistQuiz } from './app.ts';
import { unknownContentId } from './common.ts';
import { schemaMix, validFields } from './generate.ts';
import { fuzzFile, type ActionSpec } from './harness.ts';
import { maxLength, pattern, schemaOf } from './schema.ts';
import { anyText, bad, brokenEnvelope, csvFile, fieldsOf, good, notMatching, randomFields, replaced, unknownName, without, type Body, type Field } from './values.ts';

const quizPage = (body: Body): string => {
  const id = body.fields.find(([n]) => n === 'quizId')?.[1];
  return typeof id === 'string' && catalog.quiz(id) ? `/quiz/${id}` : `/quiz/${basicQuiz.id}`;
};

const actions: ActionSpec[] = [
  {
    name: 'quiz.start',
    as: 'learner',
    page: quizPage,
    bodies: () => {
      const max = maxLength(schemaOf('quiz.start').field('quizId'));
      return schemaMix(
        'quiz.start',
        validFields('quiz.start', { quizId: fc.constant(basicQuiz.id) }),
        [
          unknownContentId.map((id) => bad(fieldsOf({ quizId: id }), 'handler', `unknown quiz ${id}`)),
          fc.constant(bad(fieldsOf({ quizId: specialistQuiz.id }), 'handler', 'locked quiz')),
          fc.constant(bad(fieldsOf({ quizId: appliedQuiz.id }), 'handler', 'no attempts left')),
        ],
        { alsoInvalid: { quizId: fc.integer({ min: max + 1, max: 3000 }).map((n) => 'q'.repeat(n)) } },
      );
    },
  },
  {
    name: 'quiz.submit',
    as: 'learner',
    page: quizPage,
    refusedData: (field) => field('status') === 'incomplete',
    bodies: (ctx) => {
      const attemptPattern = /^[a-z2-9]{24}$/;
      // The quiz id is checked as quiz.start's schema checks it (same rule, the handler's own copy).
      const quizIdPattern = pattern(schemaOf('quiz.start').field('quizId'));
      const quizIdMax = maxLength(schemaOf('quiz.start').field('quizId'));
      const sheet = (quiz = basicQuiz) => fc.constantFrom(true, false).map((correct) => answerSheet(quiz, correct));
      const submission = (quizId: string, attemptId: string, answers: Map<string, string[]>): Field[] => [
        ['quizId', quizId],
        ['attemptId', attemptId],
        ...[...answers].flatMap(([q, options]) => options.map((o): Field => [`answer.${q}`, o])),
      ];
      const mine = sheet().map((a) => submission(basicQuiz.id, ctx.attempts.learnerOpen, a));
      const wellFormedAttempt = fc.stringMatching(attemptPattern).filter((id) => id !== ctx.attempts.learnerOpen && id !== ctx.attempts.otherOpen);
      const question = basicQuiz.questions[0]!;
      const single = basicQuiz.questions.find((q) => q.correctOptionIds.length === 1)!;
      const mp = fc.boolean();
      return fc.oneof(
        { weight: 3, arbitrary: fc.tuple(mine, mp).map(([f, m]) => good(f, m)) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              mine,
              unknownName(['quizId', 'attemptId']).filter((n) => !n.startsWith('answer.')),
              anyText,
            )
            .map(([f, n, v]) => bad([...f, [n, v]], 'handler', `unknown field ${JSON.stringify(n)}`)),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(mine, notMatching(attemptPattern))
            .map(([f, id]) => bad(replaced(f, 'attemptId', id), 'handler', `malformed attempt id ${JSON.stringify(id.slice(0, 30))}`)),
        },
        { weight: 1, arbitrary: mine.map((f) => bad(without(f, 'attemptId'), 'handler', 'no attempt id')) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(mine, fc.oneof(notMatching(quizIdPattern), fc.constant('q'.repeat(quizIdMax + 1))))
            .map(([f, id]) => bad(replaced(f, 'quizId', id), 'handler', `malformed quiz id ${JSON.stringify(id.slice(0, 30))}`)),
        },
        { weight: 1, arbitrary: mine.map((f) => bad(without(f, 'quizId'), 'handler', 'no quiz id')) },
        { weight: 1, arbitrary: fc.tuple(mine, unknownContentId).map(([f, id]) => bad(replaced(f, 'quizId', id), 'handler', `unknown quiz ${id}`)) },
        { weight: 1, arbitrary: fc.tuple(mine, unknownContentId).map(([f, id]) => bad([...f, [`answer.${id}`, 'a']], 'handler', `unknown question ${id}`)) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(mine, fc.oneof(unknownContentId, notMatching(quizIdPattern)))
            .map(([f, option]) =>
              bad([...without(f, `answer.${question.id}`), [`answer.${question.id}`, option]], 'handler', `unknown option ${JSON.stringify(option.slice(0, 20))}`),
            ),
        },
        {
          weight: 1,
          arbitrary: mine.map((f) =>
            bad(
              [...without(f, `answer.${single.id}`), ...single.optionIds.slice(0, 2).map((o): Field => [`answer.${single.id}`, o])],
              'handler',
              'two options for a single-choice question',
            ),
          ),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(mine, fc.integer({ min: 9, max: 50 }))
            .map(([f, n]) =>
              bad(
                [...without(f, `answer.${question.id}`), ...Array.from({ length: n }, (): Field => [`answer.${question.id}`, question.optionIds[0]!])],
                'handler',
                `${n} answers to one question`,
              ),
            ),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(mine, fc.integer({ min: 401, max: 2000 }))
            .map(([f, n]) => bad([...f, ...Array.from({ length: n }, (): Field => [`answer.${question.id}`, question.optionIds[0]!])], 'handler', `${n} fields`)),
        },
        { weight: 1, arbitrary: mine.map((f) => bad([...f, ['attachment', csvFile('x', 'x.txt', 'text/plain')]], 'handler', 'a file')) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(
              mine,
              fc.subarray(
                basicQuiz.questions.map((q) => q.id),
                { minLength: 1 },
              ),
            )
            .map(([f, drop]) =>
              bad(
                f.filter(([n]) => !drop.includes(n.slice('answer.'.length)) || !n.startsWith('answer.')),
                'handler',
                `unanswered ${drop.join(', ')}`,
              ),
            ),
        },
        { weight: 2, arbitrary: sheet().map((a) => bad(submission(basicQuiz.id, ctx.attempts.otherOpen, a), 'handler', "another learner's attempt")) },
        { weight: 1, arbitrary: fc.tuple(sheet(), wellFormedAttempt).map(([a, id]) => bad(submission(basicQuiz.id, id, a), 'handler', `unknown attempt ${id}`)) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(sheet(specialistQuiz), fc.constantFrom(ctx.attempts.learnerOpen, 'a'.repeat(24)))
            .map(([a, id]) => bad(submission(specialistQuiz.id, id, a), 'handler', 'locked quiz')),
        },
        { weight: 1, arbitrary: fc.tuple(sheet(appliedQuiz), wellFormedAttempt).map(([a, id]) => bad(submission(appliedQuiz.id, id, a), 'handler', 'no such applied attempt')) },
        { weight: 1, arbitrary: fc.tuple(randomFields, mp).map(([f, m]) => good(f, m)) },
        { weight: 1, arbitrary: brokenEnvelope },
      );
    },
  },
];

fuzzFile(import.meta.url, { actions });
