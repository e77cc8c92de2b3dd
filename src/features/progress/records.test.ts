/**
 * The learner record as every view loads it (src/features/progress/records.server.ts), on a real
 * SQLite file: for some users or a department's active members, with real attempt counts, the best
 * score unrounded and rounded, and the last activity when asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonCompletions, lessonViews, quizAttempts, users } from '../../../db/schema/index.ts';
import { eq } from 'drizzle-orm';
import { learnerRecordIn, loadLearnerRecord, loadLearnerRecords } from './records.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { championView } from '../kpi/champion.server.ts';
import { userProgressHeader, userProgressRows } from '../exports/csv.server.ts';
import { rawDrizzle } from '../../platform/db.server.ts';
import { first } from '../../platform/query.ts';

let t: TempDb;
const ids: Record<string, number> = {};
const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  t = tempDb();
  ids.ann = await addUser(t.db, { email: 'ann@example.jp', department: 'Sales' });
  ids.ben = await addUser(t.db, { email: 'ben@example.jp', department: 'Sales' });
  ids.gone = await addUser(t.db, { email: 'gone@example.jp', department: 'Sales' });
  ids.hr = await addUser(t.db, { email: 'hr@example.jp', department: 'HR' });
  await rawDrizzle(t.db).update(users).set({ active: false }).where(eq(users.id, ids.gone));
  await rawDrizzle(t.db)
    .insert(lessonCompletions)
    .values([
      { userId: ids.ann, lessonId: 'a', completedAt: at('2026-11-02T00:00:00Z') },
      { userId: ids.ann, lessonId: 'b', completedAt: at('2026-11-03T00:00:00Z') },
      { userId: ids.gone, lessonId: 'a', completedAt: at('2026-11-04T00:00:00Z') },
      { userId: ids.hr, lessonId: 'a', completedAt: at('2026-11-05T00:00:00Z') },
    ]);
  const attempt = (id: string, userId: number, quizId: string, score: number | null, submitted: string | null) => ({
    id,
    userId,
    quizId,
    startedAt: at('2026-11-01T00:00:00Z'),
    submittedAt: submitted ? at(submitted) : null,
    score,
    maxScore: score === null ? null : 3,
    passed: score === null ? null : score >= 2,
  });
  await rawDrizzle(t.db)
    .insert(quizAttempts)
    .values([
      attempt('a1', ids.ann, 'q1', 1, '2026-11-06T00:00:00Z'),
      attempt('a2', ids.ann, 'q1', 2, '2026-11-07T00:00:00Z'),
      attempt('a3', ids.ann, 'q1', null, null), // open: not counted
      attempt('a4', ids.ben, 'q1', 1, '2026-11-01T00:00:00Z'),
    ]);
  await rawDrizzle(t.db)
    .insert(lessonViews)
    .values({ userId: ids.ann, lessonId: 'c', day: '2026-11-20', viewedAt: at('2026-11-20T00:00:00Z') });
});
afterAll(() => t?.cleanup());

describe('loadLearnerRecords', () => {
  it('loads some users: lessons, submitted attempts counted, best score, pass; an empty record for who did nothing', async () => {
    const nobody = await addUser(t.db, { email: 'new@example.jp' });
    const records = await loadLearnerRecords(t.db, { userIds: [ids.ann!, ids.ben!, nobody] }, { lastActivity: true });
    const ann = records.get(ids.ann!)!;
    expect(ann.record.completions.map((c) => c.lessonId).sort()).toEqual(['a', 'b']);
    expect(ann.record.completions.every((c) => c.cycle === 1)).toBe(true);
    expect(ann.record.attempts.find((a) => a.quizId === 'q1')).toEqual({ quizId: 'q1', cycle: 1, attempts: 2, bestPercent: 66.7, passed: true });
    expect(ann.bestPercents.get('q1')).toBeCloseTo(200 / 3, 10);
    expect(ann.lastActivityAt).toEqual(at('2026-11-20T00:00:00Z'));
    expect(records.get(ids.ben!)!.record.attempts.find((a) => a.quizId === 'q1')).toEqual({ quizId: 'q1', cycle: 1, attempts: 1, bestPercent: 33.3, passed: false });
    expect(records.get(ids.ben!)!.lastActivityAt).toEqual(at('2026-11-01T00:00:00Z'));
    expect(records.get(nobody)).toEqual({ record: { completions: [], attempts: [], certificates: [] }, bestPercents: new Map(), lastActivityAt: null });
    expect(records.has(ids.hr!)).toBe(false);
  });

  it('loads a department: its active members only; the last activity only when asked', async () => {
    const records = await loadLearnerRecords(t.db, { departmentId: first(await rawDrizzle(t.db).select().from(users).where(eq(users.id, ids.ann!)))!.departmentId! });
    expect([...records.keys()].sort()).toEqual([ids.ann, ids.ben].sort());
    expect(records.get(ids.ann!)!.lastActivityAt).toBeNull();
  });

  it('gives one learner the same record, outside and inside a transaction', async () => {
    const outside = await loadLearnerRecord(t.db, ids.ann!);
    const inside = await t.db.read(async (q) => await learnerRecordIn(q, ids.ann!));
    expect(inside).toEqual(outside);
    expect(outside.completions.length).toBe(2);
  });

  it('is what the champion view and the users CSV export show (attempts counted, not assumed)', async () => {
    const catalog = fixtureCatalog();
    const dee = await addUser(t.db, { email: 'dee@example.jp', department: 'Ops' });
    await rawDrizzle(t.db)
      .insert(lessonCompletions)
      .values({ userId: dee, lessonId: 'what-is-generative-ai', completedAt: at('2026-11-10T00:00:00Z') });
    await rawDrizzle(t.db)
      .insert(quizAttempts)
      .values([
        {
          id: 'd1',
          userId: dee,
          quizId: 'basic-ai-essentials',
          startedAt: at('2026-11-11T00:00:00Z'),
          submittedAt: at('2026-11-11T00:05:00Z'),
          score: 1,
          maxScore: 3,
          passed: false,
        },
        {
          id: 'd2',
          userId: dee,
          quizId: 'basic-ai-essentials',
          startedAt: at('2026-11-12T00:00:00Z'),
          submittedAt: at('2026-11-12T00:05:00Z'),
          score: 3,
          maxScore: 3,
          passed: true,
        },
      ]);
    const departmentId = first(await rawDrizzle(t.db).select().from(users).where(eq(users.id, dee)))!.departmentId!;
    const [entry] = (await championView(t.db, catalog, departmentId, 'Asia/Tokyo')).roster;
    expect(entry).toMatchObject({ id: dee, attempts: 2, quizAverage: 100, lastActivityAt: at('2026-11-12T00:05:00Z') });
    expect(entry!.progress.tier('basic')).toMatchObject({ lessonsDone: 1, quizzesPassed: 1 });

    const rows: unknown[][] = [];
    for await (const row of userProgressRows(t.db, catalog, departmentId)) rows.push(row);
    const header = userProgressHeader(catalog);
    const csv = Object.fromEntries(header.map((name, i) => [name, rows[0]![i]]));
    expect(rows).toHaveLength(1);
    expect(csv).toMatchObject({ email: 'dee@example.jp', last_activity_at: '2026-11-12T00:05:00.000Z', basic_lessons: '1/2', basic_quizzes_passed: '1/1' });
  });
});
