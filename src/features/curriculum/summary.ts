/**
 * The counts `npm run content:check` prints, so a reviewer sees the curriculum's size at a glance:
 * lessons per tier and language, each quiz's bank and draw, and per lesson its practice tasks
 * (TryIt) and cited sources, in each language.
 */
import { LOCALES, type Locale } from '../../platform/i18n/locales.ts';
import type { RawCorpus } from './corpus.ts';
import { TIER_IDS } from './schemas.ts';

/** Cited sources in an MDX body: `<Source … />` components and footnote definitions (`[^1]: …`). */
export function countSources(body: string): number {
  return (body.match(/<Source\b/g) ?? []).length + (body.match(/^\[\^[^\]]+\]:/gm) ?? []).length;
}

const pad = (text: string | number, width: number): string => String(text).padEnd(width);
const perLocale = (value: (locale: Locale) => number | string): string => LOCALES.map(value).join(' / ');

/** The summary as lines of text; `bodyOf` gives a lesson file's MDX body (frontmatter removed). */
export function contentSummary(corpus: RawCorpus, bodyOf: (file: string) => string): string[] {
  const tierOf = new Map(corpus.courses.map((c) => [c.id, c.data.tier as string]));
  const courseOrder = new Map(corpus.courses.map((c) => [c.id, `${TIER_IDS.indexOf(c.data.tier)}-${String(c.data.order).padStart(4, '0')}`]));
  const lines: string[] = [];

  lines.push(`Lessons per tier (${perLocale((l) => l)}):`);
  for (const tier of TIER_IDS) {
    const count = (locale: Locale) => corpus.lessons.filter((l) => l.locale === locale && tierOf.get(l.data.course) === tier).length;
    lines.push(`  ${pad(tier, 12)}${perLocale(count)}`);
  }

  lines.push('', 'Quizzes: questions in the bank, drawn per attempt, lessons of the course:');
  const quizIds = [...new Set(corpus.quizzes.map((q) => q.id))].sort((a, b) => (courseOrder.get(a) ?? a).localeCompare(courseOrder.get(b) ?? b));
  const width = Math.max(0, ...quizIds.map((id) => id.length)) + 2;
  for (const id of quizIds) {
    const versions = corpus.quizzes.filter((q) => q.id === id);
    const shapes = LOCALES.map((locale) => {
      const quiz = versions.find((q) => q.locale === locale);
      return quiz ? `bank ${pad(quiz.data.questions.length, 4)}draw ${pad(quiz.data.draw ?? 'all', 4)}` : null;
    });
    const shape = new Set(shapes).size === 1 ? shapes[0]! : LOCALES.map((locale, i) => `${locale}: ${shapes[i] ?? 'missing'}`).join('; ');
    const course = versions[0]!.data.course;
    const lessonIds = new Set(corpus.lessons.filter((l) => l.data.course === course).map((l) => l.id));
    lines.push(`  ${pad(id, width)}${shape}${lessonIds.size} lessons`);
  }

  lines.push('', `Lessons: TryIt (${perLocale((l) => l)}), sources (${perLocale((l) => l)}):`);
  const lessonKeys = [...new Map(corpus.lessons.map((l) => [`${l.data.course}/${l.id}`, l])).values()].sort(
    (a, b) => (courseOrder.get(a.data.course) ?? '').localeCompare(courseOrder.get(b.data.course) ?? '') || a.data.order - b.data.order,
  );
  const lessonWidth = Math.max(0, ...lessonKeys.map((l) => l.data.course.length + l.id.length + 1)) + 2;
  const totals = { tryIt: 0, withoutTryIt: 0, sources: 0 };
  for (const lesson of lessonKeys) {
    const version = (locale: Locale) => corpus.lessons.find((l) => l.locale === locale && l.id === lesson.id);
    const tryIt = (locale: Locale) => version(locale)?.data.tryIt.length ?? 0;
    const sources = (locale: Locale) => {
      const entry = version(locale);
      return entry ? countSources(bodyOf(entry.file)) : 0;
    };
    for (const locale of LOCALES) {
      if (!version(locale)) continue;
      totals.tryIt += tryIt(locale);
      totals.sources += sources(locale);
      if (tryIt(locale) === 0) totals.withoutTryIt++;
    }
    lines.push(`  ${pad(`${lesson.data.course}/${lesson.id}`, lessonWidth)}TryIt ${pad(perLocale(tryIt), 8)}sources ${perLocale(sources)}`);
  }
  lines.push(
    '',
    `Totals: ${perLocale((l) => corpus.lessons.filter((x) => x.locale === l).length)} lessons (${perLocale((l) => l)}), ${totals.tryIt} TryIt, ${totals.withoutTryIt} lesson file(s) without one, ${totals.sources} sources.`,
  );
  return lines;
}
