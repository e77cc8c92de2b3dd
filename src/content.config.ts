/**
 * Content collections, loaded from the top-level `content/` folder (or MANABI_CONTENT_DIR).
 * Schemas live in `src/features/curriculum/schemas.ts`, shared with the build-time corpus check
 * (`src/integrations/content-check.ts`), which also checks what spans files: references,
 * duplicate ids, and that both languages of a lesson or quiz agree. Policies (`policies/<id>/<ja|en>.mdx`)
 * have their schema in `src/features/policies/schema.ts`, checked the same way.
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { contentDir } from './features/curriculum/location.ts';
import { getBuildConfig } from './platform/config.server.ts';
import { CourseSchema, LessonSchema, QuizSchema, TierSchema } from './features/curriculum/schemas.ts';
import { PolicySchema } from './features/policies/schema.ts';

const base = (folder: string): string => `${contentDir(getBuildConfig().contentDir)}/${folder}`;
/** Keep the locale folder in the id (`ja/<folder>/<lesson>`): one entry per language. */
const pathId = ({ entry }: { entry: string }): string => entry.replace(/\.[^.]+$/, '');

export const collections = {
  tiers: defineCollection({
    loader: glob({ pattern: '[!_]*.{yaml,yml}', base: base('tiers') }),
    schema: TierSchema,
  }),
  courses: defineCollection({
    loader: glob({ pattern: '[!_]*.{yaml,yml}', base: base('courses') }),
    schema: CourseSchema,
  }),
  // The body stays in the store: it is part of a lesson's version (curriculum/versions.ts).
  lessons: defineCollection({
    loader: glob({ pattern: '{ja,en}/**/[!_]*.{md,mdx}', base: base('lessons'), generateId: pathId }),
    schema: LessonSchema,
  }),
  quizzes: defineCollection({
    loader: glob({ pattern: '{ja,en}/**/[!_]*.{yaml,yml}', base: base('quizzes'), generateId: pathId }),
    schema: QuizSchema,
  }),
  /** Entry ids `<policy-id>/<locale>`. */
  policies: defineCollection({
    loader: glob({ pattern: '[!_]*/{ja,en}.{md,mdx}', base: base('policies'), generateId: pathId, retainBody: false }),
    schema: PolicySchema,
  }),
};
