/**
 * Issue 11, item 14, the smaller ones:
 * - a users CSV with only the header row said `ok:true`: now "no rows", nothing done (browser and CLI);
 * - status lines read `HTTP/1.1 401 AstroActionError`: now Node's standard reason phrase everywhere;
 * - the README promised a KPI CSV export that /admin/exports did not offer: built (KPIs per
 *   department and month, with baseline), audited like the other exports;
 * - CLI user changes (user:create, users:import, user:password) wrote no audit rows: now they do,
 *   with `cli:<OS user>` as the actor and never a secret.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordActivity } from '../../src/features/progress/activity.server.ts';
import { saveCheckin } from '../../src/features/programme/checkins.server.ts';
import { saveInquiries } from '../../src/features/programme/helpdesk.server.ts';
import { setBaseline } from '../../src/features/kpi/settings.server.ts';
import { get } from '../helpers/http.ts';
import { afterPost, ROOT, startApp, submit, tempDir, type App } from './support.ts';
import { databaseEnv, sqlRows } from '../helpers/db.ts';

const TZ = 'Asia/Tokyo';
const MARCH = new Date('2026-03-15T03:00:00Z');

let app: App;
let dir: string;
beforeAll(async () => {
  dir = tempDir('manabi-small-');
  app = await startApp({
    users: {
      admin: { role: 'admin', department: 'IT' },
      ann: { department: 'Sales' },
      ben: { department: 'Sales' },
      cy: { department: 'Sales', password: null },
      dee: { department: 'Sales', password: null },
    },
    prepare: async (db, ids) => {
      const sales = (await sqlRows<{ id: number }>(db, "select id from departments where name = 'Sales'"))[0]!.id;
      await setBaseline(db, { from: '2026-01', to: '2026-01' });
      await saveInquiries(db, { month: '2026-01', departmentId: sales, count: 10, updatedBy: ids.admin! });
      await saveInquiries(db, { month: '2026-03', departmentId: sales, count: 4, updatedBy: ids.admin! });
      await recordActivity(db, ids.ann!, TZ, new Date('2026-01-20T03:00:00Z'));
      await recordActivity(db, ids.ann!, TZ, MARCH);
      await saveCheckin(db, { userId: ids.ann!, hoursSaved: 6.5, tasks: null }, TZ, MARCH);
    },
  });
});
afterAll(async () => {
  await app?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cli(script: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, ...databaseEnv(app.file) } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The reason phrase of the status line, as the client parsed it. */
