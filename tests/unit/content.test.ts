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

describe('revisions', () => {
  const lessonFile = (locale: string) => `lessons/${locale}/basic-ai-essentials/safe-use-basics.mdx`;
  /** Puts `yaml` (the `revision:` key and its value) into a lesson's frontmatter or at the end of a quiz file. */
  const revise = (relative: string, yaml: string) => edit(relative, (t) => (relative.endsWith('.mdx') ? t.replace(/^(---\n[\s\S]*?\n)(---\n)/, `$1${yaml}\n$2`) : `${t}${yaml}\n`));
  const entry = (date: string, significance: string, note: string) => `\n  - date: ${date}\n    significance: ${significance}\n    note: ${note}`;

  it('one entry or a list, newest first, notes merged from both languages', () => {
    revise(lessonFile('ja'), `revision:\n  date: 2026-11-16\n  significance: major\n  note: 入力してはいけない情報を加えました。`);
    revise(lessonFile('en'), 'revision:\n  date: 2026-11-16\n  significance: major\n  note: Added information you must never enter.');
    revise('quizzes/ja/basic-ai-essentials.yaml', `revision:${entry('2026-11-20', 'minor', '誤字を直しました。')}${entry('2026-10-01', 'major', '正解を改めました。')}`);
    revise('quizzes/en/basic-ai-essentials.yaml', `revision:${entry('2026-11-20', 'minor', 'Fixed a typo.')}${entry('2026-10-01', 'major', 'Changed the answer key.')}`);
    expect(problems()).toEqual([]);
    const catalog = buildCatalog(readCorpus(dir, dir).corpus);
    expect(catalog.lesson('safe-use-basics')!.majorRevision).toEqual({
      date: '2026-11-16',
      significance: 'major',
      note: { ja: '入力してはいけない情報を加えました。', en: 'Added information you must never enter.' },
    });
    const quiz = catalog.quiz('basic-ai-essentials')!;
    expect(quiz.revisions.map((r) => [r.date, r.significance, r.note.en])).toEqual([
      ['2026-11-20', 'minor', 'Fixed a typo.'],
      ['2026-10-01', 'major', 'Changed the answer key.'],
    ]);
    expect(quiz.majorRevision?.date).toBe('2026-10-01');
    expect(catalog.lesson('what-is-generative-ai')).toMatchObject({ revisions: [], majorRevision: null });
  });

  it('languages that disagree on a significance or a date, or where one lacks the entry', () => {
    revise(lessonFile('ja'), `revision:${entry('2026-11-16', 'major', 'ルールを加えました。')}`);
    revise(lessonFile('en'), `revision:${entry('2026-11-16', 'minor', 'Added a rule.')}`);
    revise('quizzes/ja/basic-ai-essentials.yaml', `revision:${entry('2026-11-20', 'minor', '誤字を直しました。')}`);
    expect(problems()).toEqual([
      'lessons/en/basic-ai-essentials/safe-use-basics.mdx: lesson "safe-use-basics" lists revisions [2026-11-16 minor] but lessons/ja/basic-ai-essentials/safe-use-basics.mdx lists [2026-11-16 major]; both languages list the same dates and significances in the same order (only the notes differ)',
      'quizzes/en/basic-ai-essentials.yaml: quiz "basic-ai-essentials" lists revisions [] but quizzes/ja/basic-ai-essentials.yaml lists [2026-11-20 minor]; both languages list the same dates and significances in the same order (only the notes differ)',
    ]);
  });

  it('a list that is not newest first, or has two entries for one day', () => {
    for (const locale of ['ja', 'en']) revise(lessonFile(locale), `revision:${entry('2026-09-01', 'minor', 'Wording.')}${entry('2026-10-01', 'major', 'New rule.')}`);
    for (const locale of ['ja', 'en'])
      revise(`quizzes/${locale}/basic-ai-essentials.yaml`, `revision:${entry('2026-10-01', 'minor', 'Typo.')}${entry('2026-10-01', 'minor', 'Typo.')}`);
    const list = problems();
    expect(list).toContain('lessons/ja/basic-ai-essentials/safe-use-basics.mdx: revision: list the entries newest first (2026-10-01 comes after 2026-09-01)');
    expect(list).toContain('quizzes/en/basic-ai-essentials.yaml: revision: two entries dated 2026-10-01; make them one');
  });

  it('schema errors: a bad date, an unknown significance, a long or multi-line note, a missing field', () => {
    revise(lessonFile('ja'), `revision:${entry('"2026-02-30"', 'major', 'ok')}${entry('2026/01/05', 'minor', 'ok')}`);
    revise(
      lessonFile('en'),
      `revision:${entry('2026-01-05', 'huge', 'x'.repeat(141))}\n  - date: 2026-01-01\n    significance: minor\n    note: "two\\nlines"\n  - date: 2025-01-01`,
    );
    const list = problems();
    expect(list).toContain('lessons/ja/basic-ai-essentials/safe-use-basics.mdx: revision.0.date: not a calendar day');
    expect(list).toContain('lessons/ja/basic-ai-essentials/safe-use-basics.mdx: revision.1.date: use YYYY-MM-DD');
    expect(list).toContainEqual(expect.stringMatching(/^lessons\/en\/basic-ai-essentials\/safe-use-basics\.mdx: revision\.0\.significance: .*"minor"\|"major"/));
    expect(list).toContainEqual(expect.stringMatching(/^lessons\/en\/basic-ai-essentials\/safe-use-basics\.mdx: revision\.0\.note: .*140/));
    expect(list).toContain('lessons/en/basic-ai-essentials/safe-use-basics.mdx: revision.1.note: write the note on one line');
    expect(list).toContainEqual(expect.stringMatching(/^lessons\/en\/basic-ai-essentials\/safe-use-basics\.mdx: revision\.2\.significance: /));
  });
});

