/**
 * A question bank on a real SQLite file with the real migrations: the attempt stores what it drew,
 * a resumed attempt shows the same draw, grading, the best attempt, the KPI roll-ups (live and
 * rebuilt), the champion's per-question view and the xAPI statements count exactly the questions
 * each attempt showed.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptAnswers, kpiQuestionMonths, users } from '../../../db/schema/index.ts';
import { rawDrizzle } from '../../platform/db.server.ts';
import { xapiStatements } from '../exports/xapi-export.server.ts';
import { championView } from '../kpi/champion.server.ts';
import { rebuildRollups } from '../kpi/rollups.server.ts';
import { loadLearnerRecord } from '../progress/records.server.ts';
import { findOpenAttempt, getAttemptResult, startAttempt, submitAttempt } from './attempts.server.ts';
import { attemptQuestions, publicQuiz, reviewedQuestions } from './quiz.ts';
import { shippedCatalog } from '../../../tests/helpers/catalog.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { first } from '../../platform/query.ts';

const TZ = 'Asia/Tokyo';
const catalog = shippedCatalog();
const quiz = catalog.quiz('basic-ai-essentials')!;
let t: TempDb;
let learner: { id: number; displayName: string };

beforeAll(async () => {
  t = tempDb();
  learner = { id: await addUser(t.db, { email: 'bank@example.jp', department: 'Sales' }), displayName: 'bank' };
});
afterAll(() => t?.cleanup());

async function start(): Promise<string> {
  const started = await startAttempt(t.db, catalog, learner.id, quiz);
  if (started.status === 'no_attempts_left') throw new Error('unexpected');
  return started.attemptId;
}

const questionRows = async () => new Map((await rawDrizzle(t.db).select().from(kpiQuestionMonths)).map((r) => [r.questionId, r]));

describe('a question bank, stored and graded', () => {
  const shown: string[][] = [];

  it('stores the draw with the attempt and shows the same draw when resumed', async () => {
    expect(quiz.draw).toBe(8);
    const id = await start();
    const open = (await findOpenAttempt(t.db, learner.id, quiz.id))!;
    expect(open.id).toBe(id);
    expect(open.layout!.questions).toHaveLength(quiz.draw!);
    const view = publicQuiz(quiz, 'ja', open.layout);
    expect(await start()).toBe(id); // resumed, not a new draw
    const again = (await findOpenAttempt(t.db, learner.id, quiz.id))!;
    expect(again.layout).toEqual(open.layout);
    expect(publicQuiz(quiz, 'ja', again.layout)).toEqual(view);
  });

  it('grades two attempts on their own draws; answers outside a draw are not counted', async () => {
    for (const right of [8, 5]) {
      const id = await start();
      const layout = (await findOpenAttempt(t.db, learner.id, quiz.id))!.layout;
      const drawn = attemptQuestions(quiz, layout);
      shown.push(drawn.map((q) => q.id));
      const answers = new Map(drawn.map((q, i) => [q.id, i < right ? q.correctOptionIds : [q.optionIds.find((o) => !q.correctOptionIds.includes(o))!]]));
      // Answers to every other question of the bank (the action refuses them; here they must not count either).
      for (const q of quiz.questions) if (!answers.has(q.id)) answers.set(q.id, q.correctOptionIds);
      const result = await submitAttempt(t.db, catalog, learner, quiz, id, answers, TZ);
      expect(result).toMatchObject({ status: 'submitted', grade: { score: right, maxScore: 8, passed: right * 100 >= 70 * 8 } });
      const rows = await rawDrizzle(t.db).select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, id));
      expect(rows.map((r) => r.questionId).sort()).toEqual(drawn.map((q) => q.id).sort());
      const stored = (await getAttemptResult(t.db, learner.id, id))!;
      expect(stored.attempt).toMatchObject({ score: right, maxScore: 8 });
      expect(
        reviewedQuestions(
          quiz,
          stored.attempt.layout,
          stored.answers.map((a) => a.questionId),
        ),
      ).toEqual(drawn);
    }
  });

  it('keeps the best attempt as a percentage of its draw', async () => {
    expect((await loadLearnerRecord(t.db, learner.id)).attempts.find((a) => a.quizId === quiz.id)).toMatchObject({ cycle: 1, attempts: 2, bestPercent: 100, passed: true });
  });

  it('counts per question the attempts that showed it, live and after a rebuild', async () => {
    const expected = new Map<string, number>();
    for (const ids of shown) for (const id of ids) expected.set(id, (expected.get(id) ?? 0) + 1);
    const live = await questionRows();
    expect(new Map([...live].map(([id, r]) => [id, r.answers]))).toEqual(expected);
    await rebuildRollups(t.db, catalog, TZ);
    expect(await questionRows()).toEqual(live);
    const departmentId = first(await rawDrizzle(t.db).select().from(users).where(eq(users.id, learner.id)))!.departmentId!;
    const champion = await championView(t.db, catalog, departmentId, TZ);
    expect(new Map(champion.questions.map((q) => [q.questionId, q.answers]))).toEqual(expected);
  });

  it('sends one xAPI "answered" per question shown, and scores out of the draw', async () => {
    const statements = await Array.fromAsync(xapiStatements(t.db, catalog, { siteUrl: 'https://manabi.example.jp' }));
    const answered = statements.filter((s) => s.recordKey.startsWith('answer:'));
    expect(answered).toHaveLength(shown.flat().length);
    const attempts = statements.filter((s) => s.recordKey.startsWith('attempt:'));
    expect(attempts.map((s) => s.statement.result?.score?.max)).toEqual([8, 8]);
    expect(attempts.map((s) => s.statement.result?.score?.raw).sort()).toEqual([5, 8]);
  });
});
