/**
 * The learning flow over real HTTP against the fixture build (.test-builds/fixture): quizzes
 * graded on the server with no answer key in the page, single storage of double submissions,
 * authorization of attempts and locked courses, certificates, feedback, activity, search.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptAnswers, certificates, lessonCompletions, lessonFeedback, lessonViews, quizAttempts, users } from '../../db/schema/index.ts';
import { type Db, rawDrizzle } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { afterPost, get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { first } from '../../src/platform/query.ts';

const PASSWORD = 'fixture password 1';
const catalog = fixtureCatalog();
const basicQuiz = catalog.quiz('basic-ai-essentials')!;
const basicCourse = catalog.course('basic-ai-essentials')!;

let t: TempDb;
let server: RunningServer;
let db: Db;
const cookies: Record<string, string> = {};
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = tempDb();
  for (const name of ['alice', 'bob', 'carol', 'dave']) {
    ids[name] = await addUser(t.db, { email: `${name}@example.com`, password: PASSWORD, name });
  }
  void t.db.close();
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  db = reopenDb(t.file);
  for (const name of Object.keys(ids)) {
    const { cookie } = await signIn(server.url, `${name}@example.com`, PASSWORD);
    cookies[name] = cookie!;
  }
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

const complete = (who: string, courseId: string, lessonId: string) => postForm(server.url, `/learn/${courseId}/${lessonId}?_action=lesson.complete`, cookies[who]!, { lessonId });

async function startQuiz(who: string, quizId: string): Promise<string> {
  const response = await postForm(server.url, `/quiz/${quizId}?_action=quiz.start`, cookies[who]!, { quizId });
  expect(response.status).toBe(303);
  const html = await (await get(server.url, `/quiz/${quizId}`, cookies[who])).text();
  const attemptId = /name="attemptId" value="([a-z2-9]{24})"/.exec(html)?.[1];
  expect(attemptId).toBeDefined();
  return attemptId!;
}

function answerFields(quizId: string, attemptId: string, correct: boolean): [string, string][] {
  const quiz = catalog.quiz(quizId)!;
  const fields: [string, string][] = [
    ['quizId', quizId],
    ['attemptId', attemptId],
  ];
  for (const q of quiz.questions) {
    const chosen = correct ? q.correctOptionIds : [q.optionIds.find((o) => !q.correctOptionIds.includes(o))!];
    for (const option of chosen) fields.push([`answer.${q.id}`, option]);
  }
  return fields;
}

const submit = (who: string, quizId: string, fields: [string, string][]) => postForm(server.url, `/quiz/${quizId}?_action=quiz.submit`, cookies[who]!, fields);
/** The page the browser shows after a post: post/redirect/get puts the answer (and its status) there. */
const shown = async (who: string, posted: Promise<Response>) => afterPost(server.url, await posted, cookies[who]);

describe('the quiz page before submission', () => {
  it('has no explanations or answer key in its HTML or its scripts (canary)', async () => {
    const attemptId = await startQuiz('alice', basicQuiz.id);
    for (const path of [`/quiz/${basicQuiz.id}`, `/en/quiz/${basicQuiz.id}`]) {
      const html = await (await get(server.url, path, cookies.alice)).text();
      expect(html).toContain(attemptId);
      expect(html).toContain('name="answer.how-it-writes"');
      expect(html).not.toMatch(/CANARY/);
      expect(html).not.toMatch(/\bcorrect\b|data-correct|"correct"/i);
      for (const script of html.matchAll(/<script[^>]*src="([^"]+)"/g)) {
        expect(await (await get(server.url, script[1]!, cookies.alice)).text()).not.toMatch(/CANARY/);
      }
    }
  });

  it('shows the explanations after submission (so the canary test can fail)', async () => {
    const attemptId = await startQuiz('alice', basicQuiz.id);
    const response = await submit('alice', basicQuiz.id, answerFields(basicQuiz.id, attemptId, false));
    expect(response.status).toBe(303);
    const result = await (await get(server.url, response.headers.get('location')!, cookies.alice)).text();
    expect(result).toContain('CANARY-EXPLANATION-7f3a9c');
    expect(result).toContain('CANARY-OPTION-4b1e');
  });
});

