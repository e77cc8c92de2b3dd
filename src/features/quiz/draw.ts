/**
 * What a new attempt shows, decided once and stored with it (`quiz_attempts.layout`): for a
 * question bank (`draw: N`) N questions drawn at random with at least one per lesson, in a random
 * order, each with its options in a random order; otherwise every question, shuffled as the quiz
 * says. Randomness comes from the CSPRNG; tests may pass their own source.
 */
import type { QuestionKey, QuizNode } from '../curriculum/catalog.ts';
import type { AttemptLayout } from './quiz.ts';

/** A uniformly random integer in [0, n). */
export type RandomBelow = (n: number) => number;

const TWO_32 = 0x1_0000_0000;

/** `RandomBelow` from `crypto.getRandomValues`, by rejection so that no value is more likely than another. */
export function secureRandomBelow(n: number): number {
  if (n <= 1) return 0;
  const limit = TWO_32 - (TWO_32 % n);
  const buffer = new Uint32Array(1);
  // Each try is accepted with probability above 1/2; 64 tries all failing is below 2^-64.
  for (let tries = 0; tries < 64; tries++) {
    crypto.getRandomValues(buffer);
    if (buffer[0]! < limit) return buffer[0]! % n;
  }
  return buffer[0]! % n;
}

/** A uniformly random permutation (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: RandomBelow = secureRandomBelow): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * `count` distinct questions of the bank, in random order. First one question from each lesson
 * (chosen at random within the lesson), then the rest uniformly from the questions left. When
 * `count` is smaller than the number of lessons (the content check refuses such a bank), `count`
 * lessons chosen at random get one question each; untagged questions only fill the rest; a
 * `count` above the bank's size asks the whole bank.
 */
export function drawQuestions(bank: readonly QuestionKey[], count: number, random: RandomBelow = secureRandomBelow): QuestionKey[] {
  const size = Math.min(Math.max(0, count), bank.length);
  const byLesson = new Map<string, QuestionKey[]>();
  for (const question of bank) {
    if (question.lesson !== null) byLesson.set(question.lesson, [...(byLesson.get(question.lesson) ?? []), question]);
  }
  const chosen = new Set<QuestionKey>();
  for (const questions of shuffled([...byLesson.values()], random).slice(0, size)) chosen.add(questions[random(questions.length)]!);
  const rest = shuffled(
    bank.filter((q) => !chosen.has(q)),
    random,
  );
  for (const question of rest.slice(0, size - chosen.size)) chosen.add(question);
  return shuffled([...chosen], random);
}

/** The questions, their order and their options' order for a new attempt. */
export function attemptLayout(quiz: QuizNode, random: RandomBelow = secureRandomBelow): AttemptLayout {
  // A bank always shuffles both: the order must not tell which questions were drawn or which option is right.
  const questions = quiz.draw !== null ? drawQuestions(quiz.questions, quiz.draw, random) : quiz.shuffleQuestions ? shuffled(quiz.questions, random) : [...quiz.questions];
  const shuffleOptions = quiz.draw !== null || quiz.shuffleOptions;
  return {
    questions: questions.map((q) => ({ id: q.id, options: shuffleOptions ? shuffled(q.optionIds, random) : [...q.optionIds] })),
  };
}
