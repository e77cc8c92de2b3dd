/**
 * Practice (やってみよう) over real HTTP against the fixture build, without JavaScript: plain form
 * posts and the pages the 303 leads to. Saving shows the learner's answer with the self-check
 * points and the model answer; revising keeps the latest only; a saved answer counts as the
 * month's activity; refused answers (locked course, unknown lesson or task, empty, too long,
 * invisible characters) change nothing and say why, keeping the text as typed.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityMonths, kpiDepartmentMonths, practiceAnswers } from '../../db/schema/index.ts';
import { rawDrizzle, type Db } from '../../src/platform/db.server.ts';
import { monthKey } from '../../src/platform/dates.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { afterPost, get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'fixture password 1';
const COURSE = 'basic-ai-essentials';
const LESSON = 'what-is-generative-ai';
const TASK = 'first-draft';
const PAGE = `/learn/${COURSE}/${LESSON}`;
const MODEL = '内容：新しい経費精算ツールの説明会、来週水曜15時、会議室B';
const RUBRIC = '日時と場所が入っている';

let t: TempDb;
let server: RunningServer;
let db: Db;
const cookies: Record<string, string> = {};
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = tempDb();
  for (const name of ['alice', 'erin', 'fay']) ids[name] = await addUser(t.db, { email: `${name}@example.com`, password: PASSWORD, name, department: 'Sales' });
  void t.db.close();
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, env: { APP_TIMEZONE: 'Asia/Tokyo' } });
  db = reopenDb(t.file);
  for (const name of Object.keys(ids)) cookies[name] = (await signIn(server.url, `${name}@example.com`, PASSWORD)).cookie!;
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

const answer = (who: string, fields: Record<string, string>, page = PAGE) => postForm(server.url, `${page}?_action=practice.save`, cookies[who]!, fields);
const shown = async (who: string, posted: Promise<Response>) => afterPost(server.url, await posted, cookies[who]);
const rows = async (who: string) => await rawDrizzle(db).select().from(practiceAnswers).where(eq(practiceAnswers.userId, ids[who]!));
const decode = (html: string) => html.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'");

describe('answering a practice task without JavaScript', () => {
  it('shows the task and an empty, labelled form first, without the rubric or the model answer', async () => {
    const html = await (await get(server.url, PAGE, cookies.alice)).text();
    expect(html).toContain('下書きを頼む');
    expect(html).toMatch(new RegExp(`<form method="POST" action="${PAGE}\\?_action=practice\\.save"`));
    expect(html).toMatch(/<label for="tryit-answer-first-draft"[^>]*>回答<\/label>/);
    expect(html).toMatch(/<textarea id="tryit-answer-first-draft" name="answer"[^>]*maxlength="4000"[^>]*required[^>]*><\/textarea>/);
    expect(html).toContain('4,000文字まで書けます');
    expect(html).not.toContain(MODEL);
    expect(html).not.toContain(RUBRIC);
  });

  it('saves the answer (303 to #post-result), then shows it with the rubric and the model answer; counts the month as activity', async () => {
    const posted = await answer('alice', { lessonId: LESSON, taskId: TASK, answer: '社内向けのお知らせの下書きを書いてください。\n<b>説明会</b>' });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`${PAGE}#post-result`);
    const page = await afterPost(server.url, posted, cookies.alice);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<p class="notice" role="status" id="post-result"[^>]*>\s*回答を保存しました。/);
    expect(html).toContain('保存した回答');
    expect(html).toContain('社内向けのお知らせの下書きを書いてください。\n&lt;b&gt;説明会&lt;/b&gt;');
    expect(html).not.toContain('<b>説明会</b>');
    expect(html).toContain('振り返りのポイント');
    expect(html).toContain(RUBRIC);
    expect(html).toContain(MODEL);
    expect(html).toContain('回答を書き直す');
    expect(await rows('alice')).toMatchObject([{ lessonId: LESSON, taskId: TASK, answer: '社内向けのお知らせの下書きを書いてください。\n<b>説明会</b>' }]);
    // A reload shows the answer again, without the one-time confirmation.
    const again = await (await get(server.url, PAGE, cookies.alice)).text();
    expect(again).toContain(MODEL);
    expect(again).not.toContain('回答を保存しました。');
  });

  it('counts a saved answer as the month’s activity (a learner who has opened no page yet)', async () => {
    const month = monthKey(new Date(), 'Asia/Tokyo');
    const active = async () =>
      await rawDrizzle(db)
        .select()
        .from(activityMonths)
        .where(and(eq(activityMonths.userId, ids.fay!), eq(activityMonths.month, month)));
    const activeUsers = async () => (await rawDrizzle(db).select().from(kpiDepartmentMonths)).reduce((n, r) => n + r.activeUsers, 0);
    expect(await active()).toEqual([]);
    const before = await activeUsers();
    const rpc = await fetch(`${server.url}/_actions/practice.save`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, cookie: cookies.fay! },
      body: new URLSearchParams({ lessonId: LESSON, taskId: TASK, answer: 'RPCで保存' }),
    });
    expect(rpc.status).toBe(200);
    expect((await rows('fay')).map((r) => r.answer)).toEqual(['RPCで保存']);
    expect(await active()).toHaveLength(1);
    expect(await activeUsers()).toBe(before + 1);
  });

  it('revises the answer: the latest replaces it, one row', async () => {
    const page = await shown('alice', answer('alice', { lessonId: LESSON, taskId: TASK, answer: '書き直しました' }));
    const html = await page.text();
    expect(html).toContain('回答を更新しました。');
    expect(html).toContain('書き直しました');
    expect(html).not.toContain('&lt;b&gt;説明会');
    expect((await rows('alice')).map((r) => r.answer)).toEqual(['書き直しました']);
  });

  it('speaks English on the English page', async () => {
    const page = await shown('alice', answer('alice', { lessonId: LESSON, taskId: TASK, answer: 'Rewritten in English' }, `/en${PAGE}`));
    const html = await page.text();
    expect(html).toContain('Your answer is updated.');
    expect(html).toContain('Check your answer');
    expect(html).toContain('Model answer');
    expect(html).toContain('Up to 4,000 characters.');
  });
});

describe('refused answers change nothing', () => {
  const refusals: [string, Record<string, string>, number, RegExp | null][] = [
    ['empty', { lessonId: LESSON, taskId: TASK, answer: ' \n ' }, 400, /回答：回答を入力してください。/],
    ['too long', { lessonId: LESSON, taskId: TASK, answer: 'あ'.repeat(4001) }, 400, /回答：4,000文字以内で入力してください。/],
    ['invisible characters', { lessonId: LESSON, taskId: TASK, answer: '見える\u200bけれど' }, 400, /回答：回答に、見えない文字や制御文字/],
    ['a bidi override', { lessonId: LESSON, taskId: TASK, answer: 'abc\u202edef' }, 400, /回答：回答に、見えない文字や制御文字/],
    ['an unknown task', { lessonId: LESSON, taskId: 'no-such-task', answer: 'x' }, 404, null],
    ['an unknown lesson', { lessonId: 'no-such-lesson', taskId: TASK, answer: 'x' }, 404, null],
    ['an unknown field', { lessonId: LESSON, taskId: TASK, answer: 'x', userId: '1' }, 400, null],
  ];

  it.each(refusals)('refuses %s', async (_label, fields, status, message) => {
    const before = JSON.stringify(await rows('erin'));
    const page = await shown('erin', answer('erin', fields));
    expect(page.status).toBe(status);
    const html = await page.text();
    expect(html).not.toMatch(/\bat [\w.<>]+ \(|SQLITE|\.ts:\d+/);
    expect(JSON.stringify(await rows('erin'))).toBe(before);
    expect(html).not.toContain('回答を保存しました');
    // A refusal not about the text (a form no page sends) gets the general message on its task.
    if (fields.lessonId === LESSON && fields.taskId === TASK && !message) expect(html).toContain('この課題には回答を保存できません。');
    if (!message) return;
    // The summary names the field and links to it; the field is marked, described and focused, and keeps the text as typed.
    expect(html).toMatch(/<div class="notice notice--error" role="alert" id="post-result"[^>]*>\s*<p[^>]*>\s*<strong[^>]*>回答は保存されていません<\/strong>/);
    expect(html).toMatch(message);
    expect(html).toContain('href="#tryit-answer-first-draft"');
    expect(html).toMatch(
      /<textarea id="tryit-answer-first-draft"[^>]*aria-describedby="tryit-answer-first-draft-error tryit-answer-first-draft-hint"[^>]*aria-invalid="true"[^>]*data-post-focus/,
    );
    const typed = decode(/<textarea id="tryit-answer-first-draft"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)![1]!);
    expect(typed.trim()).toBe(fields.answer!.trim());
  });

  it('refuses an answer on a locked course (403), as completing the lesson is', async () => {
    const locked = '/learn/applied-department-pilot/finding-use-cases';
    const page = await shown('erin', answer('erin', { lessonId: 'finding-use-cases', taskId: TASK, answer: 'x' }, locked));
    expect(page.status).toBe(403);
    const rpc = await fetch(`${server.url}/_actions/practice.save`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, cookie: cookies.erin! },
      body: new URLSearchParams({ lessonId: 'finding-use-cases', taskId: TASK, answer: 'x' }),
    });
    expect(rpc.status).toBe(403);
    expect(await rows('erin')).toEqual([]);
  });

  it('needs a signed-in user', async () => {
    const response = await postForm(server.url, `${PAGE}?_action=practice.save`, null, { lessonId: LESSON, taskId: TASK, answer: 'x' });
    expect(response.status).toBe(401);
  });
});
