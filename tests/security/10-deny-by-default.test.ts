/**
 * Checklist 10: deny by default. Every route of the build (read from its manifest, so a new
 * page without a rule here fails) and every action get the answer their level demands for
 * anonymous visitors, learners, champions and admins; champions see only their own department;
 * the manager routes need someone reporting to the user, whatever their role;
 * progress, attempts and certificates are always the session user's, whatever the request says.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, certificates, lessonCompletions, lessonFeedback, practiceAnswers, quizAttempts, checkins } from '../../db/schema/index.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import { saveWave } from '../../src/features/programme/waves.server.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { get } from '../helpers/http.ts';
import { actionNames, type App, builtRoutes, concretePaths, post, snapshot, sourceRoutes, startApp, submit } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { sqlRows } from '../helpers/db.ts';
import { first } from '../../src/platform/query.ts';

type Level = 'public' | 'user' | 'manager' | 'champion' | 'admin' | 'never' | 'actions' | 'bearer';

/** The rule for every route of the build. A route missing here fails the first test. */
const ROUTES: Record<string, Level> = {
  '/404': 'public',
  '/500': 'public',
  '/[...locale]': 'public',
  '/[...locale]/403': 'public',
  '/[...locale]/login': 'public',
  '/[...locale]/login/link/[token]': 'public',
  '/[...locale]/logout': 'public',
  '/[...locale]/verify/[code]': 'public',
  '/healthz': 'public',
  '/calendar/[token].ics': 'public', // a private calendar feed: the secret token is its authority
  '/[...locale]/unsubscribe/[token]': 'public', // an e-mail's unsubscribe link: the secret token is its authority
  '/login/oidc': 'public', // single sign-on start (POST); 404 unless configured
  '/login/oidc/callback': 'public', // the provider's redirect back; bound to the browser by state, PKCE and nonce
  '/scim/v2/[...path]': 'bearer', // SCIM provisioning: its own bearer token only, never a session (tests/security/scim-auth.test.ts)
  '/[...locale]/account': 'user',
  '/[...locale]/transcript': 'user',
  '/[...locale]/transcript.csv': 'user',
  '/[...locale]/home': 'user',
  '/[...locale]/language': 'user',
  '/[...locale]/search': 'user',
  '/[...locale]/tiers/[tier]': 'user',
  '/[...locale]/learn/[course]': 'user',
  '/[...locale]/learn/[course]/[lesson]': 'user',
  '/[...locale]/quiz/[quiz]': 'user',
  '/[...locale]/quiz/[quiz]/attempts/[attempt]': 'user',
  '/[...locale]/certificates/[code]': 'user',
  '/[...locale]/policies/[policy]': 'user',
  '/pagefind/[...path]': 'user',
  '/_image': 'user',
  '/_server-islands/[name]': 'user',
  '/[...locale]/champion': 'champion',
  '/[...locale]/team': 'manager', // signed in, and someone reports to you (users.manager_id); tests/security/team-scope.test.ts
  '/calendar/assignment/[id].ics': 'user',
  '/champion/roster.csv': 'champion',
  '/[...locale]/admin': 'admin',
  '/[...locale]/admin/assignments': 'admin',
  '/[...locale]/admin/audit': 'admin',
  '/[...locale]/admin/exports': 'admin',
  '/[...locale]/admin/helpdesk': 'admin',
  '/[...locale]/admin/policies': 'admin',
  '/[...locale]/admin/lessons': 'admin',
  '/[...locale]/admin/questions/[quiz]/[question]': 'admin',
  '/[...locale]/admin/settings': 'admin',
  '/[...locale]/admin/settings/notifications': 'admin',
  '/[...locale]/admin/notifications': 'admin',
  '/[...locale]/admin/users': 'admin',
  '/[...locale]/admin/users/[user]': 'admin',
  '/[...locale]/admin/users/[user]/transcript': 'admin',
  '/[...locale]/admin/users/[user]/transcript.csv': 'admin',
  '/[...locale]/admin/waves': 'admin',
  '/[...locale]/admin/waves/[id]': 'admin',
  '/admin/exports/[file]': 'admin',
  '/search-source/[locale]/[course]/[lesson]': 'never', // build-time only
  '/_actions/[...path]': 'actions', // every action has its own rule below
};