function statusLine(method: string, target: string, body?: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${app.url}${target}`, { method, headers: { origin: app.url, ...headers } }, (response) => {
      response.resume();
      resolve(`${response.statusCode} ${response.statusMessage}`);
    });
    request.on('error', reject);
    request.end(body);
  });
}

const auditRows = (where: string): Promise<{ action: string; actor_user_id: number | null; actor_label: string; target_id: string | null; details: string | null }[]> =>
  sqlRows(app.db, `select action, actor_user_id, actor_label, target_id, cast(details as text) details from audit_log where ${where} order by id`);

describe('a users CSV with only its header', () => {
  it('is refused with "no rows" in the browser, and nothing changes', async () => {
    const form = new FormData();
    form.set('file', new File(['email,name,department,role\r\n'], 'empty.csv', { type: 'text/csv' }));
    // post/redirect/get: the report is on the page the 303 leads to
    const posted = await fetch(`${app.url}/admin/users?_action=admin.importUsers`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: app.cookies.admin!, origin: app.url },
      body: form,
    });
    const response = await afterPost(app.url, posted, app.cookies.admin);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('ファイル：見出しの行だけで、取り込む行がありません');
    expect(await auditRows("action = 'users.imported'")).toEqual([]);
  });

  it('is refused by the CLI too (exit 1)', () => {
    const file = path.join(dir, 'header-only.csv');
    fs.writeFileSync(file, 'email,name,department,role\n');
    const result = cli('src/cli/users-import.ts', [file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no rows');
  });
});

describe('status lines', () => {
  it('use the standard reason phrases, also for action errors', async () => {
    const form = 'application/x-www-form-urlencoded';
    // A form post answers 303 See Other (post/redirect/get); the page it leads to carries the error's status.
    expect(await statusLine('POST', '/login?_action=auth.login', 'email=ann%40example.com&password=wrong-password-123', { 'content-type': form })).toBe('303 See Other');
    expect(await statusLine('POST', '/_actions/auth.login', 'email=ann%40example.com&password=wrong-password-123', { 'content-type': form })).toBe('401 Unauthorized');
    const signIn = await submit(app.url, '/login?_action=auth.login', null, { email: 'ann@example.com', password: 'wrong-password-123' });
    expect(`${signIn.status} ${signIn.statusText}`).toBe('401 Unauthorized');
    const demote = await submit(app.url, '/admin/users?_action=admin.updateUser', app.cookies.admin, { userId: String(app.ids.admin), role: 'learner', departmentId: '' });
    expect(`${demote.status} ${demote.statusText}`).toBe('400 Bad Request');
    expect(await statusLine('GET', '/healthz')).toBe('200 OK');
    expect(await statusLine('GET', '/no-such-page')).toBe('404 Not Found');
  });
});

describe('the KPI export', () => {
  it('is offered on /admin/exports and gives KPIs per department and month with the baseline', async () => {
    const page = await (await get(app.url, '/admin/exports', app.cookies.admin)).text();
    expect(page).toContain('/admin/exports/kpis.csv');

    const response = await get(app.url, '/admin/exports/kpis.csv?from=2026-02&to=2026-03', app.cookies.admin);
    expect(response.status).toBe(200);
    const [header, ...rows] = parse(await response.text()) as string[][];
    for (const column of [
      'department',
      'month',
      'target_users',
      'active_learners',
      'usage_rate',
      'basic_completion',
      'applied_completion',
      'specialist_completion',
      'quiz_pass_rate',
      'mean_score_percent',
      'satisfaction',
      'hours_saved',
      'helpdesk_inquiries',
      'baseline_period',
      'baseline_usage_rate',
      'baseline_helpdesk_inquiries',
    ])
      expect(header, column).toContain(column);
    const record = (scope: string, department: string, month: string): Record<string, string> => {
      const row = rows.find((r) => r[0] === scope && r[1] === department && r[2] === month);
      expect(row, `${scope} ${department} ${month}`).toBeDefined();
      return Object.fromEntries(header!.map((h, i) => [h, row![i]!]));
    };
    const sales = record('department', 'Sales', '2026-03');
    expect(sales).toMatchObject({
      target_users: '4',
      active_learners: '1',
      usage_rate: '0.25',
      hours_saved: '6.5',
      helpdesk_inquiries: '4',
      baseline_period: '2026-01..2026-01',
      baseline_active_learners: '1',
      baseline_usage_rate: '0.25',
      baseline_helpdesk_inquiries: '10',
    });
    expect(record('department', 'Sales', '2026-02')).toMatchObject({ active_learners: '0', usage_rate: '0', helpdesk_inquiries: '' });
    expect(record('company', '', '2026-03')).toMatchObject({ target_users: '5', active_learners: '1', helpdesk_inquiries: '4' });
    expect(record('department', 'IT', '2026-03')).toMatchObject({ target_users: '1', active_learners: '0' });
  });

  it('is audited like the other exports, and refuses a bad range', async () => {
    const audited = await auditRows("action = 'export.downloaded' and target_id = 'kpis'");
    expect(audited.at(-1)).toMatchObject({ actor_user_id: app.ids.admin });
    expect(JSON.parse(audited.at(-1)!.details!)).toMatchObject({ from: '2026-02', to: '2026-03' });
    expect((await get(app.url, '/admin/exports/kpis.csv?from=2026-05&to=2026-03', app.cookies.admin)).status).toBe(400);
    expect((await get(app.url, '/admin/exports/kpis.csv?from=2020-01&to=2026-03', app.cookies.admin)).status).toBe(400);
    expect((await get(app.url, '/admin/exports/kpis.csv', app.cookies.ann)).status).toBe(403);
  });
});

describe('CLI user changes', () => {
  it('write audit rows naming cli:<OS user>, and no secret', async () => {
    const actor = `cli:${os.userInfo().username}`;
    const password = 'a long cli password 42';
    const created = cli('src/cli/user-create.ts', ['--email', 'new@example.com', '--name', 'New', '--department', 'Sales', '--role', 'champion', '--password-stdin'], password);
    expect(created.status, created.stderr).toBe(0);
    const changed = cli('src/cli/user-password.ts', ['--email', 'ann@example.com', '--password-stdin'], `${password} 2`);
    expect(changed.status, changed.stderr).toBe(0);
    const file = path.join(dir, 'two.csv');
    fs.writeFileSync(file, 'email,name,department,role\nimp1@example.com,Imp One,Sales,learner\nimp2@example.com,Imp Two,Ops,learner\n');
    const imported = cli('src/cli/users-import.ts', [file]);
    expect(imported.status, imported.stderr).toBe(0);

    const rows = await auditRows(`actor_label = '${actor}'`);
    expect(rows.map((r) => r.action)).toEqual(['user.created', 'user.password_set', 'user.created', 'user.created', 'users.imported']);
    expect(rows.every((r) => r.actor_user_id === null)).toBe(true);
    expect(JSON.parse(rows[0]!.details!)).toMatchObject({ via: 'cli', email: 'new@example.com', role: 'champion', department: 'Sales' });
    expect(rows[1]!.target_id).toBe(String(app.ids.ann));
    expect(JSON.parse(rows[4]!.details!)).toMatchObject({ created: 2, updated: 0, departmentsCreated: ['Ops'] });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(password);
    expect(text).not.toMatch(/\$argon2/);
  });
});
