/** The admin's page for one quiz question: its text in the reader's language and how the company answers it. */
import { pick } from '../curriculum/catalog.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import type { QuizData } from '../curriculum/schemas.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { loadQuestionStat } from './dashboard.server.ts';
import type { QuestionStat } from './kpi.ts';

export interface QuestionPage {
  quizId: string;
  questionId: string;
  quizTitle: string;
  question: QuizData['questions'][number];
  /** Null before anyone answered it. */
  stat: QuestionStat | null;
}

/** Null for an unknown quiz or question (the page answers 404). */
export async function loadQuestionPage(db: Db, quizId: string, questionId: string, locale: Locale): Promise<QuestionPage | null> {
  const catalog = await getCatalog();
  const quiz = catalog.quiz(quizId);
  const key = quiz?.questions.find((q) => q.id === questionId);
  if (!quiz || !key) return null;
  const text = pick(quiz.text, locale).value;
  const question = text.questions.find((q) => q.id === key.id);
  if (!question) return null;
  const stat = await loadQuestionStat(db, catalog, quiz.id, key.id, getConfig().timeZone);
  return { quizId: quiz.id, questionId: key.id, quizTitle: text.title, question, stat };
}
