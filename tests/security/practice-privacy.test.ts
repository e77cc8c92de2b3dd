/**
 * Practice answers are private (issue 16): the text a learner writes in a <TryIt> task is shown
 * to that learner only. Another learner, the department's champion and an admin fetch every page
 * of the build they may open (champion and admin pages, with any "whose" parameter), every export
 * and the xAPI statements, and never see the answer's unique marker; in the database the marker
 * is only in `practice_answers` (a post's answer kept for its redirect is sealed), and the server
 * log never carries it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveWave } from '../../src/features/programme/waves.server.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { get } from '../helpers/http.ts';
import { type App, builtRoutes, concretePaths, dumpDatabase, post, startApp, submit } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { sqlRows } from '../helpers/db.ts';

const MARKER = 'PRACTICE-MARKER-q7Zr4kXv';
const catalog = fixtureCatalog();
const course = catalog.course('basic-ai-essentials')!;
const quiz = catalog.quiz('basic-ai-essentials')!;
const LESSON = 'what-is-generative-ai';
const PAGE = `/learn/${course.id}/${LESSON}`;
const EXPORTS = ['users.csv', 'completions.csv', 'attempts.csv', 'kpis.csv', 'policies.csv', 'evidence.csv', 'xapi.json'];

let app: App;
let sales = 0;

beforeAll(async () => {
  app = await startApp({
    users: {
      alice: { name: 'Alice Learner' },
      bob: { name: 'Bob Colleague' },
      champion: { role: 'champion', name: 'Cham Pion' },
      admin: { role: 'admin', department: 'IT' },
    },
    prepare: async (db) => {
      sales = await ensureDepartment(rawDrizzle(db), 'Sales');
      await saveWave(db, { name: 'Pilot', position: 0, startDate: '2026-04-01', endDate: '2026-06-30', description: null, departmentIds: [sales], targets: [] });
    },
  });
  // Alice has a record the others can see (lessons done, feedback) and a practice answer they must not.
  for (const lesson of course.lessons) await post(app.url, `/learn/${course.id}/${lesson.id}?_action=lesson.complete`, app.cookies.alice, { lessonId: lesson.id });
  await post(app.url, `${PAGE}?_action=lesson.feedback`, app.cookies.alice, { lessonId: LESSON, rating: '4', comment: 'feedback the champion may read' });
  const saved = await submit(app.url, `${PAGE}?_action=practice.save`, app.cookies.alice, { lessonId: LESSON, taskId: 'first-draft', answer: `下書きをお願いします ${MARKER}` });
  expect(saved.status).toBe(200);
});

afterAll(async () => {
  await app?.stop();
});

/** Every page of the build a signed-in user may GET, with any "whose" parameter added. */
async function pagesToFetch(): Promise<string[]> {
  const values: Record<string, string> = {
    tier: 'basic',
    course: course.id,
    lesson: LESSON,
    quiz: quiz.id,
    attempt: 'a'.repeat(24),
    code: 'a'.repeat(24),
    token: `${'a'.repeat(24)}.${'b'.repeat(24)}`,
    id: String((await sqlRows<{ id: number }>(app.db, 'select id from waves'))[0]!.id),
    user: String(app.ids.alice),
    question: quiz.questions[0]!.id,
    file: 'users.csv',
    policy: 'ai-usage',
  };
  const alice = String(app.ids.alice);
  const routes = builtRoutes().filter(
    (r) => (r.startsWith('/[...locale]') || r.startsWith('/admin') || r.startsWith('/champion')) && !r.includes('logout') && !r.includes('[file]'),
  );
  const paths = routes.flatMap((r) => concretePaths(r, values));
  return [
    ...paths,
    ...paths.map((p) => `${p}?userId=${alice}&user=alice&as=alice@example.com&department=${sales}`),
    ...EXPORTS.map((f) => `/admin/exports/${f}`),
    ...EXPORTS.map((f) => `/admin/exports/${f}?userId=${alice}`),
  ];
}

describe('a practice answer is seen by its author only', () => {
  it('is on the author’s own lesson page, in both languages (so the checks below can fail)', async () => {
    for (const path of [PAGE, `/en${PAGE}`]) expect(await (await get(app.url, path, app.cookies.alice)).text(), path).toContain(MARKER);
  });

  it('is on no page, export or xAPI statement another learner, the champion or an admin can fetch', async () => {
    const pages = await pagesToFetch();
    expect(pages).toContain('/champion');
    expect(pages).toContain('/admin/users');
    expect(pages).toContain('/admin/exports/xapi.json');
    expect(pages).toContain(PAGE);
    let reached = 0;
    for (const who of ['bob', 'champion', 'admin']) {
      for (const path of pages) {
        const response = await get(app.url, path, app.cookies[who]);
        if (response.status === 200) reached++;
        expect(await response.text(), `${who} ${path}`).not.toContain(MARKER);
      }
    }
    // The champion and the admin did reach their pages (alice is on them), and the exports.
    expect(await (await get(app.url, '/champion', app.cookies.champion)).text()).toContain('Alice Learner');
    expect(await (await get(app.url, `/champion?department=${sales}`, app.cookies.admin)).text()).toContain('Alice Learner');
    const xapi = await (await get(app.url, '/admin/exports/xapi.json', app.cookies.admin)).text();
    expect(xapi).toContain('"verb"');
    expect(await (await get(app.url, '/admin/exports/completions.csv', app.cookies.admin)).text()).toContain('alice@example.com');
    expect(reached).toBeGreaterThan(60);
  });

  it('is stored in practice_answers only, and never written to the server log', async () => {
    const lines = (await dumpDatabase(app.db)).split('\n').filter((line) => line.includes(MARKER));
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^practice_answers: /);
    expect(app.server.output()).not.toContain(MARKER);
  });
});
