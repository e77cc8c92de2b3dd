/**
 * `npm run content:check` prints the curriculum's counts (issue 16's acceptance: lessons per tier
 * and language, bank size and draw per quiz, TryIt and sources per lesson), exits 0 on the shipped
 * curriculum and 1 on a broken copy, naming the file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentSummary, countSources } from '../../src/features/curriculum/summary.ts';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';
import { tempDir } from '../helpers/db.ts';
import { ROOT } from '../helpers/fixture.ts';

const CONTENT = path.join(ROOT, 'content');

function contentCheck(dir: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['src/cli/content-check.ts'], { cwd: ROOT, env: { ...process.env, MANABI_CONTENT_DIR: dir }, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the counts', () => {
  it('counts Source components and footnote definitions', () => {
    expect(countSources('A<Source publisher="p" title="t" date="2025-01" href="https://x/" />. B<Source\n  publisher="q" />.\n\n[^1]: note\n[^a]: other')).toBe(4);
    expect(countSources('No source, a [^1] reference only, <SourceList> is not one.')).toBe(0);
  });

  it('lists every tier, every quiz with its bank and draw, every lesson with TryIt and sources in both languages', () => {
    const { corpus } = readCorpus(CONTENT, ROOT);
    const bodies = new Map<string, string>();
    const lines = contentSummary(corpus, (file) => {
      bodies.set(file, '');
      return '<Source publisher="p" title="t" date="2025-01" href="https://x/" />';
    });
    const text = lines.join('\n');
    expect(text).toMatch(/^Lessons per tier \(ja \/ en\):\n {2}basic {7}\d+ \/ \d+\n {2}applied {5}\d+ \/ \d+\n {2}specialist {2}\d+ \/ \d+$/m);
    for (const quiz of corpus.quizzes.filter((q) => q.locale === 'ja')) {
      const lessons = new Set(corpus.lessons.filter((l) => l.data.course === quiz.data.course).map((l) => l.id)).size;
      expect(text).toMatch(new RegExp(`^ {2}${quiz.id} +bank ${quiz.data.questions.length} +draw ${quiz.data.draw} +${lessons} lessons$`, 'm'));
    }
    for (const lesson of corpus.lessons.filter((l) => l.locale === 'ja')) {
      const tryIt = lesson.data.tryIt.length;
      expect(text).toMatch(new RegExp(`^ {2}${lesson.data.course}/${lesson.id} +TryIt ${tryIt} / ${tryIt} +sources 1 / 1$`, 'm'));
    }
    expect(bodies.size).toBe(corpus.lessons.length);
  });
});

describe('npm run content:check', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(tempDir('manabi-content-check-'), 'content');
    fs.cpSync(CONTENT, dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('prints the counts and exits 0 on the shipped curriculum', () => {
    const run = contentCheck(dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Lessons per tier (ja / en):');
    expect(run.stdout).toMatch(/^ {2}basic-ai-essentials +bank \d+ +draw \d+ +\d+ lessons$/m);
    expect(run.stdout).toMatch(/^Totals: \d+ \/ \d+ lessons \(ja \/ en\), \d+ TryIt, 0 lesson file\(s\) without one, \d+ sources\.$/m);
    expect(run.stdout.trim().endsWith('Content ok.')).toBe(true);
  });

  it('exits 1 on a bank smaller than 2 × draw, naming the file, and still prints the counts', () => {
    const file = path.join(dir, 'quizzes/en/basic-ai-essentials.yaml');
    const ja = path.join(dir, 'quizzes/ja/basic-ai-essentials.yaml');
    for (const f of [file, ja]) fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^draw: \d+$/m, 'draw: 10'));
    const run = contentCheck(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/quizzes\/ja\/basic-ai-essentials\.yaml: the bank of \d+ questions is smaller than 2 × draw \(20\)/);
    expect(run.stdout).toMatch(/^ {2}basic-ai-essentials +bank \d+ +draw 10 /m);
    expect(run.stdout).not.toContain('Content ok.');
  });

  it('exits 1 on revision entries that are malformed or differ between the languages, naming the file', () => {
    const lesson = (locale: string) => path.join(dir, `lessons/${locale}/basic-ai-essentials/prompt-basics.mdx`);
    const revise = (locale: string, yaml: string) =>
      fs.writeFileSync(lesson(locale), fs.readFileSync(lesson(locale), 'utf8').replace(/^(---\n[\s\S]*?\n)(---\n)/, `$1${yaml}\n$2`));
    revise('ja', 'revision:\n  date: 2026-11-16\n  significance: major\n  note: 依頼の例を改めました。');
    revise('en', 'revision:\n  date: 2026-11-16\n  significance: minor\n  note: Changed the example request.');
    const mismatch = contentCheck(dir);
    expect(mismatch.status).toBe(1);
    expect(mismatch.stderr).toMatch(
      /^ {2}- \S*content\/lessons\/en\/basic-ai-essentials\/prompt-basics\.mdx: lesson "prompt-basics" lists revisions \[2026-11-16 minor\] but \S*content\/lessons\/ja\/basic-ai-essentials\/prompt-basics\.mdx lists \[2026-11-16 major\]/m,
    );
    fs.writeFileSync(lesson('ja'), fs.readFileSync(lesson('ja'), 'utf8').replace('date: 2026-11-16', 'date: 16.11.2026'));
    const badDate = contentCheck(dir);
    expect(badDate.status).toBe(1);
    expect(badDate.stderr).toMatch(/^ {2}- \S*content\/lessons\/ja\/basic-ai-essentials\/prompt-basics\.mdx: revision\.0\.date: use YYYY-MM-DD$/m);
  });
});
