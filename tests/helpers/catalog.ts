/** The shipped curriculum as the app sees it, so tests follow the content instead of hard-coding it. */
import path from 'node:path';
import { buildCatalog, type Catalog } from '../../src/features/curriculum/catalog.ts';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export function shippedCatalog(): Catalog {
  return buildCatalog(readCorpus(path.join(ROOT, 'content'), ROOT).corpus);
}

export interface LessonRef {
  courseId: string;
  lessonId: string;
  /** `/learn/<course>/<lesson>` (Japanese); prefix with `/en` for English. */
  path: string;
  title: { ja: string; en: string };
}

/** The first lesson of the first course of the first tier (needs both languages). */
export function firstLesson(catalog: Catalog = shippedCatalog()): LessonRef {
  const course = catalog.tiers[0]!.courses[0]!;
  const lesson = course.lessons[0]!;
  return {
    courseId: course.id,
    lessonId: lesson.id,
    path: `/learn/${course.id}/${lesson.id}`,
    title: { ja: lesson.title.ja!, en: lesson.title.en! },
  };
}
