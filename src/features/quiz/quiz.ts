/**
 * Quiz logic without the database: the public view a learner sees (no answer key, no
 * explanations), the questions an attempt shows (drawn in draw.ts), checking a submission, and
 * grading over exactly those questions.
 */
import { pick, type QuestionKey, type QuizNode } from '../curriculum/catalog.ts';
import type { Locale } from '../../platform/i18n/locales.ts';

/** The order one attempt shows the questions and their options in (stored with the attempt). */
export interface AttemptLayout {
  questions: { id: string; options: string[] }[];
}

export interface PublicOption {
  id: string;
  text: string;
}

export interface PublicQuestion {
  id: string;
  type: 'single' | 'multiple';
  prompt: string;
  options: PublicOption[];
}

/** Everything the quiz page may show before submission: deliberately no `correct`, no explanations. */
export interface PublicQuiz {
  id: string;
  title: string;
  locale: Locale;
  fallback: boolean;
  passMark: number;
  questions: PublicQuestion[];
}

/** The attempt's questions as it shows them (its layout; every question in content order without one). */
export function publicQuiz(quiz: QuizNode, locale: Locale, layout: AttemptLayout | null): PublicQuiz {
  const text = pick(quiz.text, locale);
  const questionsById = new Map(text.value.questions.map((q) => [q.id, q]));
  const order = layout?.questions ?? quiz.questions.map((q) => ({ id: q.id, options: q.optionIds }));
  return {
    id: quiz.id,
    title: text.value.title,
    locale: text.locale,
    fallback: text.fallback,
    passMark: quiz.passMark,
    // Like attemptQuestions: a question or option the content no longer has is left out.
    questions: order.flatMap(({ id, options }) => {
      const question = questionsById.get(id);
      if (!question) return [];
      const optionText = new Map(question.options.map((o) => [o.id, o.text]));
      return [
        {
          id,
          type: question.type,
          prompt: question.prompt,
          options: options.flatMap((optionId) => {
            const optionLabel = optionText.get(optionId);
            return optionLabel === undefined ? [] : [{ id: optionId, text: optionLabel }];
          }),
        },
      ];
    }),
  };
}

/**
 * The questions an attempt shows, in its order: those of its stored layout, or every question of
 * the quiz for an attempt stored without one (from before layouts). A question the content no
 * longer has is left out.
 */
export function attemptQuestions(quiz: QuizNode, layout: AttemptLayout | null): QuestionKey[] {
  if (layout === null) return quiz.questions;
  const keys = new Map(quiz.questions.map((q) => [q.id, q]));
  return layout.questions.flatMap(({ id }) => keys.get(id) ?? []);
}

/**
 * The questions a submitted attempt was graded on, in the order it showed them: those with a
 * stored answer. (An attempt from before layouts was graded on every question of its day.)
 */
export function reviewedQuestions(quiz: QuizNode, layout: AttemptLayout | null, answeredIds: Iterable<string>): QuestionKey[] {
  const answered = new Set(answeredIds);
  return attemptQuestions(quiz, layout).filter((q) => answered.has(q.id));
}

/** How many questions one attempt asks: the draw of a bank, else every question. */
export function questionsPerAttempt(quiz: QuizNode): number {
  return quiz.draw === null ? quiz.questions.length : Math.min(quiz.draw, quiz.questions.length);
}

export type AnswerProblem =
  | { code: 'unanswered'; questionId: string }
  | { code: 'unknown_question'; questionId: string }
  | { code: 'unknown_option'; questionId: string }
  | { code: 'too_many'; questionId: string };

/**
 * Answers must name questions the attempt shows (a question of the bank it did not draw is
 * unknown) and their options, one option for single choice, and cover every question it shows.
 */
export function checkAnswers(quiz: QuizNode, layout: AttemptLayout | null, answers: ReadonlyMap<string, readonly string[]>): AnswerProblem[] {
  const problems: AnswerProblem[] = [];
  const asked = attemptQuestions(quiz, layout);
  const questions = new Map(asked.map((q) => [q.id, q]));
  for (const [questionId, chosen] of answers) {
    const question = questions.get(questionId);
    if (!question) {
      problems.push({ code: 'unknown_question', questionId });
      continue;
    }
    if (chosen.some((id) => !question.optionIds.includes(id))) problems.push({ code: 'unknown_option', questionId });
    if (question.type === 'single' && chosen.length > 1) problems.push({ code: 'too_many', questionId });
  }
  for (const question of asked) {
    if ((answers.get(question.id)?.length ?? 0) === 0) problems.push({ code: 'unanswered', questionId: question.id });
  }
  return problems;
}

export interface GradedAnswer {
  questionId: string;
  /** Sorted, de-duplicated. */
  chosenOptionIds: string[];
  correct: boolean;
}

export interface Grade {
  answers: GradedAnswer[];
  score: number;
  maxScore: number;
  percent: number;
  passed: boolean;
}

/**
 * All-or-nothing per question, over the questions the attempt shows (a question not drawn is
 * neither right nor wrong): correct when the chosen set equals the correct set. The pass mark is
 * a percentage of those questions.
 */
export function gradeAnswers(quiz: QuizNode, layout: AttemptLayout | null, answers: ReadonlyMap<string, readonly string[]>): Grade {
  const asked = attemptQuestions(quiz, layout);
  const graded = asked.map((question) => {
    const chosen = [...new Set(answers.get(question.id) ?? [])].sort();
    const correct = [...question.correctOptionIds].sort();
    return {
      questionId: question.id,
      chosenOptionIds: chosen,
      correct: chosen.length === correct.length && chosen.every((id, i) => id === correct[i]),
    };
  });
  const score = graded.filter((a) => a.correct).length;
  const maxScore = asked.length;
  // Compare in integers so rounding can never turn a fail into a pass.
  return { answers: graded, score, maxScore, percent: scorePercent(score, maxScore), passed: score * 100 >= quiz.passMark * maxScore };
}

export function scorePercent(score: number, maxScore: number): number {
  return maxScore === 0 ? 0 : Math.round((score / maxScore) * 1000) / 10;
}
