/**
 * Every quiz of the shipped curriculum is a question bank that measures (CONTENT-RULES.md §8):
 * a bank of at least 2 × draw questions, every question tagged with a lesson of its course and
 * every lesson asked at least twice; no answer cues (the correct option is the longest in at most
 * 40 % of single-choice questions; multiple-choice questions vary in how many options are
 * correct); per-option explanations in the basic tier; Japanese and English agree on ids,
 * correct flags, lesson tags and draw. Generic over the whole curriculum, so new courses are held
 * to the same bar. The second half breaks a copy of the curriculum to show each rule can fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkContent } from '../../src/features/curriculum/check.ts';
import type { LocalizedEntry, RawCorpus } from '../../src/features/curriculum/corpus.ts';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';
import type { QuizData } from '../../src/features/curriculum/schemas.ts';
import { tempDir } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONTENT = path.join(ROOT, 'content');

const LONGEST_CORRECT_MAX = 0.4;
const SAME_COUNT_MAX = 0.6;
const MIN_MULTIPLE = 3;

/** Characters as a reader counts them (code points, so a kanji is one). */
const length = (text: string): number => Array.from(text).length;

/** Every rule broken by one quiz file, each message starting with the file. */
function quizBankProblems(corpus: RawCorpus): string[] {
  const problems: string[] = [];
  const lessonsOf = (course: string): string[] => [...new Set(corpus.lessons.filter((l) => l.data.course === course).map((l) => l.id))].sort();

  for (const quiz of corpus.quizzes) {
    const report = (message: string): void => {
      problems.push(`${quiz.file}: ${message}`);
    };
    const { draw, questions, course } = quiz.data;
    const lessons = lessonsOf(course);

    if (draw === undefined) report('is not a question bank: set draw (CONTENT-RULES §8, e.g. draw: 8 with 16 questions)');
    else if (questions.length < 2 * draw) report(`bank of ${questions.length} questions is smaller than 2 × draw (${2 * draw})`);

    for (const question of questions) {
      if (question.lesson === undefined) report(`question "${question.id}" has no lesson tag`);
      else if (!lessons.includes(question.lesson)) report(`question "${question.id}" is tagged "${question.lesson}", not a lesson of ${course} (${lessons.join(', ')})`);
    }
    if (draw !== undefined) {
      for (const lesson of lessons) {
        const count = questions.filter((q) => q.lesson === lesson).length;
        if (count < 2) report(`lesson "${lesson}" has ${count} question(s) in the bank; every lesson needs at least 2`);
      }
    }

    const singles = questions.filter((q) => q.type === 'single');
    const longest = singles.filter((q) => {
      const correct = q.options.find((o) => o.correct);
      return correct !== undefined && q.options.every((o) => o === correct || length(o.text) <= length(correct.text));
    });
    if (singles.length > 0 && longest.length / singles.length > LONGEST_CORRECT_MAX) {
      report(
        `the correct option is the longest (ties count) in ${longest.length} of ${singles.length} single-choice questions, more than ${LONGEST_CORRECT_MAX * 100} %: ${longest.map((q) => q.id).join(', ')}`,
      );
    }

    const multiples = questions.filter((q) => q.type === 'multiple');
    if (multiples.length < MIN_MULTIPLE) report(`has ${multiples.length} multiple-choice question(s); a bank needs at least ${MIN_MULTIPLE}`);
    const byCount = new Map<number, string[]>();
    for (const q of multiples) {
      const count = q.options.filter((o) => o.correct).length;
      byCount.set(count, [...(byCount.get(count) ?? []), q.id]);
    }
    for (const [count, ids] of byCount) {
      if (multiples.length > 0 && ids.length / multiples.length > SAME_COUNT_MAX) {
        report(`${ids.length} of ${multiples.length} multiple-choice questions have ${count} correct option(s), more than ${SAME_COUNT_MAX * 100} %: ${ids.join(', ')}`);
      }
    }

    const tier = corpus.courses.find((c) => c.id === course)?.data.tier;
    if (tier === 'basic') {
      for (const question of questions) {
        const missing = question.options.filter((o) => o.explanation === undefined).map((o) => o.id);
        if (missing.length > 0) report(`question "${question.id}" (basic tier) has options without their own explanation: ${missing.join(', ')}`);
      }
    }
  }

  for (const [, versions] of byQuizId(corpus.quizzes)) {
    const [reference, ...others] = versions;
    for (const other of others) problems.push(...disagreements(reference!, other));
  }
  return problems;
}

