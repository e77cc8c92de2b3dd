/**
 * Checklist 13: strict input schemas on every action and endpoint (unknown keys, lengths,
 * enums refused with 400 and nothing stored); body size limits (a declared body over 6 MiB is
 * refused with 413 before it is read, a large chunked body to an action too); error answers
 * that are generic — no stack trace, SQL or file path even when the database is unusable — and
 * custom 404 and 500 pages in both languages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkins, users } from '../../db/schema/index.ts';
import { FORM_BODY_LIMIT } from '../../src/platform/http/body-limit.server.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { actionNames, post, rawRequest, snapshot, startApp, tempDir, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';

const MIB = 1024 * 1024;
let app: App;
let broken: RunningServer;
let brokenPath: string;
let brokenDir: string;

beforeAll(async () => {
  brokenDir = tempDir('manabi-broken-');
  brokenPath = path.join(brokenDir, 'manabi.db');
  fs.mkdirSync(brokenPath); // a directory where the database file should be
  [app, broken] = await Promise.all([
    startApp({ users: { lea: {}, ada: { role: 'admin', department: 'IT' } } }),
    startServer({ databasePath: brokenPath, outDir: FIXTURE_OUT_DIR }),
  ]);
});

afterAll(async () => {
  await Promise.all([app?.stop(), broken?.stop()]);
  if (brokenDir) fs.rmSync(brokenDir, { recursive: true, force: true });
});

/** State that a refused request must not touch. */
const state = () => snapshot(app.db, { audit_log: '*', sessions: ['last_active_at'], activity_months: '*', kpi_department_months: ['active_users'] });

/** How each action checks its input: a zod strictObject, or its own check of the raw form. */
const VALIDATION: Record<string, 'schema' | 'form'> = {
  'admin.createAssignment': 'schema',
  'admin.createLoginLink': 'schema',
  'admin.createUser': 'schema',
  'admin.deleteAssignment': 'schema',
  'admin.deleteWave': 'schema',
  'admin.eraseUser': 'schema',
  'admin.importInquiries': 'schema',
  'admin.importUsers': 'schema',
  'admin.pushXapi': 'schema',
  'admin.saveBaseline': 'schema',
  'admin.saveInquiries': 'schema',
  'admin.saveWave': 'form',
  'admin.setActive': 'schema',
  'admin.setManager': 'schema',
  'admin.updateUser': 'schema',
  'admin.resendNotification': 'schema',
  'admin.resendAllFailed': 'schema',
  'admin.sendTestEmail': 'schema',
  'admin.sendTestPost': 'schema',
  'admin.saveNotificationSettings': 'form',
  'admin.saveDepartmentChannels': 'form',
  'admin.createScimToken': 'schema',
  'admin.revokeScimToken': 'schema',
  'auth.changePassword': 'schema',
  'auth.login': 'schema',
  'auth.logout': 'schema',
  'auth.useLink': 'schema',
  'checkin.dismiss': 'schema',
  'checkin.save': 'schema',
  'lesson.complete': 'schema',
  'lesson.feedback': 'schema',
  'notificationAccount.createFeed': 'schema',
  'notificationAccount.revokeFeed': 'schema',
  'notificationAccount.save': 'schema',
  'policy.acknowledge': 'schema',
  'practice.save': 'schema',
  'profile.setLocale': 'schema',
  'quiz.start': 'schema',
  'quiz.submit': 'form',
};

