/**
 * The curriculum as the app uses it: tiers → courses → lessons in order, quizzes per course,
 * every text available in the requested language or, failing that, the other one (flagged,
 * so the page can say so). Built once from a validated corpus.
 */
import { otherLocale, type Locale } from '../../platform/i18n/locales.ts';
import { validateCorpus, type RawCorpus } from './corpus.ts';
import type { Localized, QuizData, TierId } from './schemas.ts';
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

/** TEMPORARY (lead's branch): replaced by the content-versions branch. */
export interface Revision {
  date: string;
  significance: 'minor' | 'major';
  note: Localized<string>;
}

/** TEMPORARY (lead's branch): replaced by the content-versions branch. */
export interface TierRenewal {
  validForMonths: number;
  renewWindowDays: number;
  takes: 'full' | 'changed';
}

export interface TierNode {
  renewal: TierRenewal | null;
  id: TierId;
  order: number;
  audience: Role;
  requires: TierId[];
  title: Localized<string>;
  description: Localized<string>;
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
  version: string;
  revisions: Revision[];
  majorRevision: Revision | null;
}

export interface QuestionKey {
  id: string;
  type: 'single' | 'multiple';
  /** The lesson the question tests (null: untagged; only quizzes without `draw` may leave it out). */
  lesson: string | null;
  optionIds: string[];
  correctOptionIds: string[];
  version: string;
}

export interface QuizNode {
  version: string;
  revisions: Revision[];
  majorRevision: Revision | null;
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

  const lessons = new Map<string, LessonNode>();
  for (const entry of corpus.lessons) {
    const node =
      lessons.get(entry.id) ??
      ({
        id: entry.id,
        courseId: entry.data.course,
        order: entry.data.order,
        estimatedMinutes: entry.data.estimatedMinutes,
        title: {},
        entryIds: {},
        tryItIds: [],
        version: '',
        revisions: [],
        majorRevision: null,
      } satisfies LessonNode);
    node.title[entry.locale] = entry.data.title;
    node.entryIds[entry.locale] = entry.entryId;
    for (const task of entry.data.tryIt) if (!node.tryItIds.includes(task.id)) node.tryItIds.push(task.id);
    lessons.set(entry.id, node);
  }

  const quizzes = new Map<string, QuizNode>();
  for (const entry of corpus.quizzes) {
    const existing = quizzes.get(entry.id);
    if (existing) {
      existing.text[entry.locale] = entry.data;
      continue;
    }
    quizzes.set(entry.id, {
      version: '',
      revisions: [],
      majorRevision: null,
      id: entry.id,
      courseId: entry.data.course,
      passMark: entry.data.passMark,
      maxAttempts: entry.data.maxAttempts ?? null,
      draw: entry.data.draw ?? null,
      shuffleQuestions: entry.data.shuffleQuestions,
      shuffleOptions: entry.data.shuffleOptions,
      questions: entry.data.questions.map((q) => ({
        id: q.id,
        type: q.type,
        lesson: q.lesson ?? null,
        optionIds: q.options.map((o) => o.id),
        correctOptionIds: q.options.filter((o) => o.correct).map((o) => o.id),
        version: '',
      })),
      text: { [entry.locale]: entry.data },
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
      renewal: null,
      id: entry.id as TierId,
      order: entry.data.order,
      audience: entry.data.audience,
      requires: entry.data.requires,
      title: entry.data.title,
      description: entry.data.description,
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