function byQuizId(quizzes: LocalizedEntry<QuizData>[]): Map<string, LocalizedEntry<QuizData>[]> {
  const map = new Map<string, LocalizedEntry<QuizData>[]>();
  for (const quiz of [...quizzes].sort((a, b) => (a.locale === 'ja' ? -1 : 0) - (b.locale === 'ja' ? -1 : 0))) {
    map.set(quiz.id, [...(map.get(quiz.id) ?? []), quiz]);
  }
  return map;
}

/** What grading and drawing depend on, as one comparable value per question. */
function shape(quiz: QuizData): unknown {
  return {
    draw: quiz.draw,
    questions: quiz.questions.map((q) => ({ id: q.id, type: q.type, lesson: q.lesson, options: q.options.map((o) => [o.id, o.correct]) })),
  };
}

function disagreements(a: LocalizedEntry<QuizData>, b: LocalizedEntry<QuizData>): string[] {
  const differ = (what: string): string => `${b.file}: differs from ${a.file}: ${what}`;
  if (JSON.stringify(shape(a.data)) === JSON.stringify(shape(b.data))) return [];
  const out: string[] = [];
  if (a.data.draw !== b.data.draw) out.push(differ(`draw ${String(b.data.draw)} vs ${String(a.data.draw)}`));
  const aIds = a.data.questions.map((q) => q.id).join(', ');
  const bIds = b.data.questions.map((q) => q.id).join(', ');
  if (aIds !== bIds) return [...out, differ(`question ids [${bIds}] vs [${aIds}]`)];
  a.data.questions.forEach((qa, i) => {
    const qb = b.data.questions[i]!;
    if (qa.lesson !== qb.lesson) out.push(differ(`question "${qa.id}" lesson ${String(qb.lesson)} vs ${String(qa.lesson)}`));
    if (qa.type !== qb.type) out.push(differ(`question "${qa.id}" type ${qb.type} vs ${qa.type}`));
    if (JSON.stringify(qa.options.map((o) => [o.id, o.correct])) !== JSON.stringify(qb.options.map((o) => [o.id, o.correct]))) {
      out.push(differ(`question "${qa.id}" option ids or correct flags`));
    }
  });
  return out;
}

const shipped = readCorpus(CONTENT, ROOT);

describe('question banks of the shipped curriculum', () => {
  it('reads without schema problems', () => {
    expect(shipped.problems).toEqual([]);
  });

  it.each(shipped.corpus.quizzes.map((q) => [q.file] as const))('%s meets the bank rules', (file) => {
    expect(quizBankProblems(shipped.corpus).filter((p) => p.startsWith(`${file}:`))).toEqual([]);
  });

  it('has a Japanese and an English version of every quiz', () => {
    for (const [id, versions] of byQuizId(shipped.corpus.quizzes)) expect(versions.map((v) => v.locale).sort(), id).toEqual(['en', 'ja']);
  });
});