/** Things an error answer must never show. */
function expectGeneric(body: string, label: string): void {
  for (const leak of [
    /\bat [\w.<>]+ \(/,
    /\.(?:ts|mjs|js):\d+/,
    /node_modules/,
    /Sqlite|SQLITE_|sqlite3/i,
    /unable to open/i,
    /\bselect\s+[\w*"`.,\s]+\s+from\s+["`\w]/i,
    /stack/i,
    brokenPath,
  ]) {
    expect(body, `${label} shows ${leak}`).not.toMatch(typeof leak === 'string' ? new RegExp(leak.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : leak);
  }
}

describe('checklist 13: strict schemas, body size limits, generic error pages, custom 404/500 in both languages', () => {
  it('refuses an unknown field on every action with 400 (a new action without an entry here fails)', async () => {
    expect(Object.keys(VALIDATION).sort()).toEqual(actionNames());
    const before = await state();
    for (const [name, kind] of Object.entries(VALIDATION)) {
      const response = await post(app.url, `/_actions/${name}`, app.cookies.ada, { zzUnknown: '1' });
      expect(response.status, name).toBe(400);
      const body = await response.text();
      if (kind === 'schema') expect(body, name).toContain('"code":"unrecognized_keys"');
      else expect(body, name).toMatch(/unknown_field|Unknown field/);
    }
    // still signed in: auth.logout with an unknown field did nothing
    expect((await get(app.url, '/admin', app.cookies.ada)).status).toBe(200);
    expect(await state()).toEqual(before);
  });

  it('refuses over-long strings, out-of-range numbers and values outside the enums, storing nothing', async () => {
    const long = (n: number) => 'x'.repeat(n);
    const lessonId = 'what-is-generative-ai';
    const cases: [string, 'lea' | 'ada', Record<string, string> | [string, string][]][] = [
      ['auth.login', 'lea', { email: `${long(250)}@x.jp`, password: 'whatever password' }],
      ['auth.login', 'lea', { email: 'lea@example.com', password: long(257) }],
      ['auth.changePassword', 'lea', { currentPassword: long(257), newPassword: 'a perfectly fine one' }],
      ['checkin.save', 'lea', { hoursSaved: '3', tasks: long(501) }],
      ['checkin.save', 'lea', { hoursSaved: '201' }],
      ['checkin.save', 'lea', { hoursSaved: '1e9' }],
      ['checkin.save', 'lea', { hoursSaved: 'NaN' }],
      ['checkin.save', 'lea', { hoursSaved: '0.3' }],
      ['lesson.feedback', 'lea', { lessonId, rating: '6' }],
      ['lesson.feedback', 'lea', { lessonId, rating: '0' }],
      ['lesson.feedback', 'lea', { lessonId, rating: '4.5' }],
      ['lesson.feedback', 'lea', { lessonId, rating: '4', comment: long(1001) }],
      ['lesson.complete', 'lea', { lessonId: long(101) }],
      ['lesson.complete', 'lea', { lessonId: '../../etc/passwd' }],
      ['policy.acknowledge', 'lea', { policyId: 'ai-usage', version: '0' }],
      ['policy.acknowledge', 'lea', { policyId: 'ai-usage', version: '2.5' }],
      ['policy.acknowledge', 'lea', { policyId: '../ai-usage', version: '2' }],
      ['policy.acknowledge', 'lea', { policyId: long(101), version: '2' }],
      ['practice.save', 'lea', { lessonId, taskId: 'first-draft', answer: long(4001) }],
      ['practice.save', 'lea', { lessonId, taskId: 'first-draft', answer: '' }],
      ['practice.save', 'lea', { lessonId, taskId: 'first-draft', answer: 'zero\u200bwidth' }],
      ['practice.save', 'lea', { lessonId, taskId: long(101), answer: 'x' }],
      ['practice.save', 'lea', { lessonId, taskId: 'First Draft', answer: 'x' }],
      ['practice.save', 'lea', { lessonId: long(101), taskId: 'first-draft', answer: 'x' }],
      ['profile.setLocale', 'lea', { locale: 'fr' }],
      ['profile.setLocale', 'lea', { locale: 'en', next: `/${long(2048)}` }],
      ['quiz.start', 'lea', { quizId: 'Basic AI Essentials' }],
      [
        'quiz.submit',
        'lea',
        [
          ['quizId', 'basic-ai-essentials'],
          ['attemptId', 'not-an-attempt-id'],
        ],
      ],
      [
        'quiz.submit',
        'lea',
        [['quizId', 'basic-ai-essentials'], ['attemptId', 'a'.repeat(24)], ...Array.from({ length: 9 }, (_, i): [string, string] => ['answer.how-it-writes', `o${i}`])],
      ],
      ['admin.createUser', 'ada', { email: 'new@example.com', name: 'New', department: 'Sales', role: 'superadmin' }],
      ['admin.createUser', 'ada', { email: 'not-an-email', name: 'New', department: 'Sales', role: 'learner' }],
      ['admin.createUser', 'ada', { email: 'new@example.com', name: long(101), department: 'Sales', role: 'learner' }],
      ['admin.createUser', 'ada', { email: 'new@example.com', name: 'New', department: long(101), role: 'learner' }],
      ['admin.updateUser', 'ada', { userId: '1', role: 'root', departmentId: '' }],
      ['admin.updateUser', 'ada', { userId: String(2 ** 31 + 1), role: 'learner', departmentId: '' }],
      ['admin.updateUser', 'ada', { userId: '-1', role: 'learner', departmentId: '' }],
      ['admin.setActive', 'ada', { userId: '1', active: 'yes' }],
      ['admin.setManager', 'ada', { userId: '1', managerEmail: `${long(250)}@x.jp` }],
      ['admin.setManager', 'ada', { userId: '1', managerEmail: 'not-an-email' }],
      ['admin.setManager', 'ada', { userId: '0', managerEmail: 'ada@example.com' }],
      ['admin.setManager', 'ada', { userId: '1', managerEmail: 'ada@example.com', managerId: '2' }],
      // Well-formed, and refused by the handler: nobody has the address; the user themself.
      ['admin.setManager', 'ada', { userId: String(app.ids.lea), managerEmail: 'nobody@example.com' }],
      ['admin.setManager', 'ada', { userId: String(app.ids.lea), managerEmail: 'lea@example.com' }],
      ['admin.eraseUser', 'ada', { userId: '1', confirmEmail: `${long(250)}@x.jp` }],
      ['admin.eraseUser', 'ada', { userId: '0', confirmEmail: 'lea@example.com' }],
      ['admin.eraseUser', 'ada', { userId: String(2 ** 31 + 1), confirmEmail: 'lea@example.com' }],
      // Well-formed, and refused by the handler: the typed email is not the user's.
      ['admin.eraseUser', 'ada', { userId: String(app.ids.lea), confirmEmail: 'not-lea@example.com' }],
      ['admin.createAssignment', 'ada', { tierId: 'gold', target: 'everyone', dueKind: 'none' }],
      ['admin.createAssignment', 'ada', { tierId: 'basic', target: 'all', dueKind: 'none' }],
      ['admin.createAssignment', 'ada', { tierId: 'basic', target: 'everyone', dueKind: 'days', dueDays: '731' }],
      ['admin.saveInquiries', 'ada', { month: '2026-13', departmentId: '', count: '1' }],
      ['admin.saveInquiries', 'ada', { month: '2026-04', departmentId: '', count: '-1' }],
      ['admin.saveBaseline', 'ada', { from: '2026-3', to: '2026-04' }],
      ['admin.saveBaseline', 'ada', { from: '2026-05', to: '2026-04' }],
      ['admin.saveWave', 'ada', { name: long(101), startDate: '2026-04-01', endDate: '2026-05-01' }],
      ['admin.saveWave', 'ada', { name: 'Wave', startDate: '2026-04-01', endDate: '2026-05-01', description: long(1001) }],
      ['admin.saveWave', 'ada', { name: 'Wave', startDate: '2026-02-30x', endDate: '2026-05-01' }],
      ['admin.saveWave', 'ada', { name: 'Wave', startDate: '2026-04-01', endDate: '2026-05-01', 'target.usage_rate': 'lots' }],
      ['admin.deleteWave', 'ada', { waveId: '0' }],
    ];
    const before = await state();
    for (const [name, who, fields] of cases) {
      const label = `${name} ${JSON.stringify(fields).slice(0, 90)}`;
      const response = await post(app.url, `/_actions/${name}`, app.cookies[who], fields);
      expect(response.status, label).toBe(400);
      expectGeneric(await response.text(), label);
    }
    expect(await state()).toEqual(before);
  });

  it('validates endpoint parameters: unknown export files and escapes are 404, not files', async () => {
    for (const file of ['secrets.csv', 'users.csv.bak', 'users', '..%2F..%2Fpackage.json', 'users.csv%00.json', 'USERS.CSV']) {
      expect((await get(app.url, `/admin/exports/${file}`, app.cookies.ada)).status, file).toBe(404);
    }
    for (const file of ['%2e%2e/%2e%2e/package.json', '..%2F..%2Fpackage.json', 'missing.js', '']) {
      expect((await get(app.url, `/pagefind/${file}`, app.cookies.lea)).status, file).toBe(404);
    }
  });

  it('refuses a declared body over 6 MiB with 413 before reading it, wherever it is sent', async () => {
    for (const [method, target] of [
      ['POST', '/_actions/checkin.save'],
      ['POST', '/home?_action=checkin.save'],
      ['POST', '/login?_action=auth.login'],
      ['POST', '/admin/users?_action=admin.importUsers'],
      ['POST', '/home'],
      ['POST', '/healthz'],
      ['PUT', '/admin/exports/users.csv'],
      ['GET', '/'],
    ] as const) {
      const response = await rawRequest(app.url, target, {
        method,
        announceLength: 6 * MIB + 1,
        headers: { origin: app.url, cookie: app.cookies.ada!, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.status, `${method} ${target}`).toBe(413);
      expect(response.headers.connection, target).toBe('close');
    }
    // up to a form's limit, the body is read (and here refused for its content, not its size)
    const atLimit = await rawRequest(app.url, '/_actions/checkin.save', {
      method: 'POST',
      headers: { origin: app.url, cookie: app.cookies.lea!, 'content-type': 'application/x-www-form-urlencoded' },
      body: `hoursSaved=1&tasks=${'y'.repeat(FORM_BODY_LIMIT - 19)}`,
    });
    expect(atLimit.status).toBe(400);
  });

  it('refuses a large chunked body (no Content-Length) to an action, storing nothing', async () => {
    const headers = { origin: app.url, cookie: app.cookies.lea!, 'content-type': 'application/x-www-form-urlencoded' };
    for (const target of ['/_actions/checkin.save', '/home?_action=checkin.save']) {
      const response = await rawRequest(app.url, target, { method: 'POST', headers, body: 'hoursSaved=2&tasks=', chunkedBytes: 8 * MIB });
      expect(response.status, target).toBe(413);
    }
    const upload = await rawRequest(app.url, '/_actions/admin.importUsers', {
      method: 'POST',
      headers: { origin: app.url, cookie: app.cookies.ada!, 'content-type': 'multipart/form-data; boundary=zz' },
      body: '--zz\r\ncontent-disposition: form-data; name="file"; filename="users.csv"\r\ncontent-type: text/csv\r\n\r\nemail,name,department,role\r\n',
      chunkedBytes: 8 * MIB,
    });
    expect(upload.status).toBe(413);
    expect(await rawDrizzle(app.db).select().from(checkins).where(eq(checkins.userId, app.ids.lea!))).toEqual([]);
    expect((await get(app.url, '/healthz')).status).toBe(200);
  });

  it('refuses an uploaded file over its own limit (5 MiB) inside an allowed body, importing nothing', async () => {
    const usersBefore = (await rawDrizzle(app.db).select().from(users)).length;
    const form = new FormData();
    const rows = 'email,name,department,role\n' + 'someone@example.com,Some One,Sales,learner\n'.repeat(Math.ceil((5 * MIB) / 40));
    form.set('file', new File([rows], 'users.csv', { type: 'text/csv' }));
    const response = await fetch(`${app.url}/_actions/admin.importUsers`, { method: 'POST', headers: { origin: app.url, cookie: app.cookies.ada! }, body: form });
    expect(response.status).toBe(413);
    expect(await rawDrizzle(app.db).select().from(users)).toHaveLength(usersBefore);
  });

  it('answers with a generic 503 page (both languages) when the database cannot be opened, and /healthz with a bare 503', async () => {
    const cookie = `manabi_session=${'a'.repeat(24)}.${'b'.repeat(24)}`;
    for (const [target, lang, title] of [
      ['/home', 'ja', '一時的に利用できません'],
      ['/en/home', 'en', 'Temporarily unavailable'],
      ['/learn/basic-ai-essentials/what-is-generative-ai', 'ja', '一時的に利用できません'],
    ] as const) {
      const response = await get(broken.url, target, cookie);
      expect(response.status, target).toBe(503);
      const html = await response.text();
      expect(html, target).toContain(`<html lang="${lang}"`);
      expect(html, target).toContain(title);
      expectGeneric(html, target);
    }
    for (const headers of [{}, { cookie }] as Record<string, string>[]) {
      const health = await fetch(`${broken.url}/healthz`, { headers });
      expect(health.status, JSON.stringify(headers)).toBe(503);
      expect(await health.text()).toBe('{"status":"unavailable"}');
    }
    // an action that fails inside answers without the error's text
    const action = await post(broken.url, '/_actions/auth.login', null, { email: 'someone@example.com', password: 'a password of theirs' });
    expect(action.status).toBe(503);
    expectGeneric(await action.text(), 'action endpoint');
    const formAction = await post(broken.url, '/login?_action=auth.login', null, { email: 'someone@example.com', password: 'a password of theirs' });
    expect(formAction.status).toBeGreaterThanOrEqual(400);
    expectGeneric(await formAction.text(), 'form action');
    // what went wrong is in the server's log instead, for the operator
    expect(broken.output()).toMatch(/unable to open database file/);
  });

  it('has custom 404 pages in both languages', async () => {
    for (const [target, lang, title, cookie] of [
      ['/nope', 'ja', 'ページが見つかりません', null],
      ['/en/nope', 'en', 'Page not found', null],
      ['/quiz/nope', 'ja', 'ページが見つかりません', app.cookies.lea!],
      ['/en/learn/nope', 'en', 'Page not found', app.cookies.lea!],
      ['/en/admin/waves/999999', 'en', 'Page not found', app.cookies.ada!],
      ['/admin/users/999999', 'ja', 'ページが見つかりません', app.cookies.ada!],
      ['/en/admin/users/not-a-number', 'en', 'Page not found', app.cookies.ada!],
    ] as const) {
      const response = await get(app.url, target, cookie);
      expect(response.status, target).toBe(404);
      const html = await response.text();
      expect(html, target).toContain(`<html lang="${lang}"`);
      expect(html, target).toContain(title);
      expectGeneric(html, target);
    }
  });
});
