/**
 * The curriculum as the app uses it: tiers → courses → lessons in order, quizzes per course,
 * every text available in the requested language or, failing that, the other one (flagged,
 * so the page can say so). Built once from a validated corpus.
 */
import { LOCALES, otherLocale, type Locale } from '../../platform/i18n/locales.ts';
import { validateCorpus, type LessonEntry, type RawCorpus } from './corpus.ts';
import { mergeRevisions, newestMajor, type Revision } from './revisions.ts';
import { DEFAULT_RENEW_WINDOW_DAYS, DEFAULT_RENEWAL, type Localized, type QuestionData, type QuizData, type RenewalKind, type TierData, type TierId } from './schemas.ts';
import { lessonVersion, questionVersion, quizVersion } from './versions.ts';
import type { Role } from '../users/roles.ts';

export interface Picked<T> {
  value: T;
  /** The language the value is actually in. */
  locale: Locale;
  /** True when the requested language was missing and the other one is shown. */
  fallback: boolean;
}

/** Chooses the requested language, else the other; content validation guarantees one exists. */
export function pick<T>(text: Localized<T>, locale: Locale): Picked<T> {
  const own = text[locale];
  if (own !== undefined) return { value: own, locale, fallback: false };
  const other = otherLocale(locale);
  const value = text[other];
  if (value === undefined) throw new Error('Localized value has no language');
  return { value, locale: other, fallback: true };
}

/** A tier's title in `locale` (else the other language); the id itself for a tier the catalog no longer has. */
export function tierTitle(catalog: Catalog, id: string, locale: Locale): string {
  const tier = catalog.tier(id);
  return tier ? pick(tier.title, locale).value : id;
}

export type { Revision } from './revisions.ts';

/** How a tier's certificate expires and is renewed (from `validForMonths`, `renewWindowDays`, `renewal`). */
export interface TierRenewal {
  /** Months a certificate stays valid from the day it is issued. */
  validForMonths: number;
  /** Days before expiry from which the learner is asked to renew. */
  renewWindowDays: number;
  /** `changed`: every quiz of the tier plus the lessons whose version changed since the learner's last cycle; `full`: everything again. */
  takes: RenewalKind;
}

export interface TierNode {
  id: TierId;
  order: number;
  audience: Role;
  requires: TierId[];
  title: Localized<string>;
  description: Localized<string>;
  /** Null: a certificate of this tier never expires. */
  renewal: TierRenewal | null;
  courses: CourseNode[];
}

export interface CourseNode {
  id: string;
  tierId: TierId;
  order: number;
  estimatedMinutes: number;
  prerequisites: string[];
  title: Localized<string>;
  summary: Localized<string>;
  objectives: Localized<string[]>;
  lessons: LessonNode[];
  quizzes: QuizNode[];
}

export interface LessonNode {
  id: string;
  courseId: string;
  order: number;
  estimatedMinutes: number;
  title: Localized<string>;
  /** Content-collection entry per language, for rendering the MDX body. */
  entryIds: Localized<string>;
  /** The ids of its practice tasks (`tryIt`), in either language: the answers a learner may store. */
  tryItIds: string[];
  /** Hash of its title, body and practice tasks in both languages (see versions.ts); completions record it. */
  version: string;
  /** Its `revision` entries, newest first, with the notes of both languages. */
  revisions: Revision[];
  /** The newest major revision: those who completed a version before it are asked to review the lesson. */
  majorRevision: Revision | null;
}

export interface QuestionKey {
  id: string;
  type: 'single' | 'multiple';
  /** The lesson the question tests (null: untagged; only quizzes without `draw` may leave it out). */
  lesson: string | null;
  optionIds: string[];
  correctOptionIds: string[];
  /** Hash of the question's text, options and key in both languages (see versions.ts). */
  version: string;
}

export interface QuizNode {
  id: string;
  courseId: string;
  passMark: number;
  maxAttempts: number | null;
  /** Questions each attempt draws from the bank (null: every question). */
  draw: number | null;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  /** Grading key, identical in both languages (checked at build). Server-side only. */
  questions: QuestionKey[];
  /** Full text per language, explanations included. Server-side only. */
  text: Localized<QuizData>;
  /** Hash of its grading settings and every question in both languages (see versions.ts); attempts record it. */
  version: string;
  /** Its `revision` entries, newest first, with the notes of both languages. */
  revisions: Revision[];
  /** The newest major revision: those who completed a version before it are asked to review the quiz. */
  majorRevision: Revision | null;
}

export interface Catalog {
  tiers: TierNode[];
  tier(id: string): TierNode | null;
  course(id: string): CourseNode | null;
  lesson(id: string): LessonNode | null;
  quiz(id: string): QuizNode | null;
  /** Lessons of the whole curriculum in learning order. */
  allLessons(): LessonNode[];
}

export class CorpusError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Content has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CorpusError';
    this.problems = problems;
  }
}

