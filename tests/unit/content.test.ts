import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCatalog, pick } from '../../src/features/curriculum/catalog.ts';
import { checkContent } from '../../src/features/curriculum/check.ts';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';
import { tempDir } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONTENT = path.join(ROOT, 'content');
/** A small, stable corpus (the foundation's placeholder) that these tests break on purpose. */
const FIXTURE = path.join(ROOT, 'tests/fixtures/content');

let dir: string;
beforeEach(() => {
  dir = path.join(tempDir('manabi-content-'), 'content');
  fs.cpSync(FIXTURE, dir, { recursive: true });
});
afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

const file = (relative: string) => path.join(dir, relative);
const edit = (relative: string, change: (text: string) => string) => fs.writeFileSync(file(relative), change(fs.readFileSync(file(relative), 'utf8')));
const problems = () => checkContent(dir, dir);

describe.each([
  ['the shipped curriculum', CONTENT],
  ['the test fixture', FIXTURE],
])('%s', (_name, folder) => {
  it('has no problems and builds a catalog with three tiers in order', () => {
    expect(checkContent(folder, ROOT)).toEqual([]);
    const catalog = buildCatalog(readCorpus(folder, ROOT).corpus);
    expect(catalog.tiers.map((t) => t.id)).toEqual(['basic', 'applied', 'specialist']);
    for (const tier of catalog.tiers) {
      expect(tier.courses.length).toBeGreaterThan(0);
      for (const course of tier.courses) {
        expect(course.quizzes.length).toBeGreaterThan(0);
        for (const lesson of course.lessons) expect(Object.keys(lesson.entryIds).sort()).toEqual(['en', 'ja']);
      }
    }
  });
});

