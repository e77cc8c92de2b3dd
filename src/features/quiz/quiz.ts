/**
 * Quiz logic without the database: the public view a learner sees (no answer key, no
 * explanations), per-attempt ordering, checking a submission, and grading.
 */
import { pick, type QuizNode } from '../curriculum/catalog.ts';
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
    questions: order.map(({ id, options }) => {
      const question = questionsById.get(id)!;
      const optionText = new Map(question.options.map((o) => [o.id, o.text]));
      return {
        id,
        type: question.type,
        prompt: question.prompt,
        options: options.map((optionId) => ({ id: optionId, text: optionText.get(optionId)! })),
      };
    }),
  };
}

/** A uniformly random permutation (Fisher–Yates with a CSPRNG). */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  const random = new Uint32Array(out.length);
  crypto.getRandomValues(random);
  for (let i = out.length - 1; i > 0; i--) {
    const j = random[i]! % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The order of questions and options for a new attempt. */
export function attemptLayout(quiz: QuizNode): AttemptLayout {
  const questions = quiz.shuffleQuestions ? shuffled(quiz.questions) : [...quiz.questions];
  return {
    questions: questions.map((q) => ({ id: q.id, options: quiz.shuffleOptions ? shuffled(q.optionIds) : [...q.optionIds] })),
  };
}

export type AnswerProblem =
  | { code: 'unanswered'; questionId: string }
  | { code: 'unknown_question'; questionId: string }
  | { code: 'unknown_option'; questionId: string }
  | { code: 'too_many'; questionId: string };

/** Answers must name known questions and options, one option for single choice, and cover every question. */
export function checkAnswers(quiz: QuizNode, answers: ReadonlyMap<string, readonly string[]>): AnswerProblem[] {
  const problems: AnswerProblem[] = [];
  const questions = new Map(quiz.questions.map((q) => [q.id, q]));
  for (const [questionId, chosen] of answers) {
    const question = questions.get(questionId);
    if (!question) {
      problems.push({ code: 'unknown_question', questionId });
      continue;
    }
    if (chosen.some((id) => !question.optionIds.includes(id))) problems.push({ code: 'unknown_option', questionId });
    if (question.type === 'single' && chosen.length > 1) problems.push({ code: 'too_many', questionId });
  }
  for (const question of quiz.questions) {
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

/** All-or-nothing per question: correct when the chosen set equals the correct set. */
export function gradeAnswers(quiz: QuizNode, answers: ReadonlyMap<string, readonly string[]>): Grade {
  const graded = quiz.questions.map((question) => {
    const chosen = [...new Set(answers.get(question.id) ?? [])].sort();
    const correct = [...question.correctOptionIds].sort();
    return {
      questionId: question.id,
      chosenOptionIds: chosen,
      correct: chosen.length === correct.length && chosen.every((id, i) => id === correct[i]),
    };
  });
  const score = graded.filter((a) => a.correct).length;
  const maxScore = quiz.questions.length;
  // Compare in integers so rounding can never turn a fail into a pass.
  return { answers: graded, score, maxScore, percent: scorePercent(score, maxScore), passed: score * 100 >= quiz.passMark * maxScore };
}

export function scorePercent(score: number, maxScore: number): number {
  return maxScore === 0 ? 0 : Math.round((score / maxScore) * 1000) / 10;
}
