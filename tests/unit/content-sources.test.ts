/**
 * Lesson rules the linters cannot see (CONTENT-RULES §3–5):
 * - every figure and legal statement carries a <Source /> in its paragraph or the sentence next to it
 *   (heuristic in tests/helpers/lesson-claims.ts; made-up figures must say so);
 * - every Source has a publisher, a title, a valid date and a public address;
 * - every KeyTakeaways item of a Japanese lesson is written in です・ます;
 * - English titles and headings are in sentence case.
 */
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';
import { unsourcedClaims } from '../helpers/lesson-claims.ts';
import { ROOT } from '../helpers/fixture.ts';

const { corpus } = readCorpus(path.join(ROOT, 'content'), ROOT);
const lessons = corpus.lessons.map((entry) => {
  const text = fs.readFileSync(path.join(ROOT, entry.file), 'utf8');
  const frontmatter = /^---\r?\n[\s\S]*?\r?\n---\r?\n/.exec(text)?.[0] ?? '';
  return { ...entry, body: text.slice(frontmatter.length), offset: frontmatter.split('\n').length - 1 };
});

describe('the heuristic for statements that need a source', () => {
  const source = '<Source publisher="パナソニック コネクト" title="t" date="2024-06-25" href="https://example.org/" />';

  it('flags a figure or a law without a source', () => {
    expect(unsourcedClaims('パナソニック コネクトは、1年で18.6万時間を削減しました。')).toMatchObject([{ kind: 'figure', line: 1 }]);
    expect(unsourcedClaims('## 見出し\n\n利用率は60%に上がりました。')).toMatchObject([{ kind: 'figure', line: 3 }]);
    expect(unsourcedClaims('著作権法第30条の4は、学習のための利用を認めています。')).toMatchObject([{ kind: 'law' }]);
    expect(unsourcedClaims('It saved 186,000 working hours in a year.')).toMatchObject([{ kind: 'figure' }]);
    expect(unsourcedClaims('It went to about 13,400 employees.')).toMatchObject([{ kind: 'figure' }]);
    expect(unsourcedClaims('Under Article 27 of the Act, consent is needed.')).toMatchObject([{ kind: 'law' }]);
  });

  it('accepts a source in the paragraph, or in the sentence just before or after it', () => {
    expect(unsourcedClaims(`1年で18.6万時間を削減しました${source}。`)).toEqual([]);
    expect(unsourcedClaims(`前の段落です${source}。\n\n1年で18.6万時間を削減しました。`)).toEqual([]);
    expect(unsourcedClaims(`1年で18.6万時間を削減しました。\n\n出典はこちらです${source}。次の文です。`)).toEqual([]);
    expect(unsourcedClaims(`最初の文です${source}。ここまで。\n\n1年で18.6万時間を削減しました。`)).toEqual([expect.objectContaining({ kind: 'figure' })]);
  });

  it('accepts figures that say they are made up, and ignores quotes, prompt examples and ordinary words', () => {
    expect(unsourcedClaims('計算の練習です。2時間 × 150人 = 月300時間です。')).toEqual([]);
    expect(unsourcedClaims('数字は練習用の仮の値です。\n\n| 業務 | 時間 |\n|---|---|\n| 議事録 | 10時間 |')).toEqual([]);
    expect(unsourcedClaims('目標は「対応時間 −50%」のように書きます。')).toEqual([]);
    expect(unsourcedClaims('<PromptExample\n  prompt={`売上は30%増えた`}\n/>')).toEqual([]);
    expect(unsourcedClaims('この方法で、法務部門と法令を確認します。')).toEqual([]);
    expect(unsourcedClaims('- **Act**: add FAQs or training')).toEqual([]);
  });
});

describe.each(lessons.map((l) => [l.file, l] as const))('%s', (_file, lesson) => {
  it('gives every figure and legal statement its source', () => {
    const where = unsourcedClaims(lesson.body).map((c) => `${lesson.file}:${c.line + lesson.offset} (${c.kind}): ${c.sentence}`);
    expect(where).toEqual([]);
  });

  it('cites sources with a publisher, a title, a date and a public address', () => {
    for (const [tag] of lesson.body.matchAll(/<Source\b[^>]*\/>/g)) {
      expect(tag, lesson.file).toMatch(/publisher="[^"]+"/);
      expect(tag, lesson.file).toMatch(/title="[^"]+"/);
      expect(tag, lesson.file).toMatch(/date="\d{4}-\d{2}(?:-\d{2})?"/);
      expect(tag, lesson.file).toMatch(/href="https:\/\/[^"]+"/);
    }
  });

  if (lesson.locale === 'ja') {
    it('writes every KeyTakeaways item in です・ます', () => {
      const box = /<KeyTakeaways>([\s\S]*?)<\/KeyTakeaways>/.exec(lesson.body)?.[1] ?? '';
      const items = box.split('\n').filter((line) => line.startsWith('- '));
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) {
        for (const sentence of item
          .slice(2)
          .split(/(?<=。)/)
          .filter((s) => s.trim())) {
          // A closing aside such as （ベースライン） or （例：…） may follow the verb.
          expect(sentence.replace(/（[^）]*）(?=。$)/, ''), item).toMatch(/(?:です|ます|ません|ましょう|でした|ました|ください)。$/);
        }
      }
    });
  }

  if (lesson.locale === 'en') {
    it('writes the title and headings in sentence case', () => {
      const headings = [lesson.data.title, ...[...lesson.body.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!)];
      for (const heading of headings) expect(titleCaseWords(heading), heading).toEqual([]);
    });
  }
});

/** Proper nouns and names that keep their capital inside a sentence-case heading. */
const PROPER = new Set(['AI', 'Japan', 'Japanese', 'Panasonic', 'Connect', 'ConnectAI', 'OpenAI', 'OWASP', 'My', 'Number', 'Q&A']);

/** Words after the first that are capitalised although they are neither acronyms nor proper nouns. */
function titleCaseWords(heading: string): string[] {
  const words = heading.split(/\s+/);
  return words.filter((word, i) => {
    if (i === 0 || /[:.]$/.test(words[i - 1]!)) return false;
    const bare = word.replace(/^[^A-Za-z]+|[^A-Za-z&]+$/g, '');
    return /^[A-Z][a-z]/.test(bare) && !PROPER.has(bare);
  });
}

it('writes English tier and course titles in sentence case', () => {
  for (const folder of ['tiers', 'courses']) {
    for (const name of fs.readdirSync(path.join(ROOT, 'content', folder)).filter((n) => n.endsWith('.yaml'))) {
      const data = loadYaml(fs.readFileSync(path.join(ROOT, 'content', folder, name), 'utf8')) as { title: { en?: string } };
      if (data.title.en) expect(titleCaseWords(data.title.en), `${folder}/${name}`).toEqual([]);
    }
  }
});
