import { describe, expect, it } from 'vitest';
import { attemptLayout, checkAnswers, gradeAnswers, publicQuiz, scorePercent } from './quiz.ts';
import { excerptParts } from '../search/search.server.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';

const catalog = fixtureCatalog();
const quiz = catalog.quiz('basic-ai-essentials')!; // 3 questions: how-it-writes (b), customer-list (b), check-output (facts+confidential)
const answers = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe('public quiz view', () => {
  it('carries no answer key and no explanations, in either language', () => {
    for (const locale of ['ja', 'en'] as const) {
      const view = publicQuiz(quiz, locale, null);
      const json = JSON.stringify(view);
      expect(json).not.toContain('CANARY');
      expect(json).not.toMatch(/"correct"|"explanation"/);
      expect(view.questions.map((q) => q.id)).toEqual(['how-it-writes', 'customer-list', 'check-output']);
      expect(view.questions[0]!.options.map((o) => o.id)).toEqual(['a', 'b', 'c']);
    }
  });

  it('follows the attempt layout', () => {
    const layout = {
      questions: [
        { id: 'check-output', options: ['trust', 'facts', 'confidential'] },
        { id: 'how-it-writes', options: ['c', 'b', 'a'] },
        { id: 'customer-list', options: ['a', 'b', 'c'] },
      ],
    };
    const view = publicQuiz(quiz, 'en', layout);
    expect(view.questions.map((q) => q.id)).toEqual(['check-output', 'how-it-writes', 'customer-list']);
    expect(view.questions[0]!.options.map((o) => o.id)).toEqual(['trust', 'facts', 'confidential']);
  });
});

describe('attempt layout', () => {
  it('shuffles options when the quiz says so, always a permutation', () => {
    expect(quiz.shuffleOptions).toBe(true);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const layout = attemptLayout(quiz);
      expect(layout.questions.map((q) => q.id)).toEqual(quiz.questions.map((q) => q.id));
      for (const q of layout.questions) {
        expect([...q.options].sort()).toEqual([...quiz.questions.find((k) => k.id === q.id)!.optionIds].sort());
      }
      seen.add(layout.questions[0]!.options.join());
    }
    expect(seen.size).toBe(6); // all 3! orders of the first question appear
  });

  it('keeps content order when not shuffling', () => {
    const plain = catalog.quiz('applied-department-pilot')!;
    expect(attemptLayout(plain).questions.map((q) => q.options)).toEqual(plain.questions.map((q) => q.optionIds));
  });
});

describe('checking and grading', () => {
  it('requires an answer for every question, known ids, one option for single choice', () => {
    expect(checkAnswers(quiz, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'], 'check-output': ['facts'] }))).toEqual([]);
    expect(checkAnswers(quiz, answers({ 'how-it-writes': ['b'] })).map((p) => p.code)).toEqual(['unanswered', 'unanswered']);
    // Nothing ticked on a multiple-choice question is unanswered, exactly as an empty single choice.
    expect(checkAnswers(quiz, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'], 'check-output': [] }))).toEqual([{ code: 'unanswered', questionId: 'check-output' }]);
    expect(checkAnswers(quiz, answers({ 'how-it-writes': [], 'customer-list': ['b'], 'check-output': ['facts'] }))).toEqual([{ code: 'unanswered', questionId: 'how-it-writes' }]);
    expect(
      checkAnswers(quiz, answers({ 'how-it-writes': ['a', 'b'], 'customer-list': ['z'], 'check-output': ['facts'], nope: ['a'] }))
        .map((p) => p.code)
        .sort(),
    ).toEqual(['too_many', 'unknown_option', 'unknown_question']);
  });

  it('grades all-or-nothing per question and passes at the mark', () => {
    const all = gradeAnswers(quiz, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'], 'check-output': ['confidential', 'facts'] }));
    expect(all).toMatchObject({ score: 3, maxScore: 3, percent: 100, passed: true });
    const partialMultiple = gradeAnswers(quiz, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'], 'check-output': ['facts'] }));
    expect(partialMultiple).toMatchObject({ score: 2, percent: 66.7, passed: false }); // 66.7% < 70%
    expect(partialMultiple.answers[2]).toEqual({ questionId: 'check-output', chosenOptionIds: ['facts'], correct: false });
    const extra = gradeAnswers(quiz, answers({ 'check-output': ['facts', 'confidential', 'trust'] }));
    expect(extra.answers[2]!.correct).toBe(false);
  });

  it('never rounds a fail into a pass', () => {
    const tight = { ...quiz, passMark: 67 };
    expect(gradeAnswers(tight, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'] })).passed).toBe(false); // 66.67 < 67
    expect(scorePercent(2, 3)).toBe(66.7);
  });
});

describe('search excerpts', () => {
  it('keeps only <mark> as markup; everything else is text', () => {
    expect(excerptParts('a <mark>b</mark> &lt;script&gt; <mark>c &amp; d</mark>')).toEqual([
      { text: 'a ', marked: false },
      { text: 'b', marked: true },
      { text: ' <script> ', marked: false },
      { text: 'c & d', marked: true },
    ]);
  });
});
