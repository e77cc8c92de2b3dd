/**
 * Checklist 12: a double-submitted attempt or completion is stored once. Identical requests
 * are sent at the same moment (Promise.all, through the page's form action and the action
 * endpoint alike), then the rows are counted — including the KPI roll-ups, which must equal a
 * recomputation from scratch (a double count there would skew the dashboard).
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptAnswers, certificates, checkins, lessonCompletions, lessonFeedback, quizAttempts } from '../../db/schema/index.ts';
import { rebuildRollups } from '../../src/features/kpi/rollups.server.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { post, snapshot, startApp, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

const catalog = fixtureCatalog();
const quiz = catalog.quiz('basic-ai-essentials')!;
const course = catalog.course('basic-ai-essentials')!;
let app: App;

beforeAll(async () => {
  app = await startApp({ users: { dora: {}, eli: {} } });
});

afterAll(async () => {
  await app?.stop();
});

/** The same request, `n` times at once: half through the page's form action, half through /_actions/. */
function burst(n: number, page: string, action: string, cookie: string, fields: [string, string][] | Record<string, string>): Promise<Response[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => post(app.url, i % 2 ? `/_actions/${action}` : `${page}?_action=${action}`, cookie, fields)));
}

function answers(attemptId: string, correct: boolean): [string, string][] {
  const fields: [string, string][] = [
    ['quizId', quiz.id],
    ['attemptId', attemptId],
  ];
  for (const q of quiz.questions) {
    const chosen = correct ? q.correctOptionIds : [q.optionIds.find((o) => !q.correctOptionIds.includes(o))!];
    for (const o of chosen) fields.push([`answer.${q.id}`, o]);
  }
  return fields;
}

const attemptsOf = async (key: string) =>
  await rawDrizzle(app.db)
    .select()
    .from(quizAttempts)
    .where(and(eq(quizAttempts.userId, app.ids[key]!), eq(quizAttempts.quizId, quiz.id)));

function expectNoServerErrors(responses: Response[], label: string): void {
  for (const response of responses) expect(response.status, label).toBeLessThan(500);
}

describe('checklist 12: a double-submitted attempt or completion is stored once', () => {
  it('starts one attempt for simultaneous starts', async () => {
    const responses = await burst(6, `/quiz/${quiz.id}`, 'quiz.start', app.cookies.dora!, { quizId: quiz.id });
    expectNoServerErrors(responses, 'quiz.start');
    const open = (await attemptsOf('dora')).filter((a) => a.submittedAt === null);
    expect(open).toHaveLength(1);
  });

  it('stores a simultaneously submitted attempt once, with one answer row per question', async () => {
    const attemptId = (await attemptsOf('dora')).find((a) => a.submittedAt === null)!.id;
    const responses = await burst(8, `/quiz/${quiz.id}`, 'quiz.submit', app.cookies.dora!, answers(attemptId, true));
    expectNoServerErrors(responses, 'quiz.submit');
    const submitted = (await attemptsOf('dora')).filter((a) => a.submittedAt !== null);
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({ id: attemptId, score: quiz.questions.length, passed: true });
    expect(await rawDrizzle(app.db).select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attemptId))).toHaveLength(quiz.questions.length);
    // no second attempt was opened by the late duplicates
    expect(await attemptsOf('dora')).toHaveLength(1);
  });

  it('stores one of two different simultaneous submissions of the same attempt, whole', async () => {
    await post(app.url, `/quiz/${quiz.id}?_action=quiz.start`, app.cookies.eli, { quizId: quiz.id });
    const attemptId = (await attemptsOf('eli')).find((a) => a.submittedAt === null)!.id;
    const responses = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => post(app.url, `/quiz/${quiz.id}?_action=quiz.submit`, app.cookies.eli, answers(attemptId, i % 2 === 0))));
    expectNoServerErrors(responses, 'mixed quiz.submit');
    const rows = await rawDrizzle(app.db).select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attemptId));
    expect(rows).toHaveLength(quiz.questions.length);
    // all answers come from one submission: all right or all wrong, matching the stored score
    const correct = rows.filter((r) => r.correct).length;
    expect([0, quiz.questions.length]).toContain(correct);
    expect(first(await rawDrizzle(app.db).select().from(quizAttempts).where(eq(quizAttempts.id, attemptId)))!.score).toBe(correct);
  });

  it('stores simultaneous completions of the same lessons once, and issues the certificate once', async () => {
    const requests = course.lessons.flatMap((lesson) =>
      Array.from({ length: 6 }, (_, i) =>
        post(app.url, i % 2 ? '/_actions/lesson.complete' : `/learn/${course.id}/${lesson.id}?_action=lesson.complete`, app.cookies.dora, { lessonId: lesson.id }),
      ),
    );
    const responses = await Promise.all(requests);
    expectNoServerErrors(responses, 'lesson.complete');
    for (const lesson of course.lessons) {
      expect(
        await rawDrizzle(app.db)
          .select()
          .from(lessonCompletions)
          .where(and(eq(lessonCompletions.userId, app.ids.dora!), eq(lessonCompletions.lessonId, lesson.id))),
        lesson.id,
      ).toHaveLength(1);
    }
    // the quiz was passed above, so the last completion completed the tier
    expect(await rawDrizzle(app.db).select().from(certificates).where(eq(certificates.userId, app.ids.dora!))).toHaveLength(1);
  });

  it('stores simultaneous identical feedback and check-ins once', async () => {
    const lesson = course.lessons[0]!;
    expectNoServerErrors(
      await burst(8, `/learn/${course.id}/${lesson.id}`, 'lesson.feedback', app.cookies.dora!, { lessonId: lesson.id, rating: '4', comment: 'twice?' }),
      'feedback',
    );
    expect(await rawDrizzle(app.db).select().from(lessonFeedback).where(eq(lessonFeedback.userId, app.ids.dora!))).toHaveLength(1);
    expectNoServerErrors(await burst(8, '/home', 'checkin.save', app.cookies.dora!, { hoursSaved: '2.5', tasks: 'minutes' }), 'check-in');
    expect(await rawDrizzle(app.db).select().from(checkins).where(eq(checkins.userId, app.ids.dora!))).toHaveLength(1);
    expect(
      await rawDrizzle(app.db)
        .select()
        .from(quizAttempts)
        .where(and(eq(quizAttempts.userId, app.ids.dora!), isNull(quizAttempts.submittedAt))),
    ).toEqual([]);
  });

  it('counted everything once in the KPI roll-ups (they equal a recomputation from scratch)', async () => {
    const rollups = ['kpi_department_months', 'kpi_question_months', 'kpi_wrong_options', 'quiz_pairs'];
    const pick = (snap: Record<string, string[]>) => Object.fromEntries(rollups.map((t) => [t, snap[t]]));
    const live = pick(await snapshot(app.db));
    expect(live.kpi_department_months!.length).toBeGreaterThan(0);
    // The last test of the file: the roll-ups rebuilt from scratch in place (as db:rebuild-rollups does), on either database.
    await rebuildRollups(app.db, catalog, 'Asia/Tokyo');
    expect(live).toEqual(pick(await snapshot(app.db)));
  });
});
