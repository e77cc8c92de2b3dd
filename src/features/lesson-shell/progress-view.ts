/**
 * The lesson's progress box as a small view of strings (issue 17, /work/wt/SHELLS.md): the Astro
 * page and the prerendered shells both compute it here, so the two paths cannot drift. `shape`
 * picks the markup; the other fields are the values a build-time template leaves as holes.
 */
import { pick, type CourseNode, type LessonNode, type Revision } from '../curriculum/catalog.ts';
import type { Localized } from '../curriculum/schemas.ts';
import { formatDate, formatDay } from '../../platform/dates.ts';
import { otherLocale, type Locale } from '../../platform/i18n/locales.ts';
import { coursePath, lessonPath, quizPath } from '../../platform/i18n/paths.ts';
import type { CourseAction } from '../progress/next-step.ts';
import type { TierCycle } from '../progress/progress.ts';
import { hole } from './holes.ts';

export const PROGRESS_SHAPES = ['review', 'review-fallback', 'done', 'done-lesson', 'done-quiz', 'done-course', 'open', 'open-renewal'] as const;
export type ProgressShape = (typeof PROGRESS_SHAPES)[number];

export interface ProgressView {
  shape: ProgressShape;
  /** The completion was just posted (post/redirect/get): only the Astro page shows that. */
  justCompleted: boolean;
  /** review: the revision's day; done: the completion's date; open-renewal: the renewal's date. */
  date: string;
  reviewNote: Localized<string>;
  /** done-lesson / done-quiz / done-course: the one next step. */
  nextHref: string;
  nextTitle: string;
}

export interface ProgressState {
  review: Revision | null;
  doneAt: Date | null;
  nextLesson: LessonNode | null;
  action: CourseAction | null;
  nextCourse: CourseNode | null;
  renewal: TierCycle | null;
  timeZone: string;
}

const EMPTY = { date: '', reviewNote: { ja: '' }, nextHref: '', nextTitle: '' };

export function progressView(state: ProgressState, locale: Locale, justCompleted: boolean): ProgressView {
  const base = { ...EMPTY, justCompleted };
  if (state.review) {
    const fallback = pick(state.review.note, locale).fallback;
    return { ...base, shape: fallback ? 'review-fallback' : 'review', date: formatDay(state.review.date, locale), reviewNote: state.review.note };
  }
  if (state.doneAt) {
    const date = formatDate(state.doneAt, locale, state.timeZone);
    const { nextLesson, action, nextCourse } = state;
    if (nextLesson) return { ...base, shape: 'done-lesson', date, nextHref: lessonPathOf(locale, nextLesson), nextTitle: pick(nextLesson.title, locale).value };
    if (action?.kind === 'quiz') return { ...base, shape: 'done-quiz', date, nextHref: quizPath(locale, action.quizId) };
    if (nextCourse) return { ...base, shape: 'done-course', date, nextHref: coursePath(locale, nextCourse.id), nextTitle: pick(nextCourse.title, locale).value };
    return { ...base, shape: 'done', date };
  }
  if (state.renewal?.renewBy) return { ...base, shape: 'open-renewal', date: formatDate(state.renewal.renewBy, locale, state.timeZone) };
  return { ...base, shape: 'open' };
}

function lessonPathOf(locale: Locale, lesson: LessonNode): string {
  return lessonPath(locale, lesson.courseId, lesson.id);
}

/** The view a build-time template is rendered from: every value a hole. */
export function progressTemplateView(shape: ProgressShape, locale: Locale): ProgressView {
  const note = hole('text', 'reviewNote');
  return {
    shape,
    justCompleted: false,
    date: hole('text', 'date'),
    reviewNote: shape === 'review-fallback' ? { [otherLocale(locale)]: note } : { [locale]: note },
    nextHref: hole('attr', 'nextHref'),
    nextTitle: hole('text', 'nextTitle'),
  };
}

/** The hole values of a view, by hole name. */
export function progressHoles(view: ProgressView, locale: Locale): Record<string, string> {
  return { date: view.date, reviewNote: pick(view.reviewNote, locale).value, nextHref: view.nextHref, nextTitle: view.nextTitle };
}
