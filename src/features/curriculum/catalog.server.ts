/**
 * The curriculum for the running server, built once from Astro's content collections
 * (rebuilt on each request in `astro dev`, so edits show up).
 */
import { getCollection, getEntry, render } from 'astro:content';
import { buildCatalog, type Catalog } from './catalog.ts';
import type { LocalizedEntry, RawCorpus } from './corpus.ts';
import type { TryItData } from './schemas.ts';
import { isLocale } from '../../platform/i18n/locales.ts';

let cached: Promise<Catalog> | null = null;

export function getCatalog(): Promise<Catalog> {
  if (import.meta.env.DEV) return loadCatalog();
  cached ??= loadCatalog();
  return cached;
}

async function loadCatalog(): Promise<Catalog> {
  const [tiers, courses, lessons, quizzes] = await Promise.all([getCollection('tiers'), getCollection('courses'), getCollection('lessons'), getCollection('quizzes')]);
  const localized = <T>(entry: { id: string; filePath?: string; data: T }): LocalizedEntry<T> => {
    const segments = entry.id.split('/');
    const locale = segments[0];
    if (!isLocale(locale)) throw new Error(`Content entry ${entry.id} is not under ja/ or en/`);
    return { id: segments.at(-1)!, file: entry.filePath ?? entry.id, data: entry.data, locale, entryId: entry.id };
  };
  const corpus: RawCorpus = {
    tiers: tiers.map((e) => ({ id: e.id, file: e.filePath ?? e.id, data: e.data })),
    courses: courses.map((e) => ({ id: e.id, file: e.filePath ?? e.id, data: e.data })),
    // The body is kept (`retainBody` in content.config.ts) for the lesson's version.
    lessons: lessons.map((e) => {
      if (e.body === undefined) throw new Error(`Lesson ${e.id} has no body in the content store`);
      return { ...localized(e), body: e.body };
    }),
    quizzes: quizzes.map(localized),
  };
  return buildCatalog(corpus);
}

type Rendered = Awaited<ReturnType<typeof render>> & { tryIt: TryItData[] };
const rendered = new Map<string, Promise<Rendered | null>>();

/**
 * The rendered MDX body of one language version of a lesson. The result (a component) is the
 * same for every request, so it is kept; `astro dev` always renders afresh.
 */
export function renderLesson(entryId: string): Promise<Rendered | null> {
  const cached = rendered.get(entryId);
  if (cached && !import.meta.env.DEV) return cached;
  const loading = (async () => {
    const entry = await getEntry('lessons', entryId);
    return entry ? { ...(await render(entry)), tryIt: entry.data.tryIt } : null;
  })();
  // A failed load is not kept, so the next request tries again.
  loading.catch(() => rendered.delete(entryId));
  rendered.set(entryId, loading);
  return loading;
}
