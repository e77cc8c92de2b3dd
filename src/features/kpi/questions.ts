/**
 * The per-question analysis shared by the admin dashboard and the champion page: which options
 * are correct (to count only wrong choices), and the question's text in the reader's language.
 */
import { pick, type Catalog } from '../curriculum/catalog.ts';
import type { Locale } from '../../platform/i18n/locales.ts';

/** Correct options per `quiz/question` key. */
export function correctOptionsOf(catalog: Catalog): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const tier of catalog.tiers) {
    for (const course of tier.courses) for (const quiz of course.quizzes) for (const q of quiz.questions) out[`${quiz.id}/${q.id}`] = q.correctOptionIds;
  }
  return out;
}

/** One row of the question table (QuestionTable.astro), worst-answered first. */
export interface QuestionRow {
  quizId: string;
  questionId: string;
  quizTitle: string;
  prompt: string;
  answers: number;
  correctRate: number | null;
  /** The wrong option chosen most often, in words, and how often. */
  mostChosenWrong: { text: string; count: number } | null;
}

export interface QuestionText {
  quizTitle: string;
  /** null when the quiz no longer has the question. */
  prompt: string | null;
  /** An option's text (null when unknown). */
  option: (optionId: string) => string | null;
}

/** The quiz title, prompt and option texts of a question in `locale`; null when the quiz is not in the catalogue. */
export function questionText(catalog: Catalog, locale: Locale, quizId: string, questionId: string): QuestionText | null {
  const quiz = catalog.quiz(quizId);
  if (!quiz) return null;
  const text = pick(quiz.text, locale).value;
  const question = text.questions.find((x) => x.id === questionId);
  return {
    quizTitle: text.title,
    prompt: question?.prompt ?? null,
    option: (optionId) => question?.options.find((o) => o.id === optionId)?.text ?? null,
  };
}
