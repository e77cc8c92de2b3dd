/**
 * The shipped curriculum (content/) meets the programme's bar: at least nine lessons per tier in
 * each language (issue 16) with the same ids, quizzes of at least six explained questions in both languages,
 * lessons long enough to teach, internal links that resolve, only known components.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/platform/i18n/locales.ts';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';
import { shippedCatalog } from '../helpers/catalog.ts';
import { ROOT } from '../helpers/fixture.ts';

const catalog = shippedCatalog();
const { corpus } = readCorpus(path.join(ROOT, 'content'), ROOT);
const lessons = corpus.lessons.map((entry) => ({ ...entry, body: bodyOf(fs.readFileSync(path.join(ROOT, entry.file), 'utf8')) }));

function bodyOf(mdx: string): string {
  return mdx.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
}

/** The prose of an MDX body: without tags, attribute names, markdown punctuation or URLs. */
function prose(body: string): string {
  return body
    .replace(/<\/?[A-Z][A-Za-z]*|\/>|>/g, ' ')
    .replace(/\b[a-zA-Z]+=\{`|`\}|\b[a-zA-Z]+="|\b[a-zA-Z]+=\{\[|\]\}/g, ' ')
    .replace(/\]\([^)]*\)/g, ' ')
    .replace(/[#*_|`[\]{}()<>-]/g, ' ');
}

const japaneseCharacters = (text: string): number => (text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]/gu) ?? []).length;
const englishWords = (text: string): number => (text.match(/[A-Za-z][A-Za-z'’-]*/g) ?? []).length;

describe('the curriculum', () => {
  it.each(catalog.tiers.map((t) => [t.id, t] as const))('tier %s has at least 9 lessons in each language, all in Japanese and English', (_id, tier) => {
    const tierLessons = tier.courses.flatMap((c) => c.lessons);
    for (const locale of LOCALES) expect(tierLessons.filter((l) => l.entryIds[locale] !== undefined).length, locale).toBeGreaterThanOrEqual(9);
    for (const lesson of tierLessons) expect(Object.keys(lesson.entryIds).sort(), lesson.id).toEqual(['en', 'ja']);
  });

  it('has the same lesson ids in both languages', () => {
    const ids = (locale: string) =>
      lessons
        .filter((l) => l.locale === locale)
        .map((l) => l.id)
        .sort();
    expect(ids('en')).toEqual(ids('ja'));
  });

  it('gives every course a quiz of at least 6 explained questions, identical in structure in both languages', () => {
    for (const course of catalog.tiers.flatMap((t) => t.courses)) {
      expect(course.quizzes.length, course.id).toBeGreaterThanOrEqual(1);
      for (const quiz of course.quizzes) {
        expect(quiz.questions.length, quiz.id).toBeGreaterThanOrEqual(6);
        const [ja, en] = [quiz.text.ja!, quiz.text.en!];
        expect(ja, `${quiz.id} ja`).toBeDefined();
        expect(en, `${quiz.id} en`).toBeDefined();
        expect(en.questions.map((q) => [q.id, q.type, q.options.map((o) => [o.id, o.correct])])).toEqual(
          ja.questions.map((q) => [q.id, q.type, q.options.map((o) => [o.id, o.correct])]),
        );
        for (const question of [...ja.questions, ...en.questions]) {
          expect(
            question.options.some((o) => o.correct),
            `${quiz.id}/${question.id}`,
          ).toBe(true);
          expect(question.explanation.trim().length, `${quiz.id}/${question.id}`).toBeGreaterThan(20);
        }
        expect(ja.questions.filter((q) => q.type === 'multiple').length, quiz.id).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('gives every lesson estimated minutes', () => {
    for (const lesson of catalog.allLessons()) expect(lesson.estimatedMinutes, lesson.id).toBeGreaterThan(0);
  });

  it.each(lessons.map((l) => [l.file, l] as const))('%s is long enough to teach', (_file, lesson) => {
    const text = prose(lesson.body);
    if (lesson.locale === 'ja') expect(japaneseCharacters(text)).toBeGreaterThanOrEqual(300);
    else expect(englishWords(text)).toBeGreaterThanOrEqual(150);
  });

  it('uses only the authoring components that exist', () => {
    const index = fs.readFileSync(path.join(ROOT, 'src/components/content/index.ts'), 'utf8');
    const known = new Set(
      /contentComponents = \{([^}]*)\}/
        .exec(index)![1]!
        .split(',')
        .map((s) => s.trim()),
    );
    for (const lesson of lessons) {
      for (const [, name] of lesson.body.matchAll(/<([A-Z][A-Za-z]*)/g)) expect(known.has(name!), `${lesson.file}: <${name}>`).toBe(true);
    }
  });

  it('has internal links that resolve, in the lesson’s own language', () => {
    const resolves = (href: string): boolean => {
      const match = /^(\/en)?(\/[^#?]*)/.exec(href);
      if (!match) return false;
      const route = match[2]!.replace(/\/$/, '') || '/';
      const parts = route.split('/').filter(Boolean);
      if (route === '/' || route === '/home' || route === '/search') return true;
      if (parts[0] === 'learn' && parts.length === 2) return catalog.course(parts[1]!) !== null;
      if (parts[0] === 'learn' && parts.length === 3) return catalog.lesson(parts[2]!)?.courseId === parts[1];
      if (parts[0] === 'tiers' && parts.length === 2) return catalog.tier(parts[1]!) !== null;
      if (parts[0] === 'quiz' && parts.length === 2) return catalog.quiz(parts[1]!) !== null;
      return false;
    };
    for (const lesson of lessons) {
      for (const [, markdownHref, attributeHref] of lesson.body.matchAll(/\]\((\/[^)\s]*)\)|href="(\/[^"]*)"/g)) {
        const href = markdownHref ?? attributeHref;
        if (!href) continue;
        expect(resolves(href), `${lesson.file}: ${href}`).toBe(true);
        expect(href.startsWith('/en/') || href === '/en', `${lesson.file}: ${href} is in the wrong language`).toBe(lesson.locale === 'en');
      }
    }
  });

  it('counts characters and words the way the limits mean', () => {
    expect(japaneseCharacters(prose('## 見出し\n\n生成AIは**便利**です。'))).toBe(10);
    expect(englishWords(prose('<KeyTakeaways>\n\nUse the **approved** tool.\n\n</KeyTakeaways>'))).toBe(4);
  });

  it('names both languages for every tier and course text', () => {
    for (const tier of catalog.tiers) for (const locale of LOCALES) expect(tier.title[locale], `${tier.id} ${locale}`).toBeTruthy();
    for (const course of catalog.tiers.flatMap((t) => t.courses)) {
      for (const locale of LOCALES) {
        expect(course.title[locale], `${course.id} ${locale}`).toBeTruthy();
        expect(course.objectives[locale]?.length, `${course.id} ${locale}`).toBeGreaterThan(0);
      }
    }
  });
});
