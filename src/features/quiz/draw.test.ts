/**
 * The draw of a question bank: N distinct questions, at least one per lesson, a random order of
 * questions and options (always permutations), on every shipped bank and on small banks built to
 * make a missing rule show at once.
 */
import { describe, expect, it } from 'vitest';
import type { QuestionKey, QuizNode } from '../curriculum/catalog.ts';
import { attemptLayout, drawQuestions, secureRandomBelow, shuffled } from './draw.ts';
import { shippedCatalog } from '../../../tests/helpers/catalog.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';

const RUNS = 400;

function key(id: string, lesson: string | null, options = ['a', 'b', 'c']): QuestionKey {
  return { id, type: 'single', lesson, optionIds: options, correctOptionIds: [options[0]!], version: 'v' };
}

function bankOf(questions: QuestionKey[], draw: number | null): QuizNode {
  return {
    id: 'bank',
    courseId: 'course',
    passMark: 70,
    maxAttempts: null,
    draw,
    shuffleQuestions: false,
    shuffleOptions: false,
    questions,
    text: {},
    version: 'v',
    revisions: [],
    majorRevision: null,
  };
}

/** Lesson "big" with 10 questions and lessons "b" and "c" with one each: a draw of 3 must take b's and c's. */
const lopsided = bankOf([...Array.from({ length: 10 }, (_, i) => key(`big-${i}`, 'big')), key('only-b', 'b'), key('only-c', 'c')], 3);

const banks = shippedCatalog()
  .tiers.flatMap((t) => t.courses.flatMap((c) => c.quizzes.map((quiz) => ({ quiz, lessons: c.lessons.map((l) => l.id) }))))
  .filter(({ quiz }) => quiz.draw !== null);

describe('drawing from a question bank', () => {
  it('the shipped curriculum has banks to draw from', () => {
    expect(banks.length).toBeGreaterThan(0);
  });

  it.each(banks.map((b) => [b.quiz.id, b] as const))('%s: draw distinct questions of the bank, every lesson at least once, options permuted', (_id, { quiz, lessons }) => {
    const bank = new Map(quiz.questions.map((q) => [q.id, q]));
    const seen = new Set<string>();
    const firsts = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const layout = attemptLayout(quiz);
      const ids = layout.questions.map((q) => q.id);
      expect(ids).toHaveLength(quiz.draw!);
      expect(new Set(ids).size).toBe(ids.length);
      for (const question of layout.questions) {
        const keyOf = bank.get(question.id);
        expect(keyOf, question.id).toBeDefined();
        expect([...question.options].sort()).toEqual([...keyOf!.optionIds].sort());
        seen.add(question.id);
      }
      expect(new Set(ids.map((id) => bank.get(id)!.lesson)), `run ${run}`).toEqual(new Set(lessons));
      firsts.add(ids[0]!);
    }
    // Every question of the bank gets drawn sometimes, and the first question is not fixed.
    expect(seen.size).toBe(quiz.questions.length);
    expect(firsts.size).toBeGreaterThan(1);
  });

  it('takes a question of every lesson even when one lesson holds most of the bank', () => {
    for (let run = 0; run < RUNS; run++) {
      const ids = drawQuestions(lopsided.questions, 3).map((q) => q.id);
      expect(ids).toContain('only-b');
      expect(ids).toContain('only-c');
      expect(ids.filter((id) => id.startsWith('big-'))).toHaveLength(1);
    }
  });

  it('with a draw smaller than the number of lessons: one question from each of N lessons chosen at random', () => {
    const five = bankOf(
      ['l1', 'l2', 'l3', 'l4', 'l5'].flatMap((lesson) => [key(`${lesson}-x`, lesson), key(`${lesson}-y`, lesson)]),
      3,
    );
    const covered = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const drawn = drawQuestions(five.questions, 3);
      expect(drawn).toHaveLength(3);
      expect(new Set(drawn.map((q) => q.lesson)).size).toBe(3);
      for (const q of drawn) covered.add(q.lesson!);
    }
    expect(covered).toEqual(new Set(['l1', 'l2', 'l3', 'l4', 'l5']));
  });

  it('asks the whole bank when the draw is not smaller than it; untagged questions only fill up', () => {
    const small = [key('a', 'x'), key('b', 'y'), key('c', null)];
    for (let run = 0; run < 50; run++) {
      expect(
        drawQuestions(small, 5)
          .map((q) => q.id)
          .sort(),
      ).toEqual(['a', 'b', 'c']);
      const two = drawQuestions(small, 2).map((q) => q.id);
      expect(two.sort()).toEqual(['a', 'b']);
    }
  });

  it('shuffles the options of a bank even when the quiz does not ask for it, and varies the order of questions', () => {
    const quiz = bankOf([key('q1', 'l1'), key('q2', 'l1'), key('q3', 'l2'), key('q4', 'l2')], 2);
    const orders = new Set<string>();
    const questionOrders = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const layout = attemptLayout(quiz);
      for (const q of layout.questions) orders.add(q.options.join());
      questionOrders.add(layout.questions.map((q) => q.id).join());
    }
    expect(orders.size).toBe(6); // all 3! orders of three options
    expect(questionOrders.size).toBe(8); // 2 × 2 picks, in either order
  });

  it('leaves a quiz without draw as it was: every question, shuffled only as the quiz says', () => {
    const fixture = fixtureCatalog();
    for (const quiz of [fixture.quiz('basic-ai-essentials')!, fixture.quiz('applied-department-pilot')!]) {
      expect(quiz.draw).toBeNull();
      const layout = attemptLayout(quiz);
      expect(layout.questions.map((q) => q.id)).toEqual(quiz.questions.map((q) => q.id));
      if (!quiz.shuffleOptions) expect(layout.questions.map((q) => q.options)).toEqual(quiz.questions.map((q) => q.optionIds));
    }
  });
});

describe('randomness', () => {
  it('draws integers below n, each about equally often', () => {
    const counts = [0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 7000; i++) counts[secureRandomBelow(7)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(800); // expected 1000; below 800 is beyond 6 standard deviations
    expect(secureRandomBelow(1)).toBe(0);
  });

  it('shuffles into a permutation with the given source', () => {
    const items = ['a', 'b', 'c', 'd'];
    expect(shuffled(items, () => 0)).toEqual(['b', 'c', 'd', 'a']);
    expect([...shuffled(items)].sort()).toEqual(items);
    expect(items).toEqual(['a', 'b', 'c', 'd']);
  });
});