/** The rule for every action. An action missing here fails. */
const ACTIONS: Record<string, 'public' | 'user' | 'admin'> = {
  'auth.login': 'public',
  'auth.logout': 'public',
  'auth.useLink': 'public',
  'auth.changePassword': 'user',
  'checkin.save': 'user',
  'checkin.dismiss': 'user',
  'lesson.complete': 'user',
  'lesson.feedback': 'user',
  'policy.acknowledge': 'user',
  'practice.save': 'user',
  'profile.setLocale': 'user',
  'quiz.start': 'user',
  'quiz.submit': 'user',
  'notificationAccount.save': 'user',
  'notificationAccount.createFeed': 'user',
  'notificationAccount.revokeFeed': 'user',
  'admin.createAssignment': 'admin',
  'admin.createLoginLink': 'admin',
  'admin.createUser': 'admin',
  'admin.deleteAssignment': 'admin',
  'admin.deleteWave': 'admin',
  'admin.eraseUser': 'admin',
  'admin.importInquiries': 'admin',
  'admin.importUsers': 'admin',
  'admin.pushXapi': 'admin',
  'admin.saveBaseline': 'admin',
  'admin.createScimToken': 'admin',
  'admin.revokeScimToken': 'admin',
  'admin.saveInquiries': 'admin',
  'admin.saveWave': 'admin',
  'admin.setActive': 'admin',
  'admin.setManager': 'admin',
  'admin.updateUser': 'admin',
  'admin.resendNotification': 'admin',
  'admin.resendAllFailed': 'admin',
  'admin.sendTestEmail': 'admin',
  'admin.sendTestPost': 'admin',
  'admin.saveNotificationSettings': 'admin',
  'admin.saveDepartmentChannels': 'admin',
};

const catalog = fixtureCatalog();
const quiz = catalog.quiz('basic-ai-essentials')!;
const course = catalog.course('basic-ai-essentials')!;
const FORBIDDEN = { '': 'このページを表示する権限がありません', '/en': 'You do not have access to this page' };

let app: App;
let values: Record<string, string>;
let ids: { hr: number; sales: number; bobAttempt: string; bobOpenAttempt: string; bobCertificate: string };

beforeAll(async () => {
  let hr = 0;
  let sales = 0;
  app = await startApp({
    users: {
      alice: { name: 'Alice Learner' },
      bob: { name: 'Bob Otherperson' },
      champion: { role: 'champion', name: 'Cham Pion' },
      admin: { role: 'admin', department: 'IT' },
      hanako: { department: 'HR', name: 'Hanako Hrperson' },
      manager: { name: 'Mana Ger' },
    },
    prepare: async (db, users) => {
      await sqlRows(db, 'update users set manager_id = ? where id = ?', users.manager, users.bob);
      hr = await ensureDepartment(rawDrizzle(db), 'HR');
      sales = await ensureDepartment(rawDrizzle(db), 'Sales');
      await saveWave(db, { name: 'Pilot', position: 0, startDate: '2026-04-01', endDate: '2026-06-30', description: null, departmentIds: [hr], targets: [] });
    },
  });
  // Bob's record: lessons done, the quiz passed (a certificate), and a second attempt left open.
  for (const lesson of course.lessons) await post(app.url, `/learn/${course.id}/${lesson.id}?_action=lesson.complete`, app.cookies.bob, { lessonId: lesson.id });
  await post(app.url, `/quiz/${quiz.id}?_action=quiz.start`, app.cookies.bob, { quizId: quiz.id });
  const bobAttempt = first(await rawDrizzle(app.db).select().from(quizAttempts).where(eq(quizAttempts.userId, app.ids.bob!)))!.id;
  const answers: [string, string][] = [
    ['quizId', quiz.id],
    ['attemptId', bobAttempt],
  ];
  for (const q of quiz.questions) for (const o of q.correctOptionIds) answers.push([`answer.${q.id}`, o]);
  await post(app.url, `/quiz/${quiz.id}?_action=quiz.submit`, app.cookies.bob, answers);
  await post(app.url, `/quiz/${quiz.id}?_action=quiz.start`, app.cookies.bob, { quizId: quiz.id });
  const bobOpenAttempt = (
    await rawDrizzle(app.db)
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.userId, app.ids.bob!)))
  ).find((a) => a.submittedAt === null)!.id;
  const bobCertificate = first(await rawDrizzle(app.db).select().from(certificates).where(eq(certificates.userId, app.ids.bob!)))!.code;
  ids = { hr, sales, bobAttempt, bobOpenAttempt, bobCertificate };
  values = {
    tier: 'basic',
    course: course.id,
    lesson: course.lessons[0]!.id,
    quiz: quiz.id,
    attempt: bobAttempt,
    code: bobCertificate,
    token: `${'a'.repeat(24)}.${'b'.repeat(24)}`,
    id: String((await sqlRows<{ id: number }>(app.db, 'select id from waves'))[0]!.id),
    user: String(app.ids.hanako),
    question: quiz.questions[0]!.id,
    file: 'users.csv',
    path: 'pagefind.js',
    name: 'island',
    locale: 'ja',
    policy: 'ai-usage',
  };
});

