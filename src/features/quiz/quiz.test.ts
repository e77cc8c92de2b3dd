import { describe, expect, it } from 'vitest';
import { attemptLayout } from './draw.ts';
import { attemptQuestions, checkAnswers, gradeAnswers, publicQuiz, questionsPerAttempt, reviewedQuestions, scorePercent } from './quiz.ts';
import { excerptParts } from '../search/search.server.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { shippedCatalog } from '../../../tests/helpers/catalog.ts';

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
    expect(checkAnswers(quiz, null, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'], 'check-output': ['facts'] }))).toEqual([]);
    expect(checkAnswers(quiz, null, answers({ 'how-it-writes': ['b'] })).map((p) => p.code)).toEqual(['unanswered', 'unanswered']);
    // Nothing ticked on a multiple-choice question is unanswered, exactly as an empty single choice.
    expect(checkAnswers(quiz, null, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'], 'check-output': [] }))).toEqual([{ code: 'unanswered', questionId: 'check-output' }]);
    expect(checkAnswers(quiz, null, answers({ 'how-it-writes': [], 'customer-list': ['b'], 'check-output': ['facts'] }))).toEqual([
      { code: 'unanswered', questionId: 'how-it-writes' },
    ]);
    expect(
      checkAnswers(quiz, null, answers({ 'how-it-writes': ['a', 'b'], 'customer-list': ['z'], 'check-output': ['facts'], nope: ['a'] }))
        .map((p) => p.code)
        .sort(),
    ).toEqual(['too_many', 'unknown_option', 'unknown_question']);
  });

  it('grades all-or-nothing per question and passes at the mark', () => {
    const all = gradeAnswers(quiz, null, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'], 'check-output': ['confidential', 'facts'] }));
    expect(all).toMatchObject({ score: 3, maxScore: 3, percent: 100, passed: true });
    const partialMultiple = gradeAnswers(quiz, null, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'], 'check-output': ['facts'] }));
    expect(partialMultiple).toMatchObject({ score: 2, percent: 66.7, passed: false }); // 66.7% < 70%
    expect(partialMultiple.answers[2]).toEqual({ questionId: 'check-output', chosenOptionIds: ['facts'], correct: false });
    const extra = gradeAnswers(quiz, null, answers({ 'check-output': ['facts', 'confidential', 'trust'] }));
    expect(extra.answers[2]!.correct).toBe(false);
  });

  it('never rounds a fail into a pass', () => {
    const tight = { ...quiz, passMark: 67 };
    expect(gradeAnswers(tight, null, answers({ 'how-it-writes': ['b'], 'customer-list': ['b'] })).passed).toBe(false); // 66.67 < 67
    expect(scorePercent(2, 3)).toBe(66.7);
  });
});

describe('an attempt that drew from a bank counts exactly the questions it showed', () => {
  const bank = shippedCatalog().quiz('basic-ai-essentials')!;
  const draw = bank.draw!;
  const layout = attemptLayout(bank);
  const drawn = attemptQuestions(bank, layout);
  const notDrawn = bank.questions.filter((q) => !drawn.includes(q));
  const wrong = (q: (typeof drawn)[number]) => [q.optionIds.find((o) => !q.correctOptionIds.includes(o))!];
  /** The first `right` drawn questions answered correctly, the rest wrongly. */
  const sheet = (right: number) => new Map(drawn.map((q, i) => [q.id, i < right ? q.correctOptionIds : wrong(q)]));

  it('is a bank of more questions than it draws', () => {
    expect(draw).toBeLessThan(bank.questions.length);
    expect(drawn).toHaveLength(draw);
    expect(questionsPerAttempt(bank)).toBe(draw);
    expect(questionsPerAttempt(quiz)).toBe(quiz.questions.length);
  });

  it('shows the drawn questions in the drawn order with the drawn option order', () => {
    const view = publicQuiz(bank, 'ja', layout);
    expect(view.questions.map((q) => q.id)).toEqual(layout.questions.map((q) => q.id));
    expect(view.questions.map((q) => q.options.map((o) => o.id))).toEqual(layout.questions.map((q) => q.options));
  });

  it('needs answers to the drawn questions only, and refuses an answer to a question it did not draw', () => {
    expect(checkAnswers(bank, layout, sheet(draw))).toEqual([]);
    const extra = new Map([...sheet(draw), [notDrawn[0]!.id, notDrawn[0]!.correctOptionIds]]);
    expect(checkAnswers(bank, layout, extra)).toEqual([{ code: 'unknown_question', questionId: notDrawn[0]!.id }]);
    const missing = new Map([...sheet(draw)].slice(1));
    expect(checkAnswers(bank, layout, missing)).toEqual([{ code: 'unanswered', questionId: drawn[0]!.id }]);
  });

  it('grades over the drawn questions: the max is the draw, the pass mark a percentage of it', () => {
    expect(bank.passMark).toBe(70);
    const all = gradeAnswers(bank, layout, sheet(draw));
    expect(all).toMatchObject({ score: draw, maxScore: draw, percent: 100, passed: true });
    expect(all.answers.map((a) => a.questionId)).toEqual(drawn.map((q) => q.id));
    // 8 drawn: 6 right is 75 % (pass), 5 right is 62.5 % (fail); with the whole bank as the max both would fail.
    expect(gradeAnswers(bank, layout, sheet(6))).toMatchObject({ score: 6, maxScore: 8, percent: 75, passed: true });
    expect(gradeAnswers(bank, layout, sheet(5))).toMatchObject({ score: 5, maxScore: 8, percent: 62.5, passed: false });
    // Answers to questions it did not draw are neither right nor wrong: not graded at all.
    const extra = new Map([...sheet(5), ...notDrawn.map((q) => [q.id, q.correctOptionIds] as const)]);
    expect(gradeAnswers(bank, layout, extra)).toEqual(gradeAnswers(bank, layout, sheet(5)));
  });

  it('grades an attempt stored without a layout (before layouts) on every question, as before', () => {
    const every = new Map(bank.questions.map((q) => [q.id, q.correctOptionIds]));
    expect(gradeAnswers(bank, null, every)).toMatchObject({ score: bank.questions.length, maxScore: bank.questions.length });
    expect(checkAnswers(bank, null, sheet(draw)).filter((p) => p.code === 'unanswered')).toHaveLength(notDrawn.length);
  });

  it('reviews the graded questions in the order shown; without a layout, the answered ones in quiz order', () => {
    expect(
      reviewedQuestions(
        bank,
        layout,
        [...drawn].reverse().map((q) => q.id),
      ),
    ).toEqual(drawn);
    const answered = [bank.questions[3]!.id, bank.questions[1]!.id];
    expect(reviewedQuestions(bank, null, answered).map((q) => q.id)).toEqual([bank.questions[1]!.id, bank.questions[3]!.id]);
    // A question the content no longer has is left out.
    const gone = { questions: [{ id: 'removed-question', options: ['a'] }, ...layout.questions] };
    expect(attemptQuestions(bank, gone)).toEqual(drawn);
    expect(publicQuiz(bank, 'en', gone).questions).toHaveLength(draw);
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
