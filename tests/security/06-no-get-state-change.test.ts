/**
 * Checklist 6: no GET (or HEAD) changes state; recording activity for the KPIs is the one
 * exception (lesson views, monthly activity, session activity time), and the audit log may
 * record denials and downloads. (The GET that follows a form post takes that post's answer out
 * of `form_results`, once: the second half of the post, not state; these GETs carry no such
 * answer, and the snapshot leaves that table out, see support.ts.) Every route of the build is requested as every kind of
 * visitor, plus action URLs asked for with GET, and the database is compared before and after.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, certificates, loginTokens, quizAttempts, sessions } from '../../db/schema/index.ts';
import { saveWave } from '../../src/features/programme/waves.server.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { get } from '../helpers/http.ts';
import { actionNames, afterPost, type App, builtRoutes, concretePaths, post, snapshot, startApp } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { sqlRows } from '../helpers/db.ts';
import { first } from '../../src/platform/query.ts';

const catalog = fixtureCatalog();
const quiz = catalog.quiz('basic-ai-essentials')!;
const course = catalog.course('basic-ai-essentials')!;
let app: App;
let values: Record<string, string>;
let linkToken: string;
let hrId: number;

beforeAll(async () => {
  app = await startApp({
    users: { learner: {}, champion: { role: 'champion' }, admin: { role: 'admin', department: 'IT' }, invited: { password: null }, hr: { department: 'HR' } },
    prepare: async (db) => {
      hrId = await ensureDepartment(rawDrizzle(db), 'HR');
      await saveWave(db, { name: 'Pilot', position: 0, startDate: '2026-04-01', endDate: '2026-06-30', description: null, departmentIds: [hrId], targets: [] });
    },
  });
  // Real activity first, so that the pages have something to show: lessons done, quiz passed, certificate.
  for (const lesson of course.lessons) {
    await post(app.url, `/learn/${course.id}/${lesson.id}?_action=lesson.complete`, app.cookies.learner, { lessonId: lesson.id });
  }
  await post(app.url, `/quiz/${quiz.id}?_action=quiz.start`, app.cookies.learner, { quizId: quiz.id });
  const attemptId = first(await rawDrizzle(app.db).select().from(quizAttempts).where(eq(quizAttempts.userId, app.ids.learner!)))!.id;
  const fields: [string, string][] = [
    ['quizId', quiz.id],
    ['attemptId', attemptId],
  ];
  for (const q of quiz.questions) for (const o of q.correctOptionIds) fields.push([`answer.${q.id}`, o]);
  expect((await post(app.url, `/quiz/${quiz.id}?_action=quiz.submit`, app.cookies.learner, fields)).status).toBe(303);
  const code = first(await rawDrizzle(app.db).select().from(certificates).where(eq(certificates.userId, app.ids.learner!)))!.code;
  // post/redirect/get: the link is shown once, on the page the 303 leads to
  const page = await (
    await afterPost(app.url, await post(app.url, '/admin/users?_action=admin.createLoginLink', app.cookies.admin, { userId: String(app.ids.invited) }), app.cookies.admin)
  ).text();
  linkToken = /\/login\/link\/([a-z2-9]{24}\.[a-z2-9]{24})/.exec(page)![1]!;
  const waveId = String((await sqlRows<{ id: number }>(app.db, 'select id from waves'))[0]!.id);
  values = {
    tier: 'basic',
    course: course.id,
    lesson: course.lessons[0]!.id,
    quiz: quiz.id,
    attempt: attemptId,
    code,
    token: linkToken,
    id: waveId,
    user: String(app.ids.learner),
    question: quiz.questions[0]!.id,
    file: 'users.csv',
    path: 'pagefind.js',
    name: 'unknown-island',
    locale: 'ja',
    policy: 'ai-usage',
  };
});

afterAll(async () => {
  await app?.stop();
});

/** GET forms of every action: as a form action on a page (with its fields in the query) and at /_actions/. */
function actionUrls(): string[] {
  const learnerId = String(app.ids.learner);
  const fields: Record<string, Record<string, string>> = {
    'auth.login': { email: 'learner@example.com', password: 'security suite password' },
    'auth.logout': {},
    'auth.useLink': { token: linkToken, password: 'a brand new password' },
    'auth.changePassword': { currentPassword: 'security suite password', newPassword: 'a brand new password' },
    'checkin.save': { hoursSaved: '3' },
    'checkin.dismiss': {},
    'lesson.complete': { lessonId: course.lessons[1]!.id },
    'lesson.feedback': { lessonId: course.lessons[0]!.id, rating: '5' },
    'policy.acknowledge': { policyId: 'ai-usage', version: '2' },
    'profile.setLocale': { locale: 'en' },
    'quiz.start': { quizId: quiz.id },
    'quiz.submit': { quizId: quiz.id, attemptId: values.attempt! },
    'admin.setActive': { userId: learnerId, active: 'false' },
    'admin.updateUser': { userId: learnerId, role: 'admin', departmentId: '' },
    'admin.createUser': { email: 'new@example.com', name: 'New', department: 'New', role: 'admin' },
    'admin.createLoginLink': { userId: learnerId },
    'admin.eraseUser': { userId: learnerId, confirmEmail: 'learner@example.com' },
    'admin.saveBaseline': { from: '2026-01', to: '2026-02' },
    'admin.saveInquiries': { month: '2026-01', departmentId: '', count: '5' },
    'admin.createAssignment': { tierId: 'basic', target: 'everyone', dueKind: 'none' },
    'admin.deleteAssignment': { assignmentId: '1' },
    'admin.saveWave': { name: 'GET wave', startDate: '2026-01-01', endDate: '2026-02-01' },
    'admin.deleteWave': { waveId: values.id! },
  };
  const urls: string[] = [];
  for (const name of actionNames()) {
    const query = new URLSearchParams(fields[name] ?? {}).toString();
    urls.push(`/_actions/${name}?${query}`, `/home?_action=${name}&${query}`, `/login?_action=${name}&${query}`, `/logout?_action=${name}&${query}`);
  }
  urls.push(`/login/link/${linkToken}?_action=auth.useLink&token=${linkToken}&password=a+brand+new+password`);
  urls.push(`/learn/${course.id}/${course.lessons[1]!.id}?_action=lesson.complete&lessonId=${course.lessons[1]!.id}`);
  urls.push('/policies/ai-usage?_action=policy.acknowledge&policyId=ai-usage&version=2', '/admin/exports/policies.csv');
  urls.push(
    '/transcript.csv?bom=1',
    `/admin/users/${learnerId}/transcript.csv`,
    '/admin/exports/evidence.csv?asOf=2026-01-01&inactive=1&bom=1',
    '/admin/exports/evidence.csv?asOf=2999-01-01',
  );
  urls.push(`/quiz/${quiz.id}?_action=quiz.start&quizId=${quiz.id}`, `/language?_action=profile.setLocale&locale=en`, `/language?locale=en`);
  urls.push(`/admin/users?_action=admin.setActive&userId=${learnerId}&active=false`, `/admin/settings?_action=admin.saveBaseline&from=2026-01&to=2026-02`);
  urls.push(`/admin/users/${learnerId}?_action=admin.eraseUser&userId=${learnerId}&confirmEmail=learner%40example.com`);
  urls.push('/logout', '/en/logout', `/champion?department=${hrId}`, `/champion/roster.csv?department=${hrId}`, '/admin/exports/xapi.json');
  return urls;
}

