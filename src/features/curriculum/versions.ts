/**
 * Content versions: a short hash of what a lesson, quiz or question says, in both languages, made at
 * build time so that each completion and attempt can record the version it was made against. Only
 * meaningful content counts — a lesson's title, body and practice tasks; a quiz's grading settings
 * and questions — not a lesson's `order` or `estimatedMinutes`, a quiz's title, or the `revision`
 * entries themselves: recording a revision never changes a version, changing the content does.
 */
import { createHash } from 'node:crypto';
import { LOCALES } from '../../platform/i18n/locales.ts';
import type { LessonData, Localized, QuestionData, QuizData } from './schemas.ts';

/** Hex characters kept of the SHA-256 (48 bits): plenty to tell the versions of one item apart. */
export const VERSION_LENGTH = 12;

/** One language of a lesson: its frontmatter and its MDX source after the frontmatter. */
export interface LessonText {
  data: LessonData;
  body: string;
}

/**
 * Text as it counts for a version: line endings as LF, no white space at the end of a line, none
 * around the whole (Astro trims a body; a checkout on Windows writes CRLF).
 */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+$/gm, '')
    .trim();
}

export function lessonVersion(languages: Localized<LessonText>): string {
  return versionOf(
    perLanguage(languages, ({ data, body }) => ({
      title: data.title,
      body,
      tryIt: data.tryIt.map((task) => ({ id: task.id, title: task.title, task: task.task, material: task.material, rubric: task.rubric, modelAnswer: task.modelAnswer })),
    })),
  );
}

export function quizVersion(languages: Localized<QuizData>): string {
  return versionOf(
    perLanguage(languages, (quiz) => ({
      passMark: quiz.passMark,
      maxAttempts: quiz.maxAttempts,
      draw: quiz.draw,
      shuffleQuestions: quiz.shuffleQuestions,
      shuffleOptions: quiz.shuffleOptions,
      questions: quiz.questions.map(questionContent),
    })),
  );
}

export function questionVersion(languages: Localized<QuestionData>): string {
  return versionOf(perLanguage(languages, questionContent));
}

function questionContent(question: QuestionData): unknown {
  return {
    id: question.id,
    type: question.type,
    lesson: question.lesson,
    prompt: question.prompt,
    options: question.options.map((o) => ({ id: o.id, text: o.text, correct: o.correct, explanation: o.explanation })),
    explanation: question.explanation,
  };
}

/** Japanese, then English; a missing language is left out. */
function perLanguage<T>(languages: Localized<T>, content: (value: T) => unknown): unknown[] {
  return LOCALES.flatMap((locale) => {
    const value = languages[locale];
    return value === undefined ? [] : [[locale, content(value)]];
  });
}

function versionOf(content: unknown): string {
  return createHash('sha256').update(canonical(content)).digest('hex').slice(0, VERSION_LENGTH);
}

/** JSON with object keys sorted and undefined left out, strings normalised: one text for one content. */
export function canonical(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(normalizeText(value));
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