afterAll(async () => {
  await app?.stop();
});

const routesAt = (level: Level) => builtRoutes().filter((r) => ROUTES[r] === level);
const pathsOf = (route: string) => concretePaths(route, values).map((p) => (route === '/_image' ? `${p}?href=%2Ffavicon.svg&w=16&h=16&f=svg` : p));
const prefixOf = (path: string) => (path === '/en' || path.startsWith('/en/') ? '/en' : '');
const deniedCount = async (key: string) =>
  (
    await rawDrizzle(app.db)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'access.denied'), eq(auditLog.actorUserId, app.ids[key]!)))
  ).length;

async function expectSignInRequired(path: string): Promise<void> {
  const response = await get(app.url, path);
  if (response.status === 401) return;
  expect(response.status, `anonymous GET ${path}`).toBe(302);
  expect(response.headers.get('location'), path).toBe(`${prefixOf(path)}/login?next=${encodeURIComponent(path)}`);
  const head = await fetch(`${app.url}${path}`, { method: 'HEAD', redirect: 'manual' });
  expect([302, 401], `anonymous HEAD ${path}`).toContain(head.status);
  const posted = await post(app.url, path, null, { anything: '1' });
  expect(posted.status, `anonymous POST ${path}`).toBe(401);
}

async function expectForbidden(path: string, who: string): Promise<void> {
  const before = await deniedCount(who);
  const response = await get(app.url, path, app.cookies[who]);
  expect(response.status, `${who} GET ${path}`).toBe(403);
  const html = await response.text();
  if (html.includes('<html')) expect(html, path).toContain(FORBIDDEN[prefixOf(path)]);
  expect(html, path).not.toContain('hanako@example.com');
  expect(html, path).not.toContain('Hanako Hrperson');
  expect(await deniedCount(who), `${who} ${path} is audited`).toBe(before + 1);
  const head = await fetch(`${app.url}${path}`, { method: 'HEAD', redirect: 'manual', headers: { cookie: app.cookies[who]! } });
  expect(head.status, `${who} HEAD ${path}`).toBe(403);
  expect((await post(app.url, path, app.cookies[who], { anything: '1' })).status, `${who} POST ${path}`).toBe(403);
}

