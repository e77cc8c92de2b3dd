/**
 * The KPI roll-ups kept by the write paths equal a rebuild from the base tables, after a mix
 * of activity, check-ins (changed), ratings (changed, across months, sent without a name) and
 * quiz attempts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiDepartmentMonths, kpiQuestionMonths, kpiWrongOptions, quizPairs } from '../../../db/schema/index.ts';
import { recordActivity } from '../progress/activity.server.ts';
import { saveCheckin } from '../programme/checkins.server.ts';
import { saveFeedback } from '../feedback/feedback.server.ts';
import { startAttempt, submitAttempt } from '../quiz/attempts.server.ts';
import { rebuildRollups } from './rollups.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { rawDrizzle } from '../../platform/db.server.ts';

const TZ = 'Asia/Tokyo';
const catalog = fixtureCatalog();
let t: TempDb;

function snapshot() {
  const sort = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    months: sort(
      rawDrizzle(t.db)
        .select()
        .from(kpiDepartmentMonths)
        .all()
        .filter((r) => Object.entries(r).some(([k, v]) => !['departmentId', 'month'].includes(k) && v !== 0)),
    ),
    questions: sort(rawDrizzle(t.db).select().from(kpiQuestionMonths).all()),
    wrong: sort(
      rawDrizzle(t.db)
        .select()
        .from(kpiWrongOptions)
        .all()
        .filter((r) => r.count !== 0),
    ),
    pairs: sort(rawDrizzle(t.db).select().from(quizPairs).all()),
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
        const started = await startAttempt(t.db, catalog, person.id, quiz, TZ, when);
        if (started.status === 'no_attempts_left') throw new Error('unexpected');
        const right = (i + n) % 2 === 0;
        const answers = new Map(quiz.questions.map((q) => [q.id, right ? q.correctOptionIds : [q.optionIds.find((o) => !q.correctOptionIds.includes(o))!]]));
        expect((await submitAttempt(t.db, catalog, person, quiz, started.attemptId, answers, TZ, when)).status).toBe('submitted');
      }
    }
    const incremental = snapshot();
    expect(incremental.months.length).toBeGreaterThan(0);
    expect(incremental.wrong.length).toBeGreaterThan(0);
    await rebuildRollups(t.db, catalog, TZ);
    expect(snapshot()).toEqual(incremental);
  });
});