/** The database without what a GET may touch: activity records and session activity times. */
async function state(): Promise<Record<string, string[]>> {
  const snap = await snapshot(app.db, {
    lesson_views: '*',
    activity_months: '*',
    audit_log: '*',
    sessions: ['last_active_at'],
    kpi_department_months: ['active_users'],
  });
  // a department-month row made only to count an active user is activity too
  snap.kpi_department_months = snap.kpi_department_months!.filter((row) =>
    Object.entries(JSON.parse(row) as Record<string, string>).some(([k, v]) => !['department_id', 'month'].includes(k) && v !== '0'),
  );
  return snap;
}

describe('checklist 6: no GET changes state (KPI activity logging aside)', () => {
  it('has every route of the build covered by the list of GETs', () => {
    const urls = builtRoutes().flatMap((route) => concretePaths(route, values));
    expect(urls.length).toBeGreaterThan(30);
    for (const url of urls) expect(url, url).not.toMatch(/\[/);
  });

  it('leaves the state tables unchanged after GET and HEAD of every route and action URL, by every kind of visitor', async () => {
    const before = await state();
    const auditBefore = await rawDrizzle(app.db).select().from(auditLog);
    const sessionsBefore = await rawDrizzle(app.db).select({ id: sessions.id }).from(sessions);
    const urls = [...builtRoutes().flatMap((route) => concretePaths(route, values)), ...actionUrls()];
    const visitors: (string | null)[] = [null, app.cookies.learner!, app.cookies.champion!, app.cookies.admin!];
    let requests = 0;
    for (const url of urls) {
      for (const cookie of visitors) {
        const response = await get(app.url, url, cookie);
        await response.arrayBuffer();
        // (the 500 page answers 500 by design)
        if (url !== '/500') expect(response.status, `GET ${url}`).toBeLessThan(500);
        requests += 1;
        // HEAD runs the same page code as GET: once signed out and once as a learner is enough
        if (cookie !== null && cookie !== app.cookies.learner) continue;
        const head = await fetch(`${app.url}${url}`, { method: 'HEAD', redirect: 'manual', headers: cookie ? { cookie } : {} });
        if (url !== '/500') expect(head.status, `HEAD ${url}`).toBeLessThan(500);
        requests += 1;
      }
    }
    expect(requests).toBeGreaterThan(400);

    expect(await state()).toEqual(before);
    // nobody was signed out, no link was used, no attempt was started
    expect(await rawDrizzle(app.db).select({ id: sessions.id }).from(sessions)).toEqual(sessionsBefore);
    expect(first(await rawDrizzle(app.db).select().from(loginTokens).where(eq(loginTokens.userId, app.ids.invited!)))!.usedAt).toBeNull();
    for (const cookie of visitors.slice(1)) expect((await get(app.url, '/home', cookie)).status).toBe(200);
    // the audit log only grew, and only by denials and downloads
    const auditAfter = await rawDrizzle(app.db).select().from(auditLog);
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    const added = new Set(auditAfter.slice(auditBefore.length).map((r) => r.action));
    for (const action of added) expect(['access.denied', 'export.downloaded'], action).toContain(action);
  });
});