describe('checklist 10: deny by default, roles, champion scope, and the session user as the only subject', () => {
  it('has a rule for every route of the build and every action (a new one without a rule fails)', () => {
    const built = builtRoutes();
    expect(built.length).toBeGreaterThan(30);
    expect(
      built.filter((r) => !(r in ROUTES)),
      'routes without a rule',
    ).toEqual([]);
    expect(
      Object.keys(ROUTES).filter((r) => !built.includes(r)),
      'rules for routes that no longer exist',
    ).toEqual([]);
    // the manifest really is the build of src/pages (so it cannot silently miss a page)
    for (const route of sourceRoutes()) expect(built, route).toContain(route);
    expect(
      actionNames().filter((a) => !(a in ACTIONS)),
      'actions without a rule',
    ).toEqual([]);
    expect(
      Object.keys(ACTIONS).filter((a) => !actionNames().includes(a)),
      'rules for actions that no longer exist',
    ).toEqual([]);
  });

  it('sends anonymous visitors to sign in (or answers 401) on every non-public route', async () => {
    for (const level of ['user', 'manager', 'champion', 'admin'] as const) {
      for (const route of routesAt(level)) for (const path of pathsOf(route)) await expectSignInRequired(path);
    }
  });

  it('answers public routes without asking anyone to sign in', async () => {
    for (const route of routesAt('public')) {
      for (const path of pathsOf(route)) {
        const response = await get(app.url, path);
        expect(response.status, path).not.toBe(401);
        expect(response.headers.get('location') ?? '', path).not.toMatch(/\/login\?next=/);
      }
    }
  });

  it('answers bearer-token routes 401 to everyone without the token, signed in or not', async () => {
    for (const route of routesAt('bearer')) {
      for (const path of pathsOf(route)) {
        for (const who of [null, 'alice', 'champion', 'admin']) {
          const response = await get(app.url, path, who ? app.cookies[who] : null);
          expect(response.status, `${who} ${path}`).toBe(401);
          expect(response.headers.get('content-type'), `${who} ${path}`).toMatch(/^application\/scim\+json/);
        }
      }
    }
    expect(routesAt('bearer')).toEqual(['/scim/v2/[...path]']);
  });

  it('lets every signed-in user reach the user routes', async () => {
    for (const route of routesAt('user')) {
      for (const path of pathsOf(route)) {
        for (const who of ['alice', 'champion', 'admin']) {
          const response = await get(app.url, path, app.cookies[who]);
          expect([401, 403], `${who} ${path}`).not.toContain(response.status);
          expect(response.headers.get('location') ?? '', `${who} ${path}`).not.toMatch(/\/login/);
        }
      }
    }
  });

  it('gives learners 403 on every champion and admin route, and champions 403 on every admin route (audited)', async () => {
    for (const route of [...routesAt('champion'), ...routesAt('admin')]) for (const path of pathsOf(route)) await expectForbidden(path, 'alice');
    for (const route of routesAt('admin')) for (const path of pathsOf(route)) await expectForbidden(path, 'champion');
  });

  it('gives everyone nobody reports to 403 on the manager routes, whatever their role (audited), and managers 200', async () => {
    expect(routesAt('manager').length).toBeGreaterThan(0);
    for (const route of routesAt('manager')) {
      for (const path of pathsOf(route)) {
        for (const who of ['alice', 'champion', 'admin']) await expectForbidden(path, who);
        const response = await get(app.url, path, app.cookies.manager);
        expect(response.status, `manager ${path}`).toBe(200);
        expect(await response.text(), path).toContain('Bob Otherperson');
      }
    }
  });

  it('lets champions and admins reach the champion routes, and admins every admin route', async () => {
    for (const route of routesAt('champion')) {
      for (const path of pathsOf(route)) {
        expect((await get(app.url, path, app.cookies.champion)).status, `champion ${path}`).toBe(200);
        expect((await get(app.url, path, app.cookies.admin)).status, `admin ${path}`).toBe(200);
      }
    }
    for (const route of routesAt('admin')) for (const path of pathsOf(route)) expect((await get(app.url, path, app.cookies.admin)).status, `admin ${path}`).toBe(200);
  });

  it('serves build-only routes to no one', async () => {
    for (const route of routesAt('never')) {
      for (const path of pathsOf(route))
        for (const who of [null, 'alice', 'admin']) expect((await get(app.url, path, who ? app.cookies[who] : null)).status, `${who} ${path}`).toBe(404);
    }
  });

  it('does not let another spelling of an admin address through', async () => {
    const variants = [
      '/admin/',
      '//admin',
      '/%61dmin',
      '/en/../admin',
      '/admin/users/',
      '/ADMIN',
      '/Admin/Users',
      '/admin%2Fusers',
      '/ja/admin',
      '/admin;x=1',
      '/admin/./users',
      '/admin/exports/users.csv/',
      '/admin/exports/%2e%2e%2fusers.csv',
      '/champion/roster.csv/',
      '/%63hampion',
    ];
    for (const variant of variants) {
      const response = await get(app.url, variant, app.cookies.alice);
      expect([301, 308, 403, 404], `learner ${variant}`).toContain(response.status);
      const html = await response.text();
      expect(html, variant).not.toContain('hanako@example.com');
      expect(html, variant).not.toContain('Hanako Hrperson');
    }
  });

  it('refuses every action to those below its level, at /_actions/ and as a form action on any page, changing nothing', async () => {
    const before = await snapshot(app.db, { audit_log: '*', sessions: ['last_active_at'] });
    for (const [name, level] of Object.entries(ACTIONS)) {
      const targets = [`/_actions/${name}`, `/login?_action=${name}`, `/?_action=${name}`, `/home?_action=${name}`];
      for (const target of targets) {
        const anonymous = await post(app.url, target, null, { zz: '1' });
        // the stricter of the page's level and the action's applies (/home needs a user)
        if (level === 'public' && !target.startsWith('/home')) expect([401, 403], `anonymous ${target}`).not.toContain(anonymous.status);
        else expect(anonymous.status, `anonymous ${target}`).toBe(401);
        if (level === 'admin') {
          for (const who of ['alice', 'champion']) expect((await post(app.url, target, app.cookies[who], { zz: '1' })).status, `${who} ${target}`).toBe(403);
        }
      }
    }
    // other spellings of an admin action's address
    for (const target of [
      '/_actions/%61dmin.saveBaseline',
      '/_actions/admin%2EsaveBaseline',
      '/_actions/admin.saveBaseline/',
      '/_actions//admin.saveBaseline',
      '/_actions/ADMIN.saveBaseline',
    ]) {
      const response = await post(app.url, target, app.cookies.alice, { from: '2026-01', to: '2026-03' });
      expect([403, 404], target).toContain(response.status);
    }
    expect(await snapshot(app.db, { audit_log: '*', sessions: ['last_active_at'] })).toEqual(before);
  });

  it('shows a champion their own department only, however the other one is asked for', async () => {
    const own = await get(app.url, '/champion', app.cookies.champion);
    const html = await own.text();
    expect(html).toContain('Alice Learner');
    expect(html).not.toContain('Hanako Hrperson');
    const roster = await (await get(app.url, '/champion/roster.csv', app.cookies.champion)).text();
    expect(roster).toContain('alice@example.com');
    expect(roster).not.toContain('hanako@example.com');
    expect(roster).not.toContain('admin@example.com');

    const hr = ids.hr;
    const spellings = [`${hr}`, `${hr}.0`, `%2B${hr}`, `0x${hr.toString(16)}`, `%20${hr}`, `0${hr}`, `${hr}e0`, `${hr}&department=${ids.sales}`];
    for (const spelling of spellings) {
      for (const path of ['/champion', '/en/champion', '/champion/roster.csv']) {
        const response = await get(app.url, `${path}?department=${spelling}`, app.cookies.champion);
        expect(response.status, `${path}?department=${spelling}`).toBe(403);
        const body = await response.text();
        expect(body).not.toContain('Hanako Hrperson');
        expect(body).not.toContain('hanako@example.com');
      }
    }
    expect((await get(app.url, `/champion?department=${ids.sales}`, app.cookies.champion)).status).toBe(200);
    // The roster's page and sort parameters change nothing about whose department it is.
    for (const query of ['page=2', 'page=-1', 'page=99999', 'sort=name&dir=desc', 'sort=%27%3B--', 'sort=lastActivity&page=abc']) {
      const other = await get(app.url, `/champion?department=${hr}&${query}`, app.cookies.champion);
      expect(other.status, query).toBe(403);
      expect(await other.text()).not.toContain('Hanako Hrperson');
      const own = await get(app.url, `/champion?${query}`, app.cookies.champion);
      expect(own.status, query).toBe(200);
      const html = await own.text();
      expect(html).toContain('Alice Learner');
      expect(html).not.toContain('Hanako Hrperson');
    }
    // an admin may look at any department
    const adminView = await get(app.url, `/champion?department=${hr}`, app.cookies.admin);
    expect(adminView.status).toBe(200);
    expect(await adminView.text()).toContain('Hanako Hrperson');
    expect(await (await get(app.url, `/champion/roster.csv?department=${hr}`, app.cookies.admin)).text()).toContain('hanako@example.com');
  });

  it('scopes progress, attempts and certificates by the session’s user, never by a request parameter', async () => {
    const bob = String(app.ids.bob);
    // pages ignore any "whose" parameter
    const home = await (await get(app.url, `/home?userId=${bob}&user=${bob}&uid=${bob}&as=bob@example.com&email=bob@example.com`, app.cookies.alice)).text();
    expect(home).toContain('Alice Learner');
    expect(home).not.toContain('Bob Otherperson');
    expect(home).not.toContain(ids.bobCertificate);
    // another user's attempt, result and certificate are not found
    expect((await get(app.url, `/quiz/${quiz.id}/attempts/${ids.bobAttempt}`, app.cookies.alice)).status).toBe(404);
    expect((await get(app.url, `/quiz/${quiz.id}/attempts/${ids.bobAttempt}?userId=${bob}`, app.cookies.alice)).status).toBe(404);
    expect((await get(app.url, `/certificates/${ids.bobCertificate}`, app.cookies.alice)).status).toBe(404);
    const quizPage = await (await get(app.url, `/quiz/${quiz.id}?userId=${bob}`, app.cookies.alice)).text();
    expect(quizPage).not.toContain(ids.bobOpenAttempt);
    expect(quizPage).not.toContain(ids.bobAttempt);

    // actions take no user parameter at all, and another user's attempt is "not found"
    const lessonId = course.lessons[0]!.id;
    // (post/redirect/get: each refusal is shown, with its status, on the page the 303 leads to)
    const refused = [
      await submit(app.url, `/learn/${course.id}/${lessonId}?_action=lesson.complete`, app.cookies.alice, { lessonId, userId: bob }),
      await submit(app.url, `/learn/${course.id}/${lessonId}?_action=lesson.feedback`, app.cookies.alice, { lessonId, rating: '1', userId: bob }),
      await submit(app.url, `/learn/${course.id}/${lessonId}?_action=practice.save`, app.cookies.alice, { lessonId, taskId: 'first-draft', answer: 'x', userId: bob }),
      await submit(app.url, '/home?_action=checkin.save', app.cookies.alice, { hoursSaved: '9', userId: bob }),
      await submit(app.url, `/quiz/${quiz.id}?_action=quiz.start`, app.cookies.alice, { quizId: quiz.id, userId: bob }),
    ];
    for (const response of refused) expect(response.status).toBe(400);
    const stolen: [string, string][] = [
      ['quizId', quiz.id],
      ['attemptId', ids.bobOpenAttempt],
    ];
    for (const q of quiz.questions) stolen.push([`answer.${q.id}`, q.optionIds.find((o) => !q.correctOptionIds.includes(o))!]);
    expect((await submit(app.url, `/quiz/${quiz.id}?_action=quiz.submit`, app.cookies.alice, stolen)).status).toBe(404);
    expect(first(await rawDrizzle(app.db).select().from(quizAttempts).where(eq(quizAttempts.id, ids.bobOpenAttempt)))!.submittedAt).toBeNull();
    for (const table of [lessonCompletions, lessonFeedback, checkins, practiceAnswers]) {
      expect(await rawDrizzle(app.db).select().from(table).where(eq(table.userId, app.ids.alice!)), 'nothing stored for alice').toEqual([]);
    }
    expect(await rawDrizzle(app.db).select().from(lessonFeedback).where(eq(lessonFeedback.userId, app.ids.bob!))).toEqual([]);
  });
});