describe('each rule fails on a broken copy of the curriculum', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(tempDir('manabi-banks-'), 'content');
    fs.cpSync(CONTENT, dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  const corpusOf = (): RawCorpus => readCorpus(dir, path.dirname(dir)).corpus;
  const problems = (): string => quizBankProblems(corpusOf()).join('\n');
  const build = (): string => checkContent(dir, path.dirname(dir)).join('\n');
  const tierOf = (course: string): string | undefined => shipped.corpus.courses.find((c) => c.id === course)?.data.tier;
  /** A shipped quiz to break: the first one, or the first matching. */
  const sample = (match: (q: LocalizedEntry<QuizData>) => boolean = () => true): LocalizedEntry<QuizData> => shipped.corpus.quizzes.find((q) => q.locale === 'ja' && match(q))!;
  const edit = (quiz: LocalizedEntry<QuizData>, locales: string[], change: (data: Record<string, unknown> & { questions: Record<string, unknown>[] }) => void): void => {
    for (const locale of locales) {
      const file = path.join(dir, 'quizzes', locale, `${quiz.id}.yaml`);
      const data = load(fs.readFileSync(file, 'utf8')) as Record<string, unknown> & { questions: Record<string, unknown>[] };
      change(data);
      fs.writeFileSync(file, dump(data, { lineWidth: -1 }));
    }
  };
  type Option = { id: string; text: string; correct?: boolean; explanation?: string };
  const optionsOf = (q: Record<string, unknown>): Option[] => q.options as Option[];

  it('the unbroken copy has no problems', () => {
    expect(problems()).toBe('');
    expect(build()).toBe('');
  });

  it('a quiz without draw is not a bank', () => {
    const quiz = sample();
    edit(quiz, ['ja', 'en'], (d) => delete d.draw);
    expect(problems()).toMatch(new RegExp(`quizzes/ja/${quiz.id}\\.yaml: is not a question bank`));
  });

  it('a bank smaller than 2 × draw', () => {
    const quiz = sample();
    edit(quiz, ['ja', 'en'], (d) => {
      d.draw = Math.ceil(d.questions.length / 2) + 1;
    });
    expect(problems()).toMatch(/bank of \d+ questions is smaller than 2 × draw/);
  });

  it('a question without a lesson tag, and one tagged with a lesson of another course', () => {
    const quiz = sample();
    const foreign = shipped.corpus.lessons.find((l) => l.data.course !== quiz.data.course)!.id;
    edit(quiz, ['ja', 'en'], (d) => {
      delete d.questions[0]!.lesson;
      d.questions[1]!.lesson = foreign;
    });
    const list = problems();
    expect(list).toContain(`question "${quiz.data.questions[0]!.id}" has no lesson tag`);
    expect(list).toContain(`question "${quiz.data.questions[1]!.id}" is tagged "${foreign}", not a lesson of ${quiz.data.course}`);
  });

  it('a lesson with fewer than two questions in the bank', () => {
    const quiz = sample();
    const lesson = quiz.data.questions[0]!.lesson!;
    const other = quiz.data.questions.find((q) => q.lesson !== lesson)!.lesson!;
    edit(quiz, ['ja', 'en'], (d) => {
      let kept = 0;
      for (const q of d.questions) if (q.lesson === lesson && kept++ > 0) q.lesson = other;
    });
    expect(problems()).toContain(`lesson "${lesson}" has 1 question(s) in the bank; every lesson needs at least 2`);
  });

  it('the correct option as the longest in too many single-choice questions', () => {
    const quiz = sample();
    edit(quiz, ['ja'], (d) => {
      for (const q of d.questions) {
        if (q.type !== 'single') continue;
        const correct = optionsOf(q).find((o) => o.correct)!;
        correct.text = `${correct.text}${'。'.repeat(Math.max(...optionsOf(q).map((o) => length(o.text))))}`;
      }
    });
    expect(problems()).toMatch(new RegExp(`quizzes/ja/${quiz.id}\\.yaml: the correct option is the longest \\(ties count\\) in (\\d+) of \\1 single-choice questions`));
  });

  it('ties count as longest', () => {
    const quiz = sample();
    edit(quiz, ['ja'], (d) => {
      for (const q of d.questions) if (q.type === 'single') for (const o of optionsOf(q)) o.text = 'ああああ';
    });
    expect(problems()).toMatch(/the correct option is the longest \(ties count\)/);
  });

  it('multiple-choice questions that all have the same number of correct options', () => {
    const quiz = sample();
    edit(quiz, ['ja', 'en'], (d) => {
      for (const q of d.questions) {
        if (q.type !== 'multiple') continue;
        optionsOf(q).forEach((o, i) => {
          o.correct = i < 2;
        });
      }
    });
    expect(problems()).toMatch(new RegExp(`quizzes/ja/${quiz.id}\\.yaml: (\\d+) of \\1 multiple-choice questions have 2 correct option\\(s\\)`));
  });

  it('fewer than three multiple-choice questions', () => {
    const quiz = sample();
    edit(quiz, ['ja', 'en'], (d) => {
      d.questions = d.questions.filter((q) => q.type === 'single').concat(d.questions.filter((q) => q.type === 'multiple').slice(0, 2));
    });
    expect(problems()).toMatch(new RegExp(`quizzes/ja/${quiz.id}\\.yaml: has 2 multiple-choice question\\(s\\)`));
  });

  it('a basic-tier option without its own explanation (and no such rule above the basic tier)', () => {
    const basic = sample((q) => tierOf(q.data.course) === 'basic');
    edit(basic, ['ja'], (d) => delete optionsOf(d.questions[0]!)[0]!.explanation);
    expect(problems()).toContain(
      `quizzes/ja/${basic.id}.yaml: question "${basic.data.questions[0]!.id}" (basic tier) has options without their own explanation: ${basic.data.questions[0]!.options[0]!.id}`,
    );

    const other = sample((q) => tierOf(q.data.course) !== 'basic');
    edit(other, ['ja'], (d) => {
      for (const q of d.questions) for (const o of optionsOf(q)) delete o.explanation;
    });
    expect(problems()).not.toMatch(new RegExp(`quizzes/ja/${other.id}\\.yaml: .*basic tier`));
  });

  it('Japanese and English that disagree on a lesson tag or on draw (here and in the build-time check)', () => {
    const quiz = sample();
    const first = quiz.data.questions[0]!;
    const otherLesson = quiz.data.questions.find((q) => q.lesson !== first.lesson)!.lesson!;
    edit(quiz, ['en'], (d) => {
      d.questions[0]!.lesson = otherLesson;
      d.draw = Number(d.draw) - 1;
    });
    const list = problems();
    expect(list).toContain(`content/quizzes/en/${quiz.id}.yaml: differs from content/quizzes/ja/${quiz.id}.yaml: draw`);
    expect(list).toContain(`content/quizzes/en/${quiz.id}.yaml: differs from content/quizzes/ja/${quiz.id}.yaml: question "${first.id}" lesson ${otherLesson} vs ${first.lesson}`);
    expect(build()).toMatch(new RegExp(`quizzes/en/${quiz.id}\\.yaml: quiz "${quiz.id}" differs .*: draw`));
    expect(build()).toMatch(new RegExp(`quizzes/en/${quiz.id}\\.yaml: quiz "${quiz.id}" differs .*: question "${first.id}" lesson`));
  });

  it('Japanese and English that disagree on a correct flag', () => {
    const quiz = sample();
    edit(quiz, ['en'], (d) => {
      const q = d.questions.find((x) => x.type === 'multiple')!;
      const o = optionsOf(q).find((x) => !x.correct)!;
      o.correct = true;
    });
    expect(problems()).toMatch(new RegExp(`quizzes/en/${quiz.id}\\.yaml: differs from .*option ids or correct flags`));
  });

  describe('the build-time check (npm run content:check, the build)', () => {
    it('rejects a bank smaller than 2 × draw and a lesson with fewer than two questions, naming the file', () => {
      const quiz = sample();
      const lesson = quiz.data.questions[0]!.lesson!;
      const other = quiz.data.questions.find((q) => q.lesson !== lesson)!.lesson!;
      edit(quiz, ['ja', 'en'], (d) => {
        d.draw = Math.floor(d.questions.length / 2) + 1;
        let kept = 0;
        for (const q of d.questions) if (q.lesson === lesson && kept++ > 0) q.lesson = other;
      });
      const draw = Math.floor(quiz.data.questions.length / 2) + 1;
      expect(build()).toContain(`content/quizzes/ja/${quiz.id}.yaml: the bank of ${quiz.data.questions.length} questions is smaller than 2 × draw (${2 * draw})`);
      expect(build()).toContain(`content/quizzes/en/${quiz.id}.yaml: the bank of ${quiz.data.questions.length} questions is smaller than 2 × draw (${2 * draw})`);
      expect(build()).toContain(`content/quizzes/ja/${quiz.id}.yaml: lesson "${lesson}" has 1 question(s) in the bank; a bank needs at least 2 per lesson`);
    });

    it('rejects a lesson tag that is not a lesson of the quiz’s course', () => {
      const quiz = sample();
      const foreign = shipped.corpus.lessons.find((l) => l.data.course !== quiz.data.course)!.id;
      edit(quiz, ['ja', 'en'], (d) => {
        d.questions[0]!.lesson = foreign;
      });
      expect(build()).toContain(
        `quizzes/ja/${quiz.id}.yaml: question "${quiz.data.questions[0]!.id}" is tagged with lesson "${foreign}", which is not a lesson of course "${quiz.data.course}"`,
      );
    });

    it('rejects a draw larger than the bank, smaller than the number of lessons, and untagged questions in a bank', () => {
      const quiz = sample();
      edit(quiz, ['ja', 'en'], (d) => {
        d.draw = d.questions.length + 1;
        delete d.questions[0]!.lesson;
      });
      expect(build()).toContain(`quizzes/ja/${quiz.id}.yaml: draw ${quiz.data.questions.length + 1} is larger than the bank of ${quiz.data.questions.length} questions`);
      expect(build()).toContain(`quizzes/ja/${quiz.id}.yaml: a quiz with draw needs a lesson tag on every question; missing on ${quiz.data.questions[0]!.id}`);
      edit(quiz, ['ja', 'en'], (d) => {
        d.draw = 1;
      });
      expect(build()).toMatch(new RegExp(`quizzes/ja/${quiz.id}\\.yaml: draw 1 is smaller than the \\d+ lessons`));
    });
  });
});
