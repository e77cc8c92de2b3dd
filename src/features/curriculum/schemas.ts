/**
 * Schemas of the curriculum in `content/`. Shared by `src/content.config.ts` (Astro's
 * loaders) and the build-time corpus check, so both read content the same way.
 *
 * Ids are stable and shared by both languages: progress, attempts and answers are stored
 * against them, so renaming an id loses learners' progress. Text fields are per language.
 */
import { z } from 'astro/zod';
import { DaySchema } from '../../platform/input/day.ts';
import { ROLES } from '../users/roles.ts';

export { LOCALES, DEFAULT_LOCALE, type Locale } from '../../platform/i18n/locales.ts';

export const TIER_IDS = ['basic', 'applied', 'specialist'] as const;
export type TierId = (typeof TIER_IDS)[number];

/** Lower-case words joined by hyphens: `prompt-basics`, `q-hallucination`, `a`. */
export const ContentId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lower-case letters, digits and hyphens (e.g. "prompt-basics")');

/** A text in Japanese and/or English; a missing language falls back to the other with a note. */
export function localized<T extends z.ZodType>(inner: T) {
  return z
    .strictObject({
      /** Japanese text (the default language). */
      ja: inner.optional(),
      /** English text. */
      en: inner.optional(),
    })
    .refine((v) => v.ja !== undefined || v.en !== undefined, 'give at least one language (ja or en)');
}

const Text = z.string().trim().min(1);

/** What a renewal cycle of a tier asks of the learner (see `TierSchema.renewal`). */
export const RENEWAL_KINDS = ['full', 'changed'] as const;
export type RenewalKind = (typeof RENEWAL_KINDS)[number];
/** `renewWindowDays` when a tier with `validForMonths` leaves it out. */
export const DEFAULT_RENEW_WINDOW_DAYS = 30;
/** `renewal` when a tier with `validForMonths` leaves it out. */
export const DEFAULT_RENEWAL: RenewalKind = 'changed';
/** The shortest month: a renewal window must open after the certificate was issued. */
const DAYS_IN_SHORTEST_MONTH = 28;

/** `content/tiers/<tier>.yaml` — one of basic, applied, specialist. */
export const TierSchema = z
  .strictObject({
    /** Position on the learning path, lowest first. */
    order: z.number().int().min(0),
    /** Who the tier is for: all staff, department champions, or IT/programme admins. */
    audience: z.enum(ROLES),
    /** Tiers that must be complete before this one opens. */
    requires: z.array(z.enum(TIER_IDS)).default([]),
    /** Short name, e.g. "基礎" / "Basic". */
    title: localized(Text),
    /** One or two sentences on what the tier covers and for whom. */
    description: localized(Text),
    /**
     * Months a certificate of this tier stays valid (1–60), counted from the day it is issued; the
     * learner then renews it with a new cycle of the tier. Omit it and a certificate never expires.
     */
    validForMonths: z.number().int().min(1).max(60).optional(),
    /**
     * Days before a certificate expires from which the learner is asked to renew it (1–365,
     * default 30); less than validForMonths × 28, so the window opens after the certificate is issued.
     * Only with validForMonths.
     */
    renewWindowDays: z.number().int().min(1).max(365).optional(),
    /**
     * What a renewal cycle asks. `changed` (default): every quiz of the tier again, plus only the
     * lessons whose version changed since the learner's last cycle. `full`: every lesson and quiz
     * again. Only with validForMonths.
     */
    renewal: z.enum(RENEWAL_KINDS).optional(),
  })
  .superRefine((tier, ctx) => {
    if (tier.validForMonths === undefined) {
      for (const field of ['renewWindowDays', 'renewal'] as const) {
        if (tier[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: `${field} applies only with validForMonths (a certificate that never expires is never renewed)` });
      }
      return;
    }
    const window = tier.renewWindowDays ?? DEFAULT_RENEW_WINDOW_DAYS;
    const limit = tier.validForMonths * DAYS_IN_SHORTEST_MONTH;
    if (window >= limit) {
      ctx.addIssue({
        code: 'custom',
        path: ['renewWindowDays'],
        message: `renewWindowDays ${window} must be less than validForMonths × 28 (${limit}), or the window would open before the certificate is issued`,
      });
    }
  });

/** `content/courses/<course-id>.yaml`. */
export const CourseSchema = z.strictObject({
  /** The tier this course belongs to. */
  tier: z.enum(TIER_IDS),
  /** Position within the tier, lowest first; unique within the tier. */
  order: z.number().int().min(0),
  /** Estimated minutes for the whole course, lessons and quiz. */
  estimatedMinutes: z.number().int().positive().max(600),
  /** Courses that must be complete before this one opens (ids from `content/courses/`). */
  prerequisites: z.array(ContentId).default([]),
  title: localized(Text),
  /** What the course is about, in one or two sentences. */
  summary: localized(Text),
  /** What a learner can do after the course; one line each. */
  objectives: localized(z.array(Text).min(1)),
});