describe('renewal of a tier', () => {
  it('the fixture: basic and applied renew yearly (changed lessons, everything), specialist never expires', () => {
    const catalog = buildCatalog(readCorpus(FIXTURE, ROOT).corpus);
    expect(catalog.tier('basic')!.renewal).toEqual({ validForMonths: 12, renewWindowDays: 30, takes: 'changed' });
    expect(catalog.tier('applied')!.renewal).toEqual({ validForMonths: 12, renewWindowDays: 30, takes: 'full' });
    expect(catalog.tier('specialist')!.renewal).toBeNull();
  });

  it('defaults to a 30-day window and renewing the changed lessons', () => {
    edit('tiers/specialist.yaml', (t) => `${t}validForMonths: 24\n`);
    expect(problems()).toEqual([]);
    expect(buildCatalog(readCorpus(dir, dir).corpus).tier('specialist')!.renewal).toEqual({ validForMonths: 24, renewWindowDays: 30, takes: 'changed' });
  });

  it('a window as long as the validity, renewal settings without validForMonths, values out of range', () => {
    edit('tiers/basic.yaml', (t) => t.replace('validForMonths: 12', 'validForMonths: 1').replace('renewWindowDays: 30', 'renewWindowDays: 28'));
    edit('tiers/specialist.yaml', (t) => `${t}renewWindowDays: 14\nrenewal: full\n`);
    edit('tiers/applied.yaml', (t) => t.replace('validForMonths: 12', 'validForMonths: 61').replace('renewal: full', 'renewal: partial'));
    const list = problems();
    expect(list).toContain(
      'tiers/basic.yaml: renewWindowDays: renewWindowDays 28 must be less than validForMonths × 28 (28), or the window would open before the certificate is issued',
    );
    expect(list).toContain('tiers/specialist.yaml: renewWindowDays: renewWindowDays applies only with validForMonths (a certificate that never expires is never renewed)');
    expect(list).toContain('tiers/specialist.yaml: renewal: renewal applies only with validForMonths (a certificate that never expires is never renewed)');
    expect(list).toContainEqual(expect.stringMatching(/^tiers\/applied\.yaml: validForMonths: .*60/));
    expect(list).toContainEqual(expect.stringMatching(/^tiers\/applied\.yaml: renewal: .*"full"\|"changed"/));
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
