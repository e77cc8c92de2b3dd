/**
 * Checklist 11: answer keys and explanations never reach the browser before the attempt is
 * submitted. The fixture quizzes carry canary explanations; every quiz page (before and during
 * an attempt, after an incomplete submission, in both languages), every script and stylesheet
 * those pages load, every file the build serves to browsers and the search bundle are searched
 * for them and for correct-answer markers.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { eq, isNull, and } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quizAttempts } from '../../db/schema/index.ts';
import type { QuizNode } from '../../src/features/curriculum/catalog.ts';
import { fixtureCatalog, ROOT } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get } from '../helpers/http.ts';
import { type App, post, startApp, submit } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

const catalog = fixtureCatalog();
const quizzes = catalog.tiers
  .flatMap((t) => t.courses)
  .map((c) => catalog.quiz(c.id))
  .filter((q): q is QuizNode => q !== null);
let app: App;

/** The lessons' own text: an explanation that repeats a sentence of a lesson gives nothing away. */
const lessonText = filesUnder(path.join(ROOT, 'tests/fixtures/content/lessons'))
  .map((f) => fs.readFileSync(f, 'utf8'))
  .join('\n');

/** Every explanation text of every quiz, in every language (unless a lesson says it too), and the canary markers. */
function secrets(): string[] {
  const out = new Set<string>(['CANARY']);
  for (const quiz of quizzes) {
    for (const text of Object.values(quiz.text)) {
      for (const question of text!.questions) {
        if (question.explanation) out.add(question.explanation.trim().slice(0, 40));
        for (const option of question.options) if (option.explanation) out.add(option.explanation.trim().slice(0, 40));
      }
    }
  }
  return [...out].filter((secret) => !lessonText.includes(secret));
}

function expectClean(text: string, where: string): void {
  for (const secret of secrets()) expect(text.includes(secret), `${where} contains "${secret}"`).toBe(false);
}

/** Checks a quiz page's HTML: no explanations, no correctness markers, all options alike. */
function expectNoKey(html: string, where: string): void {
  expectClean(html, where);
  expect(html, where).not.toMatch(/data-correct|data-answer|"correct"|\bcorrect\s*[:=]|\bis-correct\b|\bexplanation\b/i);
  for (const input of html.matchAll(/<input[^>]*name="answer\.[^"]*"[^>]*>/g)) {
    const attributes = [...input[0].matchAll(/\s([a-z-]+)(?:=|\s|>|\/)/g)].map((m) => m[1]).sort();
    expect(
      attributes.filter((a) => !['type', 'name', 'value', 'required', 'checked', 'data-astro-cid'].some((ok) => a!.startsWith(ok))),
      `${where}: ${input[0]}`,
    ).toEqual([]);
  }
}

