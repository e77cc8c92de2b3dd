/**
 * Reads `content/` from disk with the same schemas and YAML parser as Astro's loaders, for
 * the build-time check (which must run before and outside Astro's content layer) and tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import type { z } from 'astro/zod';
import { isLocale } from '../../platform/i18n/locales.ts';
import type { CorpusEntry, LocalizedEntry, RawCorpus } from './corpus.ts';
import { CourseSchema, LessonSchema, QuizSchema, TierSchema } from './schemas.ts';

export interface ReadResult {
  corpus: RawCorpus;
  /** Files that could not be read or do not match their schema. */
  problems: string[];
}

/** The frontmatter block at the top of a lesson; what follows it (trimmed, as Astro keeps it) is the body. */
const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/;

/** Files starting with `_` are drafts and partials; they are not content. */
const isContentFile = (name: string, extensions: string[]): boolean => !name.startsWith('_') && extensions.includes(path.extname(name));

export function readCorpus(contentDir: string, root: string = process.cwd()): ReadResult {
  const problems: string[] = [];
  const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');

  const parse = <S extends z.ZodType>(file: string, raw: unknown, schema: S): z.output<S> | null => {
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      problems.push(`${rel(file)}: ${where}${issue.message}`);
    }
    return null;
  };
  const load = (file: string, text: string): unknown => {
    try {
      return loadYaml(text);
    } catch (error) {
      problems.push(`${rel(file)}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
      return undefined;
    }
  };

  const flat = <S extends z.ZodType>(folder: string, schema: S): CorpusEntry<z.output<S>>[] => {
    const dir = path.join(contentDir, folder);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((name) => isContentFile(name, ['.yaml', '.yml']))
      .sort()
      .flatMap((name) => {
        const file = path.join(dir, name);
        const raw = load(file, fs.readFileSync(file, 'utf8'));
        if (raw === undefined) return [];
        const data = parse(file, raw, schema);
        return data ? [{ id: stem(name), file: rel(file), data }] : [];
      });
  };

  /** Entries with the file's text, from which a lesson takes its body. */
  const localizedFiles = <S extends z.ZodType>(
    folder: string,
    extensions: string[],
    schema: S,
    extract: (file: string, text: string) => unknown,
  ): (LocalizedEntry<z.output<S>> & { text: string })[] => {
    const base = path.join(contentDir, folder);
    if (!fs.existsSync(base)) return [];
    const entries: (LocalizedEntry<z.output<S>> & { text: string })[] = [];
    for (const file of walk(base)) {
      if (!isContentFile(path.basename(file), extensions)) continue;
      const relative = path.relative(base, file).split(path.sep);
      const locale = relative[0];
      if (!isLocale(locale) || relative.length < 2) {
        problems.push(`${rel(file)}: must live under ${folder}/ja/ or ${folder}/en/`);
        continue;
      }
      const text = fs.readFileSync(file, 'utf8');
      const raw = extract(file, text);
      if (raw === undefined) continue;
      const data = parse(file, raw, schema);
      if (!data) continue;
      const entryId = relative.join('/').replace(/\.[^.]+$/, '');
      entries.push({ id: stem(file), file: rel(file), data, locale, entryId, text });
    }
    return entries;
  };

  const frontmatter = (file: string, text: string): unknown => {
    const match = FRONTMATTER.exec(text);
    if (!match) {
      problems.push(`${rel(file)}: missing frontmatter (a block between --- lines at the top)`);
      return undefined;
    }
    return load(file, match[1]!);
  };

  const corpus: RawCorpus = {
    tiers: flat('tiers', TierSchema),
    courses: flat('courses', CourseSchema),
    lessons: localizedFiles('lessons', ['.md', '.mdx'], LessonSchema, frontmatter).map(({ text, ...entry }) => ({ ...entry, body: text.replace(FRONTMATTER, '').trim() })),
    quizzes: localizedFiles('quizzes', ['.yaml', '.yml'], QuizSchema, load).map(({ text: _text, ...entry }) => entry),
  };
  return { corpus, problems };
}

function stem(file: string): string {
  return path.basename(file).replace(/\.[^.]+$/, '');
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}