describe('grading and attempts', () => {
  it('grades on the server, stores every answer, and the best attempt counts', async () => {
    const failId = await startQuiz('bob', basicQuiz.id);
    await submit('bob', basicQuiz.id, answerFields(basicQuiz.id, failId, false));
    const failed = first(await rawDrizzle(db).select().from(quizAttempts).where(eq(quizAttempts.id, failId)))!;
    expect(failed).toMatchObject({ score: 0, maxScore: 3, passed: false });
    expect(await rawDrizzle(db).select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, failId))).toHaveLength(3);

    const passId = await startQuiz('bob', basicQuiz.id);
    expect(passId).not.toBe(failId);
    const response = await submit('bob', basicQuiz.id, answerFields(basicQuiz.id, passId, true));
    expect(response.headers.get('location')).toBe(`/quiz/${basicQuiz.id}/attempts/${passId}#post-result`);
    expect(first(await rawDrizzle(db).select().from(quizAttempts).where(eq(quizAttempts.id, passId)))).toMatchObject({ score: 3, passed: true });

    const page = await (await get(server.url, `/quiz/${basicQuiz.id}`, cookies.bob)).text();
    expect(page.match(/quiz\/basic-ai-essentials\/attempts\//g)).toHaveLength(2); // history lists both
  });

  it('refuses an incomplete submission, stores nothing, and keeps the choices', async () => {
    const attemptId = await startQuiz('carol', basicQuiz.id);
    const fields = answerFields(basicQuiz.id, attemptId, true).filter(([k]) => k !== 'answer.check-output');
    const response = await shown('carol', submit('carol', basicQuiz.id, fields));
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toMatch(/role="alert"/);
    expect(html).toMatch(/value="b"[^>]*checked|checked[^>]*value="b"/);
    expect(first(await rawDrizzle(db).select().from(quizAttempts).where(eq(quizAttempts.id, attemptId)))!.submittedAt).toBeNull();
    expect(await rawDrizzle(db).select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attemptId))).toEqual([]);
  });

  it('refuses unknown fields and options with 400, changing nothing', async () => {
    const attemptId = await startQuiz('carol', basicQuiz.id);
    const unknownOption = answerFields(basicQuiz.id, attemptId, true).map(([k, v]) => (k === 'answer.how-it-writes' ? [k, 'zzz'] : [k, v]) as [string, string]);
    expect((await shown('carol', submit('carol', basicQuiz.id, unknownOption))).status).toBe(400);
    const extraField: [string, string][] = [...answerFields(basicQuiz.id, attemptId, true), ['isAdmin', '1']];
    expect((await shown('carol', submit('carol', basicQuiz.id, extraField))).status).toBe(400);
    expect(first(await rawDrizzle(db).select().from(quizAttempts).where(eq(quizAttempts.id, attemptId)))!.submittedAt).toBeNull();
  });

  it('stores a double-submitted attempt once, even when both arrive together', async () => {
    const attemptId = await startQuiz('dave', basicQuiz.id);
    const fields = answerFields(basicQuiz.id, attemptId, true);
    const [a, b] = await Promise.all([submit('dave', basicQuiz.id, fields), submit('dave', basicQuiz.id, fields)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(await rawDrizzle(db).select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attemptId))).toHaveLength(3);
    // a later submission with other answers changes nothing
    await submit('dave', basicQuiz.id, answerFields(basicQuiz.id, attemptId, false));
    expect(first(await rawDrizzle(db).select().from(quizAttempts).where(eq(quizAttempts.id, attemptId)))).toMatchObject({ score: 3, passed: true });
    expect(
      await rawDrizzle(db)
        .select()
        .from(attemptAnswers)
        .where(and(eq(attemptAnswers.attemptId, attemptId), eq(attemptAnswers.correct, true))),
    ).toHaveLength(3);
  });

  it('does not let another user submit or read an attempt', async () => {
    const attemptId = await startQuiz('alice', basicQuiz.id);
    const stolen = await shown('bob', submit('bob', basicQuiz.id, answerFields(basicQuiz.id, attemptId, true)));
    expect(stolen.status).toBe(404);
    expect(first(await rawDrizzle(db).select().from(quizAttempts).where(eq(quizAttempts.id, attemptId)))!.submittedAt).toBeNull();
    await submit('alice', basicQuiz.id, answerFields(basicQuiz.id, attemptId, true));
    expect((await get(server.url, `/quiz/${basicQuiz.id}/attempts/${attemptId}`, cookies.alice)).status).toBe(200);
    expect((await get(server.url, `/quiz/${basicQuiz.id}/attempts/${attemptId}`, cookies.bob)).status).toBe(404);
    expect((await get(server.url, `/quiz/${basicQuiz.id}/attempts/${attemptId}`)).status).toBe(302);
  });
});