describe('broken content fails with the file named', () => {
  it('a lesson pointing at an unknown course', () => {
    edit('lessons/en/basic-ai-essentials/safe-use-basics.mdx', (t) => t.replace('course: basic-ai-essentials', 'course: no-such-course'));
    expect(problems()).toContainEqual(expect.stringMatching(/^lessons\/en\/basic-ai-essentials\/safe-use-basics\.mdx: course "no-such-course" does not exist/));
  });

  it('a course pointing at an unknown tier', () => {
    edit('courses/basic-ai-essentials.yaml', (t) => t.replace('tier: basic', 'tier: expert'));
    expect(problems().join('\n')).toMatch(/^courses\/basic-ai-essentials\.yaml: tier: /m);
  });

  it('a course with an unknown prerequisite, and a prerequisite cycle', () => {
    edit('courses/applied-department-pilot.yaml', (t) => t.replace('prerequisites: [basic-ai-essentials]', 'prerequisites: [nope]'));
    expect(problems()).toContain('courses/applied-department-pilot.yaml: prerequisite course "nope" does not exist');
    edit('courses/applied-department-pilot.yaml', (t) => t.replace('prerequisites: [nope]', 'prerequisites: [basic-ai-essentials]'));
    edit('courses/basic-ai-essentials.yaml', (t) => t.replace('prerequisites: []', 'prerequisites: [specialist-operations]'));
    expect(problems().join('\n')).toMatch(/prerequisites form a cycle/);
  });

  it('duplicate lesson ids in one language', () => {
    fs.copyFileSync(file('lessons/ja/basic-ai-essentials/safe-use-basics.mdx'), file('lessons/ja/applied-department-pilot/safe-use-basics.mdx'));
    expect(problems()).toContainEqual(
      expect.stringMatching(
        /lessons\/ja\/basic-ai-essentials\/safe-use-basics\.mdx: duplicate lesson id "safe-use-basics" \(also lessons\/ja\/applied-department-pilot\/safe-use-basics\.mdx\)/,
      ),
    );
  });

  it('duplicate question ids in a quiz', () => {
    edit('quizzes/ja/basic-ai-essentials.yaml', (t) => t.replace('id: customer-list', 'id: how-it-writes'));
    expect(problems()).toContain('quizzes/ja/basic-ai-essentials.yaml: duplicate question id "how-it-writes"');
  });

  it('a question without a correct option', () => {
    edit('quizzes/en/applied-department-pilot.yaml', (t) => t.replace(/\n\s+correct: true/g, ''));
    expect(problems()).toContain('quizzes/en/applied-department-pilot.yaml: question "first-candidate" has no correct option');
  });

  it('a single-choice question with two correct options', () => {
    edit('quizzes/ja/specialist-operations.yaml', (t) => t.replace('        text: 120%', '        text: 120%\n        correct: true'));
    expect(problems().join('\n')).toMatch(/quizzes\/ja\/specialist-operations\.yaml: question "usage-rate" is single-choice but has 2 correct options/);
  });

  it('a quiz whose ids differ between languages', () => {
    edit('quizzes/en/basic-ai-essentials.yaml', (t) => t.replace('id: check-output', 'id: check-the-output'));
    expect(problems().join('\n')).toMatch(/quizzes\/en\/basic-ai-essentials\.yaml: quiz "basic-ai-essentials" differs from quizzes\/ja\/basic-ai-essentials\.yaml: question ids/);
  });

  it('a quiz whose answer key differs between languages', () => {
    edit('quizzes/en/specialist-operations.yaml', (t) =>
      t.replace(
        '      - id: a\n        text: 60%\n        correct: true\n      - id: b\n        text: 120%',
        '      - id: a\n        text: 60%\n      - id: b\n        text: 120%\n        correct: true',
      ),
    );
    expect(problems().join('\n')).toMatch(/quizzes\/en\/specialist-operations\.yaml: .*correct options \[b\] vs \[a\]/);
  });

  it('a lesson whose languages disagree on its course or order', () => {
    edit('lessons/en/basic-ai-essentials/safe-use-basics.mdx', (t) => t.replace('order: 2', 'order: 5'));
    expect(problems()).toContainEqual(expect.stringMatching(/^lessons\/en\/basic-ai-essentials\/safe-use-basics\.mdx: lesson "safe-use-basics" has order 5 but lessons\/ja/));
  });

  it('schema errors: unknown keys, bad ids, missing frontmatter', () => {
    edit('courses/basic-ai-essentials.yaml', (t) => `${t}colour: blue\n`);
    edit('quizzes/ja/basic-ai-essentials.yaml', (t) => t.replace('id: how-it-writes', 'id: How It Writes'));
    fs.writeFileSync(file('lessons/ja/basic-ai-essentials/no-frontmatter.mdx'), '# Hello\n');
    const list = problems().join('\n');
    expect(list).toMatch(/courses\/basic-ai-essentials\.yaml: .*colour/);
    expect(list).toMatch(/quizzes\/ja\/basic-ai-essentials\.yaml: questions\.0\.id: use lower-case letters/);
    expect(list).toMatch(/lessons\/ja\/basic-ai-essentials\/no-frontmatter\.mdx: missing frontmatter/);
  });

  it('files starting with _ are drafts and ignored', () => {
    fs.writeFileSync(file('lessons/ja/basic-ai-essentials/_draft.mdx'), 'not even frontmatter');
    expect(problems()).toEqual([]);
  });
});

describe('language fallback', () => {
  it('picks the requested language, else the other with a flag', () => {
    expect(pick({ ja: '基礎', en: 'Basic' }, 'en')).toEqual({ value: 'Basic', locale: 'en', fallback: false });
    expect(pick({ ja: '基礎' }, 'en')).toEqual({ value: '基礎', locale: 'ja', fallback: true });
    expect(pick({ en: 'Basic' }, 'ja')).toEqual({ value: 'Basic', locale: 'en', fallback: true });
  });

  it('a lesson missing in English is still in the catalog, in Japanese only', () => {
    fs.rmSync(file('lessons/en/basic-ai-essentials/safe-use-basics.mdx'));
    expect(problems()).toEqual([]);
    const lesson = buildCatalog(readCorpus(dir, dir).corpus).lesson('safe-use-basics')!;
    expect(lesson.entryIds).toEqual({ ja: 'ja/basic-ai-essentials/safe-use-basics' });
    expect(pick(lesson.title, 'en')).toMatchObject({ locale: 'ja', fallback: true });
  });
});