/**
 * A practice task (やってみよう) in a lesson's frontmatter, placed in the body with
 * `<TryIt id="…" />`. The learner writes an answer; the rubric and model answer appear after.
 */
export const TryItSchema = z.strictObject({
  /** Stable id within the lesson, the same in both languages; answers are stored against it. */
  id: ContentId,
  /** Short heading, e.g. 「依頼メールを書き直す」. */
  title: Text,
  /** What to do, in one to three sentences. */
  task: Text,
  /** Fictional, safe material to work on (line breaks kept); never real names or data. */
  material: Text.optional(),
  /** Self-check points shown after the learner submits, one line each. */
  rubric: z.array(Text).min(2).max(8),
  /** A model answer shown after the learner submits (line breaks kept). */
  modelAnswer: Text,
});

/** One entry of a `revision` list: a dated change of a lesson or a quiz. */
export const RevisionSchema = z.strictObject({
  /** The day of the change, `YYYY-MM-DD`; the same in both languages. */
  date: DaySchema,
  /**
   * `major`: a learner who read the old version would now act wrongly or miss an obligation;
   * everyone who completed an older version is asked to review it. `minor`: wording, a typo, a
   * new example; nothing changes for learners. The same in both languages.
   */
  significance: z.enum(['minor', 'major']),
  /** What changed, in one line of at most 140 characters, in the file's language. */
  note: Text.max(140).refine((note) => !/[\r\n]/.test(note), 'write the note on one line'),
});

/**
 * `revision:` in a lesson's frontmatter or a quiz file: one entry, or a list of them newest first.
 * Both language files of an id list the same dates and significances in the same order.
 */
const RevisionsSchema = z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(RevisionSchema));

/** Frontmatter of `content/lessons/<locale>/<folder>/<lesson-id>.mdx`. */
export const LessonSchema = z.strictObject({
  /** The course this lesson belongs to (id from `content/courses/`). */
  course: ContentId,
  /** Position within the course, lowest first; unique within the course. */
  order: z.number().int().min(0),
  title: Text,
  /** Estimated reading minutes. */
  estimatedMinutes: z.number().int().positive().max(120),
  /** Practice tasks, each placed in the body with `<TryIt id="…" />`; same ids in both languages. */
  tryIt: z.array(TryItSchema).default([]),
  /** Changes worth recording, newest first (one entry or a list); a `major` one asks those who completed an older version to review it. Not part of its version. */
  revision: RevisionsSchema,
});

const OptionSchema = z.strictObject({
  /** Stable id within the question, e.g. `a` or `share-anonymised`. */
  id: ContentId,
  text: Text,
  /** Marks a correct option; a single-choice question has exactly one. */
  correct: z.boolean().default(false),
  /** Optional note on why this option is right or wrong, shown after submission. */
  explanation: Text.optional(),
});

const QuestionSchema = z.strictObject({
  /** Stable id within the quiz; answers are stored against it. */
  id: ContentId,
  /** `single`: one answer (radio buttons); `multiple`: all that apply (checkboxes). */
  type: z.enum(['single', 'multiple']),
  /** The lesson this question tests (a lesson id of the quiz's course); draws take one per lesson at least. */
  lesson: ContentId.optional(),
  prompt: Text,
  options: z.array(OptionSchema).min(2).max(8),
  /** Why the correct answer is correct; shown after submission, never before. */
  explanation: Text,
});

/** `content/quizzes/<locale>/<quiz-id>.yaml`. */
export const QuizSchema = z.strictObject({
  /** The course this quiz belongs to (id from `content/courses/`). */
  course: ContentId,
  title: Text,
  /** Percentage of the attempt's questions (all of them, or the `draw`) answered correctly needed to pass (0–100). */
  passMark: z.number().int().min(0).max(100),
  /** Attempts allowed; omit for unlimited. */
  maxAttempts: z.number().int().positive().optional(),
  /**
   * Questions drawn at random from the bank for each attempt, at least one per lesson; omit to ask
   * every question. The bank holds at least 2 × draw questions, each tagged with its `lesson`, at
   * least 2 per lesson. Questions and options are then always shuffled, and the attempt stores
   * what it showed.
   */
  draw: z.number().int().positive().optional(),
  /** Show questions in a new random order for each attempt (always, with `draw`). */
  shuffleQuestions: z.boolean().default(false),
  /** Show options in a new random order for each attempt (always, with `draw`). */
  shuffleOptions: z.boolean().default(false),
  questions: z.array(QuestionSchema).min(1),
  /** Changes worth recording, newest first (one entry or a list); a `major` one asks those who completed an older version to review it. Not part of its version. */
  revision: RevisionsSchema,
});

export type TierData = z.output<typeof TierSchema>;
export type CourseData = z.output<typeof CourseSchema>;
export type LessonData = z.output<typeof LessonSchema>;
export type QuizData = z.output<typeof QuizSchema>;
export type QuestionData = z.output<typeof QuestionSchema>;
export type TryItData = z.output<typeof TryItSchema>;
export type RevisionData = z.output<typeof RevisionSchema>;
export type Localized<T> = { ja?: T | undefined; en?: T | undefined };