/** The scripts, styles and modules a page refers to, fetched recursively (same origin only). */
async function assets(html: string, cookie: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const queue = [...html.matchAll(/<(?:script|link|img|source|iframe)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  for (const inline of html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)) queue.push(...[...inline[1]!.matchAll(/(?:import\s*\(|from)\s*["']([^"']+)["']/g)].map((m) => m[1]!));
  while (queue.length > 0) {
    const ref = queue.shift()!;
    const url = new URL(ref, `${app.url}/`);
    if (url.origin !== app.url || found.has(url.pathname)) continue;
    const response = await get(app.url, url.pathname + url.search, cookie);
    const body = await response.text();
    found.set(url.pathname, body);
    if (/\.m?js$/.test(url.pathname)) queue.push(...[...body.matchAll(/(?:import\s*\(|from|import)\s*["']([^"']+\.m?js)["']/g)].map((m) => m[1]!));
  }
  return found;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

function readMaybeGzipped(file: string): string {
  const raw = fs.readFileSync(file);
  if (raw[0] === 0x1f && raw[1] === 0x8b) return zlib.gunzipSync(raw).toString('utf8');
  return raw.toString('utf8');
}

function answers(quiz: QuizNode, attemptId: string, correct: boolean): [string, string][] {
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

const openAttempt = async (key: string, quizId: string) =>
  first(
    await rawDrizzle(app.db)
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.userId, app.ids[key]!), eq(quizAttempts.quizId, quizId), isNull(quizAttempts.submittedAt))),
  )?.id;

beforeAll(async () => {
  app = await startApp({ users: { ann: {}, pro: {} } });
  // "pro" works through the curriculum so that every quiz is open to them.
  for (const quiz of quizzes) {
    const course = catalog.course(quiz.courseId)!;
    for (const lesson of course.lessons) await post(app.url, `/learn/${course.id}/${lesson.id}?_action=lesson.complete`, app.cookies.pro, { lessonId: lesson.id });
    await post(app.url, `/quiz/${quiz.id}?_action=quiz.start`, app.cookies.pro, { quizId: quiz.id });
    if (quiz !== quizzes.at(-1)) await post(app.url, `/quiz/${quiz.id}?_action=quiz.submit`, app.cookies.pro, answers(quiz, (await openAttempt('pro', quiz.id))!, true));
    await post(app.url, `/quiz/${quiz.id}?_action=quiz.start`, app.cookies.pro, { quizId: quiz.id });
  }
});

afterAll(async () => {
  await app?.stop();
});

describe('checklist 11: answer keys and explanations hidden until the attempt is submitted', () => {
  it('has canaries and explanations to look for', () => {
    expect(quizzes.length).toBeGreaterThanOrEqual(3);
    expect(secrets()).toContain('CANARY');
    expect(secrets().filter((s) => s.includes('CANARY-')).length).toBeGreaterThanOrEqual(2);
    expect(secrets().length).toBeGreaterThan(10);
  });

  it('keeps them out of every quiz page before and during an attempt, in both languages, and out of what those pages load', async () => {
    const loaded = new Map<string, string>();
    for (const quiz of quizzes) {
      for (const prefix of ['', '/en']) {
        // ann: no attempt yet (the first quiz) or locked; pro: an open attempt on every quiz
        for (const who of ['ann', 'pro']) {
          const response = await get(app.url, `${prefix}/quiz/${quiz.id}`, app.cookies[who]);
          expect(response.status).toBe(200);
          const html = await response.text();
          if (who === 'pro') expect(html, `${prefix}/quiz/${quiz.id}`).toContain(`name="answer.${quiz.questions[0]!.id}"`);
          expectNoKey(html, `${who} ${prefix}/quiz/${quiz.id}`);
          for (const [file, body] of await assets(html, app.cookies[who]!)) loaded.set(file, body);
        }
      }
    }
    for (const [file, body] of loaded) expectClean(body, file);
  });

  it('keeps them out of the start answer and of an incomplete submission’s page', async () => {
    const quiz = quizzes[0]!;
    const started = await post(app.url, '/_actions/quiz.start', app.cookies.ann, { quizId: quiz.id });
    expect(started.status).toBe(200);
    expectNoKey(await started.text(), 'quiz.start answer');
    const attemptId = (await openAttempt('ann', quiz.id))!;
    // one question left out: the page comes back with the choices kept, still without the key
    const partial = answers(quiz, attemptId, true).filter(([k]) => k !== `answer.${quiz.questions.at(-1)!.id}`);
    for (const prefix of ['', '/en']) {
      // post/redirect/get: the page the 303 leads to shows the choices kept
      const response = await submit(app.url, `${prefix}/quiz/${quiz.id}?_action=quiz.submit`, app.cookies.ann, partial);
      expect(response.status).toBe(400);
      expectNoKey(await response.text(), `${prefix} incomplete submission`);
    }
    const rpc = await post(app.url, '/_actions/quiz.submit', app.cookies.ann, partial);
    expect(rpc.status).toBe(200);
    expectNoKey(await rpc.text(), 'quiz.submit (incomplete) answer');
    // the course and lesson pages around the quiz do not carry them either
    const course = catalog.course(quiz.courseId)!;
    for (const page of [`/learn/${course.id}`, ...course.lessons.map((l) => `/learn/${course.id}/${l.id}`), '/home', `/tiers/${course.tierId}`]) {
      expectClean(await (await get(app.url, page, app.cookies.ann)).text(), page);
    }
  });

  it('keeps them out of every file the build serves to browsers and out of the search bundle', () => {
    const files = [...filesUnder(path.join(ROOT, FIXTURE_OUT_DIR, 'client')), ...filesUnder(path.join(ROOT, FIXTURE_OUT_DIR, 'search'))];
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      if (/\.(wasm|png|jpe?g|webp|avif|ico|woff2?)$/.test(file)) continue;
      expectClean(readMaybeGzipped(file), path.relative(ROOT, file));
    }
  });

  it('shows them once the attempt is submitted (so the searches above can find them)', async () => {
    const quiz = quizzes[0]!;
    const attemptId = (await openAttempt('ann', quiz.id))!;
    const submitted = await post(app.url, `/quiz/${quiz.id}?_action=quiz.submit`, app.cookies.ann, answers(quiz, attemptId, false));
    expect(submitted.status).toBe(303);
    const result = await (await get(app.url, submitted.headers.get('location')!, app.cookies.ann)).text();
    expect(result).toContain('CANARY-EXPLANATION-7f3a9c');
    expect(result).toContain('CANARY-OPTION-4b1e');
    expect(() => expectClean(result, 'result page')).toThrow();
  });
});
