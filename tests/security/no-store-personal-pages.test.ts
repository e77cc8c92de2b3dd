/**
 * Issue 11, item 12: personal pages were cacheable (`/home`, `/admin/users`,
 * `/admin/exports/users.csv`, `/certificates/<code>` had no Cache-Control). Every response to a
 * signed-in user is `no-store` — every route of the build, redirects, form results, actions and
 * error pages — except the search index, which the route marks `private` (browser only; the
 * same for every user). Pages for anonymous visitors (sign-in, one-time link, the public
 * /verify page) are not stored either; the build's static files keep their long cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, quizAttempts } from '../../db/schema/index.ts';
import { saveWave } from '../../src/features/programme/waves.server.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { builtRoutes, concretePaths, post, ROOT, startApp, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { sqlRows } from '../helpers/db.ts';
import { first } from '../../src/platform/query.ts';

const catalog = fixtureCatalog();
const quiz = catalog.quiz('basic-ai-essentials')!;
const course = catalog.course('basic-ai-essentials')!;
const CODE = 'certcode23456789abcdefgh';

let app: App;
let values: Record<string, string>;

beforeAll(async () => {
  app = await startApp({
    users: { admin: { role: 'admin', department: 'IT', name: 'Ada Admin' }, learner: { name: 'Lena Learner' } },
    prepare: async (db, ids) => {
      await saveWave(db, { name: 'Pilot', position: 0, startDate: '2026-04-01', endDate: '2026-06-30', description: null, departmentIds: [], targets: [] });
      await rawDrizzle(db).insert(certificates).values({ code: CODE, userId: ids.admin!, tierId: 'basic', holderName: 'Ada Admin', issuedAt: new Date() });
    },
  });
  await post(app.url, `/quiz/${quiz.id}?_action=quiz.start`, app.cookies.admin, { quizId: quiz.id });
  values = {
    tier: 'basic',
    course: course.id,
    lesson: course.lessons[0]!.id,
    quiz: quiz.id,
    attempt: first(await rawDrizzle(app.db).select().from(quizAttempts))!.id,
    code: CODE,
    token: `${'a'.repeat(24)}.${'b'.repeat(24)}`,
    id: String((await sqlRows<{ id: number }>(app.db, 'select id from waves'))[0]!.id),
    user: String(app.ids.learner),
    question: quiz.questions[0]!.id,
    file: 'users.csv',
    path: 'pagefind.js',
    locale: 'ja',
    policy: 'ai-usage',
  };
});

afterAll(async () => {
  await app?.stop();
});

/** Every route of the build a browser can GET (build-time and framework-internal routes aside). */
function reachablePaths(): string[] {
  return builtRoutes()
    .filter((route) => !route.startsWith('/search-source/') && !route.startsWith('/_'))
    .flatMap((route) => concretePaths(route, values));
}

const get = (target: string, cookie?: string) => fetch(`${app.url}${target}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

describe('issue 11 item 12: no personal page is stored by a cache', () => {
  it('answers the reported pages to their signed-in user with Cache-Control: no-store', async () => {
    const transcripts = ['/transcript', '/transcript.csv', `/admin/users/${app.ids.learner}/transcript`, `/admin/users/${app.ids.learner}/transcript.csv`];
    for (const target of [
      '/home',
      '/admin/users',
      '/admin/exports/users.csv',
      '/admin/exports/evidence.csv',
      `/certificates/${CODE}`,
      `/en/certificates/${CODE}`,
      ...transcripts,
    ]) {
      const response = await get(target, app.cookies.admin);
      expect(response.status, target).toBe(200);
      expect(response.headers.get('cache-control'), target).toBe('no-store');
    }
  });

  it('answers every route of the build to a signed-in user with no-store (the search index: private only)', async () => {
    const paths = reachablePaths();
    expect(paths.length).toBeGreaterThan(40);
    for (const target of paths) {
      for (const who of ['admin', 'learner']) {
        const response = await get(target, app.cookies[who]);
        const policy = response.headers.get('cache-control');
        if (target.startsWith('/pagefind/')) expect(policy, `${who} ${target} ${response.status}`).toMatch(/^private\b/);
        else expect(policy, `${who} ${target} ${response.status}`).toBe('no-store');
      }
    }
  });

  it('also for redirects, form results, action answers, HEAD and error pages of a signed-in user', async () => {
    const cases: [string, Response][] = [
      ['redirect /ja/home', await get('/ja/home', app.cookies.learner)],
      ['signed in on /login', await get('/login?next=%2Fhome', app.cookies.learner)],
      ['unknown page', await get('/no-such-page', app.cookies.learner)],
      ['unknown locale', await get('/fr/home', app.cookies.learner)],
      ['HEAD /home', await fetch(`${app.url}/home`, { method: 'HEAD', headers: { cookie: app.cookies.learner! } })],
      ['form error', await post(app.url, '/home?_action=checkin.save', app.cookies.learner, { hoursSaved: 'lots' })],
      ['form success', await post(app.url, '/home?_action=checkin.save', app.cookies.learner, { hoursSaved: '2' })],
      ['action RPC', await post(app.url, '/_actions/checkin.save', app.cookies.learner, { hoursSaved: '3' })],
      ['language switch', await post(app.url, '/en/language?_action=profile.setLocale', app.cookies.learner, { locale: 'en', next: '/en/home' })],
    ];
    for (const [label, response] of cases) expect(response.headers.get('cache-control'), `${label} (${response.status})`).toBe('no-store');
  });

  it('does not let shared caches keep the sign-in page, a one-time link page or the public certificate check', async () => {
    for (const target of ['/login', '/en/login?next=%2Fen%2Fhome', `/login/link/${values.token}`, `/verify/${CODE}`, `/en/verify/${CODE}`, '/', '/home']) {
      const response = await get(target);
      expect(response.headers.get('cache-control'), `anonymous ${target} (${response.status})`).toBe('no-store');
    }
    const verify = await get(`/verify/${CODE}`);
    expect(verify.status).toBe(200);
    expect(await verify.text()).toContain('Ada Admin');
  });

  it('keeps the long cache of the build’s hashed static files', async () => {
    const assets = fs.readdirSync(path.join(ROOT, FIXTURE_OUT_DIR, 'client', '_astro')).filter((f) => f.endsWith('.css') || f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    const response = await get(`/_astro/${assets[0]}`, app.cookies.learner);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});
