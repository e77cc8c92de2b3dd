/**
 * Practice answers (practice.server.ts, practice.ts) on a real SQLite file with the real
 * migrations: the latest answer per learner, lesson and task, counted as the month's activity in
 * the same write, read only for the learner, gone with the learner; the form field's text rules.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityMonths, kpiDepartmentMonths, practiceAnswers, users } from '../../../db/schema/index.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { rawDrizzle, rawSqlite } from '../../platform/db.server.ts';
import { textField } from '../../platform/input/text.ts';
import { ANSWER_MAX_CHARS, answerProblem, postedTask } from './practice.ts';
import { loadOwnPracticeAnswers, ownLessonAnswers, saveAnswer } from './practice.server.ts';

const TZ = 'Asia/Tokyo';
const LESSON = 'what-is-generative-ai';
let t: TempDb;
beforeAll(() => {
  t = tempDb();
});
afterAll(() => t?.cleanup());

const activity = async (userId: number) => await rawDrizzle(t.db).select().from(activityMonths).where(eq(activityMonths.userId, userId));
const activeUsers = async () => (await rawDrizzle(t.db).select().from(kpiDepartmentMonths)).reduce((n, r) => n + r.activeUsers, 0);

describe('practice answers in the database', () => {
  it('keeps the latest answer per task, and counts the month once as activity in the same write', async () => {
    const userId = await addUser(t.db, { email: 'sato@example.jp', department: 'Sales' });
    const before = await activeUsers();
    const first = new Date('2026-04-10T01:00:00Z');
    expect(await saveAnswer(t.db, { userId, lessonId: LESSON, taskId: 'first-draft', answer: '最初の回答' }, TZ, first)).toEqual({ created: true });
    expect((await activity(userId)).map((a) => a.month)).toEqual(['2026-04']);
    expect(await activeUsers()).toBe(before + 1);

    const later = new Date('2026-04-12T01:00:00Z');
    expect(await saveAnswer(t.db, { userId, lessonId: LESSON, taskId: 'first-draft', answer: '書き直した回答\n二行目' }, TZ, later)).toEqual({ created: false });
    const own = await ownLessonAnswers(t.db, userId, LESSON);
    expect(Object.keys(own)).toEqual(['first-draft']);
    expect(own['first-draft']).toEqual({ lessonId: LESSON, taskId: 'first-draft', answer: '書き直した回答\n二行目', createdAt: first, updatedAt: later });
    // No history: one row, the latest text.
    expect(await rawDrizzle(t.db).select().from(practiceAnswers).where(eq(practiceAnswers.userId, userId))).toHaveLength(1);
    // The same month counts once; a new month counts again.
    expect(await activity(userId)).toHaveLength(1);
    expect(await activeUsers()).toBe(before + 1);
    await saveAnswer(t.db, { userId, lessonId: LESSON, taskId: 'other-task', answer: '五月' }, TZ, new Date('2026-05-01T00:00:00Z'));
    expect((await activity(userId)).map((a) => a.month)).toEqual(['2026-04', '2026-05']);
    expect(await activeUsers()).toBe(before + 2);
  });

  it('reads only the learner’s own answers, and deletes them with the learner', async () => {
    const mine = await addUser(t.db, { email: 'kato@example.jp' });
    const theirs = await addUser(t.db, { email: 'ito@example.jp' });
    await saveAnswer(t.db, { userId: mine, lessonId: LESSON, taskId: 'first-draft', answer: 'MINE' }, TZ);
    await saveAnswer(t.db, { userId: mine, lessonId: 'safe-use-basics', taskId: 'spot-the-risk', answer: 'MINE TOO' }, TZ);
    await saveAnswer(t.db, { userId: theirs, lessonId: LESSON, taskId: 'first-draft', answer: 'THEIRS' }, TZ);
    expect((await ownLessonAnswers(t.db, mine, LESSON))['first-draft']!.answer).toBe('MINE');
    expect((await ownLessonAnswers(t.db, theirs, LESSON))['first-draft']!.answer).toBe('THEIRS');
    expect((await ownLessonAnswers(t.db, mine, 'safe-use-basics'))['spot-the-risk']!.answer).toBe('MINE TOO');
    expect((await loadOwnPracticeAnswers(t.db, mine)).map((a) => [a.lessonId, a.taskId, a.answer])).toEqual([
      ['safe-use-basics', 'spot-the-risk', 'MINE TOO'],
      [LESSON, 'first-draft', 'MINE'],
    ]);

    await rawDrizzle(t.db).delete(users).where(eq(users.id, mine));
    expect(await rawDrizzle(t.db).select().from(practiceAnswers).where(eq(practiceAnswers.userId, mine))).toEqual([]);
    expect(await loadOwnPracticeAnswers(t.db, theirs)).toHaveLength(1);
  });

  it('refuses an empty or over-long answer in the database itself', async () => {
    const userId = await addUser(t.db, { email: 'ueda@example.jp' });
    const insert = rawSqlite(t.db).prepare('insert into practice_answers (user_id, lesson_id, task_id, answer, updated_at) values (?, ?, ?, ?, 0)');
    expect(() => insert.run(userId, LESSON, 'a', '')).toThrow(/CHECK constraint/);
    expect(() => insert.run(userId, LESSON, 'b', 'あ'.repeat(ANSWER_MAX_CHARS + 1))).toThrow(/CHECK constraint/);
    expect(() => insert.run(userId, LESSON, 'c', 'あ'.repeat(ANSWER_MAX_CHARS))).not.toThrow();
  });
});

describe('the answer field and its messages', () => {
  const field = textField('answer', ANSWER_MAX_CHARS, { multiline: true, required: true });

  it('takes line breaks and tabs, trims, and refuses empty, too long and invisible characters', () => {
    expect(field.parse('  一行目\n\t二行目  ')).toBe('一行目\n\t二行目');
    expect(field.safeParse('   \n ').success).toBe(false);
    expect(field.safeParse('x'.repeat(ANSWER_MAX_CHARS + 1)).success).toBe(false);
    expect(field.safeParse('x'.repeat(ANSWER_MAX_CHARS)).success).toBe(true);
    const hidden = field.safeParse('見える\u200bテキスト');
    expect(hidden.success).toBe(false);
    expect(hidden.error?.issues.map((i) => i.message)).toContain('text.invisible.answer');
    expect(field.safeParse('右から\u202e左へ').success).toBe(false);
  });

  it('names the problem: invisible, empty or too long', () => {
    expect(answerProblem(undefined, 'x')).toBeNull();
    expect(answerProblem(['text.invisible.answer'], 'a\u200bb')).toBe('invisible');
    expect(answerProblem(['Too small'], '  ')).toBe('empty');
    expect(answerProblem(['Too small'], null)).toBe('empty');
    expect(answerProblem(['Too big'], 'x'.repeat(5000))).toBe('tooLong');
  });

  it('shows the answer to a post only on the task of the lesson it was for', () => {
    const input = new URLSearchParams({ lessonId: LESSON, taskId: 'first-draft', answer: '' });
    expect(postedTask(LESSON, null, input)).toBeNull();
    expect(postedTask(LESSON, { data: { lessonId: LESSON, taskId: 'first-draft', created: true } }, null)).toBe('first-draft');
    expect(postedTask('another-lesson', { data: { lessonId: LESSON, taskId: 'first-draft', created: true } }, null)).toBeNull();
    expect(postedTask(LESSON, { error: new Error('x') as never }, input)).toBe('first-draft');
    expect(postedTask('another-lesson', { error: new Error('x') as never }, input)).toBeNull();
  });
});