export function buildCatalog(corpus: RawCorpus): Catalog {
  const problems = validateCorpus(corpus);
  if (problems.length > 0) throw new CorpusError(problems);

  const byOrder = <T extends { order: number; id: string }>(a: T, b: T): number => a.order - b.order || a.id.localeCompare(b.id);

  const lessonEntries = new Map<string, Localized<LessonEntry>>();
  for (const entry of corpus.lessons) lessonEntries.set(entry.id, { ...lessonEntries.get(entry.id), [entry.locale]: entry });
  const lessons = new Map<string, LessonNode>();
  for (const [id, entries] of lessonEntries) {
    const { data } = (entries.ja ?? entries.en)!;
    const revisions = mergeRevisions(eachLanguage(entries, (e) => e.data.revision));
    lessons.set(id, {
      id,
      courseId: data.course,
      order: data.order,
      estimatedMinutes: data.estimatedMinutes,
      title: eachLanguage(entries, (e) => e.data.title),
      entryIds: eachLanguage(entries, (e) => e.entryId),
      tryItIds: [...new Set(LOCALES.flatMap((locale) => entries[locale]?.data.tryIt.map((task) => task.id) ?? []))],
      version: lessonVersion(entries),
      revisions,
      majorRevision: newestMajor(revisions),
    });
  }

  const quizTexts = new Map<string, Localized<QuizData>>();
  for (const entry of corpus.quizzes) quizTexts.set(entry.id, { ...quizTexts.get(entry.id), [entry.locale]: entry.data });
  const quizzes = new Map<string, QuizNode>();
  for (const [id, text] of quizTexts) {
    const data = (text.ja ?? text.en)!;
    const revisions = mergeRevisions(eachLanguage(text, (quiz) => quiz.revision));
    const question = (questionId: string): Localized<QuestionData> => eachLanguage(text, (quiz) => quiz.questions.find((q) => q.id === questionId));
    quizzes.set(id, {
      id,
      courseId: data.course,
      passMark: data.passMark,
      maxAttempts: data.maxAttempts ?? null,
      draw: data.draw ?? null,
      shuffleQuestions: data.shuffleQuestions,
      shuffleOptions: data.shuffleOptions,
      questions: data.questions.map((q) => ({
        id: q.id,
        type: q.type,
        lesson: q.lesson ?? null,
        optionIds: q.options.map((o) => o.id),
        correctOptionIds: q.options.filter((o) => o.correct).map((o) => o.id),
        version: questionVersion(question(q.id)),
      })),
      text,
      version: quizVersion(text),
      revisions,
      majorRevision: newestMajor(revisions),
    });
  }

  const courses = new Map<string, CourseNode>();
  for (const entry of corpus.courses) {
    courses.set(entry.id, {
      id: entry.id,
      tierId: entry.data.tier,
      order: entry.data.order,
      estimatedMinutes: entry.data.estimatedMinutes,
      prerequisites: entry.data.prerequisites,
      title: entry.data.title,
      summary: entry.data.summary,
      objectives: entry.data.objectives,
      lessons: [...lessons.values()].filter((l) => l.courseId === entry.id).sort(byOrder),
      quizzes: [...quizzes.values()].filter((q) => q.courseId === entry.id).sort((a, b) => a.id.localeCompare(b.id)),
    });
  }

  const tiers: TierNode[] = corpus.tiers
    .map((entry) => ({
      id: entry.id as TierId,
      order: entry.data.order,
      audience: entry.data.audience,
      requires: entry.data.requires,
      title: entry.data.title,
      description: entry.data.description,
      renewal: tierRenewal(entry.data),
      courses: [...courses.values()].filter((c) => c.tierId === entry.id).sort(byOrder),
    }))
    .sort(byOrder);

  const tierById = new Map(tiers.map((t) => [t.id as string, t]));
  const ordered = tiers.flatMap((t) => t.courses.flatMap((c) => c.lessons));
  return {
    tiers,
    tier: (id) => tierById.get(id) ?? null,
    course: (id) => courses.get(id) ?? null,
    lesson: (id) => lessons.get(id) ?? null,
    quiz: (id) => quizzes.get(id) ?? null,
    allLessons: () => ordered,
  };
}

function tierRenewal(tier: TierData): TierRenewal | null {
  if (tier.validForMonths === undefined) return null;
  return { validForMonths: tier.validForMonths, renewWindowDays: tier.renewWindowDays ?? DEFAULT_RENEW_WINDOW_DAYS, takes: tier.renewal ?? DEFAULT_RENEWAL };
}

/** `value` of each language present; a missing language stays missing. */
function eachLanguage<T, U>(languages: Localized<T>, value: (entry: T) => U | undefined): Localized<U> {
  const result: Localized<U> = {};
  for (const locale of LOCALES) {
    const entry = languages[locale];
    const picked = entry === undefined ? undefined : value(entry);
    if (picked !== undefined) result[locale] = picked;
  }
  return result;
}
