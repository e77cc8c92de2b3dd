/**
 * Every lesson of the shipped curriculum has practice (CONTENT-RULES.md §6): at least one `tryIt`
 * entry in its frontmatter, each placed exactly once in the body with `<TryIt id="…" />` on its own
 * line between blank lines; every `<TryIt>` in a body refers to an entry of that lesson; both
 * languages have the same practice ids; every lesson ends its teaching with KeyTakeaways.
 * Generic over the whole curriculum. The second half breaks a copy to show each rule can fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';
import { tempDir } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONTENT = path.join(ROOT, 'content');

interface LessonText {
  id: string;
  locale: string;
  file: string;
  practiceIds: string[];
  body: string;
}

/** The lessons under `contentDir` with their practice ids and MDX body. */
function lessonsIn(contentDir: string): { lessons: LessonText[]; problems: string[] } {
  const root = path.dirname(contentDir);
  const { corpus, problems } = readCorpus(contentDir, root);
  const lessons = corpus.lessons.map((entry) => ({
    id: entry.id,
    locale: entry.locale,
    file: entry.file,
    practiceIds: entry.data.tryIt.map((t) => t.id),
    body: fs.readFileSync(path.join(root, entry.file), 'utf8').replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, ''),
  }));
  return { lessons, problems };
}

function practiceProblems(lessons: LessonText[]): string[] {
  const problems: string[] = [];
  for (const lesson of lessons) {
    const report = (message: string): void => {
      problems.push(`${lesson.file}: ${message}`);
    };
    if (lesson.practiceIds.length === 0) report('has no practice task (add a tryIt entry and place it with <TryIt id="…" />)');
    const duplicates = lesson.practiceIds.filter((id, i) => lesson.practiceIds.indexOf(id) !== i);
    if (duplicates.length > 0) report(`repeats tryIt id(s) ${duplicates.join(', ')}`);

    const lines = lesson.body.split(/\r?\n/);
    const placed: string[] = [];
    lines.forEach((line, i) => {
      for (const [tag] of line.matchAll(/<TryIt\b[^>]*>/g)) {
        const id = /\bid="([^"]*)"/.exec(tag)?.[1];
        if (id === undefined) {
          report(`line ${i + 1}: ${tag} has no id="…"`);
          continue;
        }
        placed.push(id);
        if (!lesson.practiceIds.includes(id)) report(`line ${i + 1}: <TryIt id="${id}" /> has no tryIt entry in the frontmatter`);
        if (line.trim() !== `<TryIt id="${id}" />` || (lines[i - 1] ?? '').trim() !== '' || (lines[i + 1] ?? '').trim() !== '') {
          report(`line ${i + 1}: put <TryIt id="${id}" /> on its own line with a blank line before and after`);
        }
      }
    });
    for (const id of lesson.practiceIds) {
      const count = placed.filter((p) => p === id).length;
      if (count !== 1) report(`tryIt "${id}" is placed ${count} times in the body; place it exactly once with <TryIt id="${id}" />`);
    }

    if (!/^<KeyTakeaways>\s*$/m.test(lesson.body) || !/^<\/KeyTakeaways>\s*$/m.test(lesson.body)) report('has no <KeyTakeaways> box');
  }

  const byId = new Map<string, LessonText[]>();
  for (const lesson of lessons) byId.set(lesson.id, [...(byId.get(lesson.id) ?? []), lesson]);
  for (const [, versions] of byId) {
    const [reference, ...others] = [...versions].sort((a, b) => (a.locale === 'ja' ? -1 : 1) - (b.locale === 'ja' ? -1 : 1));
    for (const other of others) {
      if (reference!.practiceIds.join() !== other.practiceIds.join()) {
        problems.push(
          `${other.file}: tryIt ids [${other.practiceIds.join(', ')}] differ from ${reference!.file} [${reference!.practiceIds.join(', ')}]; both languages need the same ids`,
        );
      }
    }
  }
  return problems;
}

const shipped = lessonsIn(CONTENT);

describe('practice in every lesson of the shipped curriculum', () => {
  it('reads without schema problems', () => {
    expect(shipped.problems).toEqual([]);
  });

  it.each(shipped.lessons.map((l) => [l.file] as const))('%s has its practice placed and KeyTakeaways', (file) => {
    expect(practiceProblems(shipped.lessons).filter((p) => p.startsWith(`${file}:`))).toEqual([]);
  });
});

describe('each rule fails on a broken copy of the curriculum', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(tempDir('manabi-practice-'), 'content');
    fs.cpSync(CONTENT, dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  const problems = (): string => practiceProblems(lessonsIn(dir).lessons).join('\n');
  const sample = shipped.lessons.find((l) => l.locale === 'ja' && l.practiceIds.length > 0)!;
  const practiceId = sample.practiceIds[0]!;
  const fileName = (locale: string): string => sample.file.replace('/lessons/ja/', `/lessons/${locale}/`);
  const fileOf = (locale: string): string => path.join(path.dirname(dir), fileName(locale));
  const edit = (locale: string, change: (text: string) => string): void => {
    const file = fileOf(locale);
    const before = fs.readFileSync(file, 'utf8');
    const after = change(before);
    expect(after, 'the edit changed nothing').not.toBe(before);
    fs.writeFileSync(file, after);
  };
  const placement = `\n<TryIt id="${practiceId}" />\n`;

  it('the unbroken copy has no problems', () => {
    expect(problems()).toBe('');
  });

  it('a lesson without practice', () => {
    edit('ja', (t) => t.replace(/^tryIt:\n[\s\S]*?(?=^---$)/m, '').replaceAll(/\n<TryIt id="[^"]*" \/>\n/g, '\n'));
    expect(problems()).toContain(`${fileName('ja')}: has no practice task`);
  });

  it('a <TryIt> in the body without a frontmatter entry', () => {
    edit('ja', (t) => t.replace(placement, '\n<TryIt id="no-such-task" />\n'));
    const list = problems();
    expect(list).toMatch(new RegExp(`${fileName('ja')}: line \\d+: <TryIt id="no-such-task" /> has no tryIt entry in the frontmatter`));
    expect(list).toContain(`${fileName('ja')}: tryIt "${practiceId}" is placed 0 times in the body`);
  });

  it('a practice task placed twice', () => {
    edit('ja', (t) => t.replace(placement, `${placement}\n${placement}`));
    expect(problems()).toContain(`${fileName('ja')}: tryIt "${practiceId}" is placed 2 times in the body`);
  });

  it('a <TryIt> that is not on its own line between blank lines, or has no id', () => {
    edit('ja', (t) => t.replace(placement, `\n練習です。<TryIt id="${practiceId}" />\n<TryIt />\n`));
    const list = problems();
    expect(list).toMatch(new RegExp(`${fileName('ja')}: line \\d+: put <TryIt id="${practiceId}" /> on its own line`));
    expect(list).toMatch(new RegExp(`${fileName('ja')}: line \\d+: <TryIt /> has no id`));
  });

  it('languages with different practice ids', () => {
    edit('en', (t) => t.replace(`- id: ${practiceId}\n`, '- id: renamed-task\n').replace(placement, '\n<TryIt id="renamed-task" />\n'));
    expect(problems()).toContain(`${fileName('en')}: tryIt ids [renamed-task`);
  });

  it('a lesson without KeyTakeaways', () => {
    edit('en', (t) => t.replace(/\n<KeyTakeaways>\n[\s\S]*?\n<\/KeyTakeaways>\n?/, '\n'));
    expect(problems()).toContain(`${fileName('en')}: has no <KeyTakeaways> box`);
  });
});
