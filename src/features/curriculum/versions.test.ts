import { describe, expect, it } from 'vitest';
import { FIXTURE_CONTENT, ROOT } from '../../../tests/helpers/fixture.ts';
import type { LessonEntry } from './corpus.ts';
import { readCorpus } from './read-corpus.ts';
import type { Localized, QuizData } from './schemas.ts';
import { canonical, lessonVersion, normalizeText, questionVersion, quizVersion } from './versions.ts';

const { corpus } = readCorpus(FIXTURE_CONTENT, ROOT);

/** A fresh copy of both languages of a fixture lesson or quiz, to change one thing in. */
function lesson(id = 'what-is-generative-ai'): Localized<LessonEntry> {
  const entries = corpus.lessons.filter((l) => l.id === id);
  return structuredClone(Object.fromEntries(entries.map((e) => [e.locale, e])));
}
function quiz(id = 'basic-ai-essentials'): Localized<QuizData> {
  return structuredClone(Object.fromEntries(corpus.quizzes.filter((q) => q.id === id).map((q) => [q.locale, q.data])));
}
const questionOf = (q: Localized<QuizData>, id: string) => ({ ja: q.ja!.questions.find((x) => x.id === id), en: q.en!.questions.find((x) => x.id === id) });

describe('lesson versions', () => {
  const original = lessonVersion(lesson());

  it('are 12 hex characters, the same for the same content', () => {
    expect(original).toMatch(/^[0-9a-f]{12}$/);
    expect(lessonVersion(lesson())).toBe(original);
    expect(lessonVersion(lesson('safe-use-basics'))).not.toBe(original);
  });

  it.each(['ja', 'en'] as const)('change when the body, the title or a practice task changes in %s', (locale) => {
    const body = lesson();
    body[locale]!.body = body[locale]!.body.replace('。', '、').replace('.', ',');
    expect(lessonVersion(body)).not.toBe(original);
    const title = lesson();
    title[locale]!.data.title += '!';
    expect(lessonVersion(title)).not.toBe(original);
    const task = lesson();
    task[locale]!.data.tryIt[0]!.rubric.push('one more point');
    expect(lessonVersion(task)).not.toBe(original);
  });

  it('stay the same when only order, estimated minutes or the revision entries change', () => {
    const changed = lesson();
    for (const entry of [changed.ja!, changed.en!]) {
      entry.data.order = 9;
      entry.data.estimatedMinutes = 42;
      entry.data.revision = [{ date: '2026-05-01', significance: 'major', note: 'Rewritten' }];
    }
    expect(lessonVersion(changed)).toBe(original);
  });

  it('ignore line endings and white space at the ends of lines and around the body', () => {
    const spaced = lesson();
    for (const entry of [spaced.ja!, spaced.en!]) entry.body = `\n${entry.body.replace(/\n/g, '  \r\n')}\n\n`;
    expect(lessonVersion(spaced)).toBe(original);
    expect(normalizeText(' a \r\nb\t\r\n\r\n')).toBe('a\nb');
  });

  it('count each language: a lesson in one language only has its own version', () => {
    const { ja } = lesson();
    expect(lessonVersion({ ja })).not.toBe(original);
    expect(lessonVersion({ ja })).toBe(lessonVersion({ ja, en: undefined }));
  });
});

describe('quiz and question versions', () => {
  const original = quizVersion(quiz());
  const questions = quiz().ja!.questions.map((q) => [q.id, questionVersion(questionOf(quiz(), q.id))] as const);

  it.each(['ja', 'en'] as const)("change with an option's text in %s: the quiz and that question, not the others", (locale) => {
    const changed = quiz();
    changed[locale]!.questions[1]!.options[0]!.text += ' (updated)';
    expect(quizVersion(changed)).not.toBe(original);
    for (const [id, version] of questions) {
      if (id === changed[locale]!.questions[1]!.id) expect(questionVersion(questionOf(changed, id)), id).not.toBe(version);
      else expect(questionVersion(questionOf(changed, id)), id).toBe(version);
    }
  });

  it('change with the key, an explanation, the pass mark or the draw', () => {
    const key = quiz();
    for (const q of [key.ja!, key.en!]) q.questions[0]!.options[0]!.correct = !q.questions[0]!.options[0]!.correct;
    expect(quizVersion(key)).not.toBe(original);
    const explanation = quiz();
    explanation.en!.questions[2]!.explanation += ' More.';
    expect(quizVersion(explanation)).not.toBe(original);
    const settings = quiz();
    for (const q of [settings.ja!, settings.en!]) q.passMark = 80;
    expect(quizVersion(settings)).not.toBe(original);
  });

  it('stay the same when only the title or the revision entries change', () => {
    const changed = quiz();
    for (const q of [changed.ja!, changed.en!]) {
      q.title = 'Another title';
      q.revision = [{ date: '2026-05-01', significance: 'minor', note: 'Typo' }];
    }
    expect(quizVersion(changed)).toBe(original);
  });
});

describe('the canonical text', () => {
  it('does not depend on the order of object keys, and leaves out undefined', () => {
    expect(canonical({ b: 1, a: [{ y: 'x', x: undefined }] })).toBe(canonical({ a: [{ y: 'x' }], b: 1 }));
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: '1' }));
  });
});