describe('completions, locks and certificates', () => {
  it('stores one row for two simultaneous identical completions', async () => {
    const lesson = basicCourse.lessons[0]!;
    const [a, b] = await Promise.all([complete('carol', basicCourse.id, lesson.id), complete('carol', basicCourse.id, lesson.id)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const rows = await rawDrizzle(db)
      .select()
      .from(lessonCompletions)
      .where(and(eq(lessonCompletions.userId, ids.carol!), eq(lessonCompletions.lessonId, lesson.id)));
    expect(rows).toHaveLength(1);
    const page = await (await get(server.url, `/learn/${basicCourse.id}/${lesson.id}`, cookies.carol)).text();
    expect(page).toContain('に完了しました');
  });

  it('refuses to complete a lesson or start or submit the quiz of a locked course (403)', async () => {
    const applied = catalog.course('applied-department-pilot')!;
    const lessonResponse = await shown('carol', complete('carol', applied.id, applied.lessons[0]!.id));
    expect(lessonResponse.status).toBe(403);
    expect(
      await rawDrizzle(db)
        .select()
        .from(lessonCompletions)
        .where(and(eq(lessonCompletions.userId, ids.carol!), eq(lessonCompletions.lessonId, applied.lessons[0]!.id))),
    ).toEqual([]);
    const start = await shown('carol', postForm(server.url, `/quiz/${applied.id}?_action=quiz.start`, cookies.carol!, { quizId: applied.id }));
    expect(start.status).toBe(403);
    const rpc = await fetch(`${server.url}/_actions/quiz.submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, cookie: cookies.carol! },
      body: new URLSearchParams({ quizId: applied.id, attemptId: 'a'.repeat(24), 'answer.first-candidate': 'a', 'answer.internal-doc': 'b' }),
    });
    expect(rpc.status).toBe(403);
    const lockedPage = await (await get(server.url, `/learn/${applied.id}/${applied.lessons[0]!.id}`, cookies.carol)).text();
    expect(lockedPage).not.toContain('name="lessonId"');
  });

  it('completing the tier issues one certificate that verifies signed out', async () => {
    for (const lesson of basicCourse.lessons) await complete('dave', basicCourse.id, lesson.id);
    const rows = await rawDrizzle(db).select().from(certificates).where(eq(certificates.userId, ids.dave!));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tierId: 'basic', holderName: 'dave' });
    const code = rows[0]!.code;
    expect(code).toMatch(/^[a-z2-9]{24}$/);
    const verify = await get(server.url, `/en/verify/${code}`);
    expect(verify.status).toBe(200);
    const html = await verify.text();
    expect(html).toContain('dave');
    expect(html).toContain('Basic');
    expect(html).not.toContain('dave@example.com');
    expect((await get(server.url, `/verify/${'z'.repeat(24)}`)).status).toBe(404);
    expect((await get(server.url, `/certificates/${code}`, cookies.dave)).status).toBe(200);
    expect((await get(server.url, `/certificates/${code}`, cookies.alice)).status).toBe(404);
    // completing again issues nothing new
    await complete('dave', basicCourse.id, basicCourse.lessons[0]!.id);
    expect(await rawDrizzle(db).select().from(certificates).where(eq(certificates.userId, ids.dave!))).toHaveLength(1);
  });
});

describe('feedback, activity and language', () => {
  const lesson = basicCourse.lessons[1]!;
  const path = `/learn/${basicCourse.id}/${lesson.id}`;

  it('stores one feedback per user and lesson, changeable, and refuses bad input', async () => {
    expect((await postForm(server.url, `${path}?_action=lesson.feedback`, cookies.alice!, { lessonId: lesson.id, rating: '4', comment: 'わかりやすい' })).status).toBe(303);
    expect((await postForm(server.url, `${path}?_action=lesson.feedback`, cookies.alice!, { lessonId: lesson.id, rating: '5', comment: '' })).status).toBe(303);
    const rows = async () => await rawDrizzle(db).select().from(lessonFeedback).where(eq(lessonFeedback.userId, ids.alice!));
    expect(await rows()).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ rating: 5, comment: null, locale: 'ja' });
    expect((await shown('alice', postForm(server.url, `${path}?_action=lesson.feedback`, cookies.alice!, { lessonId: lesson.id, rating: '9' }))).status).toBe(400);
    expect(
      (await shown('alice', postForm(server.url, `${path}?_action=lesson.feedback`, cookies.alice!, { lessonId: lesson.id, rating: '3', comment: 'x'.repeat(1001) }))).status,
    ).toBe(400);
    expect((await rows())[0]!.rating).toBe(5);
  });

  it('records at most one lesson view per user, lesson and day', async () => {
    await get(server.url, path, cookies.bob);
    await get(server.url, `/en${path}`, cookies.bob);
    const views = await rawDrizzle(db)
      .select()
      .from(lessonViews)
      .where(and(eq(lessonViews.userId, ids.bob!), eq(lessonViews.lessonId, lesson.id)));
    expect(views).toHaveLength(1);
  });

  it('remembers the chosen language on the profile and shows the same page in it', async () => {
    const response = await postForm(server.url, '/en/language?_action=profile.setLocale', cookies.bob!, { locale: 'en', next: `/en${path}` });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/en${path}`);
    expect(first(await rawDrizzle(db).select({ locale: users.locale }).from(users).where(eq(users.id, ids.bob!)))!.locale).toBe('en');
    const evil = await postForm(server.url, '/en/language?_action=profile.setLocale', cookies.bob!, { locale: 'ja', next: 'https://evil.example/' });
    expect(evil.headers.get('location')).toBe('/home');
  });
});

describe('lesson components', () => {
  it('renders a practice task from the frontmatter and a source citation, in both languages', async () => {
    const ja = await (await get(server.url, '/learn/basic-ai-essentials/what-is-generative-ai', cookies.alice)).text();
    expect(ja).toContain('やってみよう');
    expect(ja).toContain('下書きを頼む');
    expect(ja).toContain('新しい経費精算ツールの説明会');
    expect(ja).toContain('（出典：Manabi「テスト用の資料」2026年1月15日）');
    const en = await (await get(server.url, '/en/learn/basic-ai-essentials/what-is-generative-ai', cookies.alice)).text();
    expect(en).toContain('Ask for a first draft');
    expect(en).toContain('(Source: Manabi, “Test material”, January 2026)');
  });
});

describe('search', () => {
  it('serves no Pagefind file to anonymous visitors, and all of them when signed in', async () => {
    for (const file of ['pagefind.js', 'pagefind-entry.json']) {
      expect((await get(server.url, `/pagefind/${file}`)).status).toBe(401);
      expect((await get(server.url, `/pagefind/${file}`, cookies.alice)).status).toBe(200);
    }
    const entry = (await (await get(server.url, '/pagefind/pagefind-entry.json', cookies.alice)).json()) as { languages: Record<string, { hash: string }> };
    const jaIndex = `/pagefind/pagefind.${entry.languages.ja!.hash}.pf_meta`;
    expect((await get(server.url, jaIndex)).status).toBe(401);
    expect((await get(server.url, jaIndex, cookies.alice)).status).toBe(200);
    expect((await get(server.url, '/pagefind/../../package.json', cookies.alice)).status).toBe(404);
    expect((await get(server.url, '/search-source/ja/basic-ai-essentials/safe-use-basics/')).status).not.toBe(200);
  });

  it('finds a Japanese lesson by a Japanese word and an English lesson by an English word', async () => {
    const ja = await (await get(server.url, `/search?q=${encodeURIComponent('個人情報')}`, cookies.alice)).text();
    expect(ja).toContain('href="/learn/basic-ai-essentials/safe-use-basics"');
    const en = await (await get(server.url, '/en/search?q=hallucinations', cookies.alice)).text();
    expect(en).toContain('href="/en/learn/basic-ai-essentials/what-is-generative-ai"');
    expect(en).not.toContain('href="/learn/');
  });

  it('requires sign-in for the search page', async () => {
    expect((await get(server.url, '/search?q=AI')).status).toBe(302);
  });
});
