/**
 * The KPI roll-ups kept by the write paths equal a rebuild from the base tables, after a mix
 * of activity, check-ins (changed), ratings (changed, across months, sent without a name) and
 * quiz attempts; and still after a renewal (a second cycle's attempt and certificate) and a
 * review of a revised lesson (a second completion of one lesson), which count once where a
 * KPI counts people; and after a seeded random sequence of multi-question submits (any subset
 * of options per question), completions and activity across months and departments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { certificates, kpiDepartmentMonths, kpiQuestionMonths, kpiWrongOptions, lessonCompletions, quizPairs } from '../../../db/schema/index.ts';
import { completeLesson } from '../progress/progress.server.ts';
import { createAssignment } from '../programme/assignments.server.ts';
import { loadFacts, periodOf } from './facts.server.ts';
import { combineFacts } from './kpi.ts';
import { recordActivity } from '../progress/activity.server.ts';
import { saveCheckin } from '../programme/checkins.server.ts';
import { saveFeedback } from '../feedback/feedback.server.ts';
import { handInOpenAttempt, startAttempt, submitAttempt } from '../quiz/attempts.server.ts';
import { rebuildRollups } from './rollups.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { rawDrizzle } from '../../platform/db.server.ts';
import { monthKey } from '../../platform/dates.ts';

const TZ = 'Asia/Tokyo';
const catalog = fixtureCatalog();
let t: TempDb;

async function snapshot() {
  const sort = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    months: sort((await rawDrizzle(t.db).select().from(kpiDepartmentMonths)).filter((r) => Object.entries(r).some(([k, v]) => !['departmentId', 'month'].includes(k) && v !== 0))),
    questions: sort(await rawDrizzle(t.db).select().from(kpiQuestionMonths)),
    wrong: sort((await rawDrizzle(t.db).select().from(kpiWrongOptions)).filter((r) => r.count !== 0)),
    pairs: sort(await rawDrizzle(t.db).select().from(quizPairs)),
  };
}

beforeAll(() => {
  t = tempDb();
});
afterAll(() => t?.cleanup());

describe('KPI roll-ups', () => {
  it('match a rebuild from the base tables', async () => {
    const quiz = catalog.quiz('basic-ai-essentials')!;
    const people = [
      { id: await addUser(t.db, { email: 'a@x.jp', department: 'Sales' }), displayName: 'a' },
      { id: await addUser(t.db, { email: 'b@x.jp', department: 'HR' }), displayName: 'b' },
      { id: await addUser(t.db, { email: 'c@x.jp', department: 'Sales' }), displayName: 'c' },
    ];
    const oct = new Date('2026-10-15T03:00:00Z');
    const nov = new Date('2026-11-20T03:00:00Z');
    for (const [i, person] of people.entries()) {
      await recordActivity(t.db, person.id, TZ, oct);
      await recordActivity(t.db, person.id, TZ, oct); // same month: counted once
      await recordActivity(t.db, person.id, TZ, nov);
      await saveCheckin(t.db, { userId: person.id, hoursSaved: 2 + i, tasks: null }, TZ, nov);
      await saveCheckin(t.db, { userId: person.id, hoursSaved: 0.5 * i, tasks: 'x' }, TZ, nov); // changed within the month
      await saveFeedback(t.db, { userId: person.id, lessonId: 'safe-use-basics', rating: 2, comment: null, locale: 'ja' }, TZ, oct);
      await saveFeedback(t.db, { userId: person.id, lessonId: 'safe-use-basics', rating: 3 + i, comment: null, locale: 'en' }, TZ, nov); // moved month
      // Without a name: a new lesson, and one that replaces the named rating (counted once, in its department).
      await saveFeedback(t.db, { userId: person.id, lessonId: 'what-is-generative-ai', rating: 1 + i, comment: 'x', locale: 'ja', anonymous: true }, TZ, oct);
      if (i === 0) await saveFeedback(t.db, { userId: person.id, lessonId: 'safe-use-basics', rating: 5, comment: null, locale: 'ja', anonymous: true }, TZ, nov);
      for (const [n, when] of [oct, nov].entries()) {
        const started = await startAttempt(t.db, catalog, person.id, quiz, when);
        if (started.status === 'no_attempts_left') throw new Error('unexpected');
        const right = (i + n) % 2 === 0;
        const answers = new Map(quiz.questions.map((q) => [q.id, right ? q.correctOptionIds : [q.optionIds.find((o) => !q.correctOptionIds.includes(o))!]]));
        expect((await submitAttempt(t.db, catalog, person, quiz, started.attemptId, answers, TZ, when)).status).toBe('submitted');
      }
    }
    const incremental = await snapshot();
    expect(incremental.months.length).toBeGreaterThan(0);
    expect(incremental.wrong.length).toBeGreaterThan(0);
    await rebuildRollups(t.db, catalog, TZ);
    expect(await snapshot()).toEqual(incremental);
  });

  it('still match after a renewal and a review, and count the renewed person once', async () => {
    const quiz = catalog.quiz('basic-ai-essentials')!;
    const person = { id: await addUser(t.db, { email: 'renews@x.jp', department: 'Sales' }), displayName: 'renews' };
    const admin = await addUser(t.db, { email: 'admin@x.jp', role: 'admin', department: 'IT' });
    // Basic renews every month for everyone (the admin's override).
    await createAssignment(
      t.db,
      { tierId: 'basic', target: { kind: 'everyone' }, due: { kind: 'none' }, validForMonths: 1, createdBy: admin },
      null,
      new Date('2026-12-01T00:00:00Z'),
    );
    const pass = async (when: Date) => {
      const started = await startAttempt(t.db, catalog, person.id, quiz, when);
      if (started.status === 'no_attempts_left') throw new Error('unexpected');
      const answers = new Map(quiz.questions.map((q) => [q.id, q.correctOptionIds]));
      expect((await submitAttempt(t.db, catalog, person, quiz, started.attemptId, answers, TZ, when)).status).toBe('submitted');
    };
    const dec = new Date('2026-12-05T03:00:00Z');
    await completeLesson(t.db, catalog, person, 'what-is-generative-ai', TZ, dec);
    await completeLesson(t.db, catalog, person, 'safe-use-basics', TZ, dec);
    await pass(dec);
    // Cycle 1 ran out on 5 January; the renewal (cycle 2) asks for the quiz again.
    const jan = new Date('2027-01-20T03:00:00Z');
    await pass(jan);
    // A major revision of a lesson: reading the new version is a second completion of it.
    const lesson = catalog.lesson('safe-use-basics')!;
    const version = lesson.version;
    Object.assign(lesson, { version: 'v2' });
    try {
      expect((await completeLesson(t.db, catalog, person, 'safe-use-basics', TZ, new Date('2027-01-25T03:00:00Z'))).created).toBe(true);
    } finally {
      Object.assign(lesson, { version });
    }
    const held = await rawDrizzle(t.db).select().from(certificates).where(eq(certificates.userId, person.id));
    expect(held.map((c) => c.cycle).sort()).toEqual([1, 2]);
    expect(await rawDrizzle(t.db).select().from(lessonCompletions).where(eq(lessonCompletions.userId, person.id))).toHaveLength(3);

    const incremental = await snapshot();
    await rebuildRollups(t.db, catalog, TZ);
    expect(await snapshot()).toEqual(incremental);
    // One learner × quiz pair across both cycles, first attempt in December.
    expect(await rawDrizzle(t.db).select().from(quizPairs).where(eq(quizPairs.userId, person.id))).toMatchObject([{ firstAt: dec, firstPassed: true, passedAt: dec }]);

    // The KPI facts: one person assigned Basic, completed once (the first certificate), certified now in late January.
    const facts = combineFacts(await loadFacts(t.db, periodOf('2026-12', '2027-01', TZ), new Date('2027-01-26T00:00:00Z').getTime()), null).tiers.basic!;
    const people = 5; // a, b, c, the admin and the renewing learner
    expect(facts).toMatchObject({ assigned: people, ever: 1, certified: 1, expired: 0 });
    expect(facts.completedByMonth).toEqual({ [monthKey(dec, TZ)]: 1 });
  });

  it('match a rebuild after a random sequence of multi-question submits, completions and activity', async () => {
    // A small seeded generator (mulberry32): the same sequence on every run, a different one per seed.
    let seed = 17;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const quizzes = catalog.tiers.flatMap((tier) => tier.courses.flatMap((c) => c.quizzes));
    const lessons = catalog.tiers.flatMap((tier) => tier.courses.flatMap((c) => c.lessons.map((l) => l.id)));
    const people = await Promise.all(
      ['Sales', 'HR', 'Sales', undefined, 'IT', undefined].map(async (department, i) => ({
        id: await addUser(t.db, { email: `random${i}@x.jp`, department }),
        displayName: `r${i}`,
      })),
    );
    // Time only moves forward (as the clock does), about half a day per step: two months, Tokyo's month ends crossed.
    const start = new Date('2027-03-01T00:00:00Z').getTime();
    let submitted = 0;
    for (let step = 0; step < 120; step++) {
      const person = pick(people);
      const when = new Date(start + step * 11.5 * 3_600_000);
      const action = random();
      if (action < 0.2) await completeLesson(t.db, catalog, person, pick(lessons), TZ, when);
      else if (action < 0.3) await recordActivity(t.db, person.id, TZ, when);
      else {
        const quiz = pick(quizzes);
        const started = await startAttempt(t.db, catalog, person.id, quiz, when);
        if (started.status === 'no_attempts_left') continue;
        // Per question any subset of its options: right, partly right, several wrong, or none.
        const answers = new Map(quiz.questions.map((q) => [q.id, q.optionIds.filter(() => random() < 0.4)]));
        const result =
          random() < 0.5
            ? await submitAttempt(t.db, catalog, person, quiz, started.attemptId, answers, TZ, when)
            : await handInOpenAttempt(t.db, catalog, person, quiz, started.attemptId, answers, TZ, when);
        if (result.status === 'submitted') submitted++;
      }
      if (step === 60) {
        // Half way: the live roll-ups equal a rebuild, and keep equal when the writes go on from it.
        const live = await snapshot();
        await rebuildRollups(t.db, catalog, TZ);
        expect(await snapshot()).toEqual(live);
      }
    }
    expect(submitted).toBeGreaterThan(20);
    const incremental = await snapshot();
    expect(incremental.wrong.length).toBeGreaterThan(10);
    await rebuildRollups(t.db, catalog, TZ);
    expect(await snapshot()).toEqual(incremental);
  });
});
