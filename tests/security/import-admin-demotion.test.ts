/**
 * Issue 11, item 3: the only admin demoted themselves through a CSV import (`update=on`, their
 * own row with role `learner`): no admin left, /admin 403 for everyone, and the audit row said
 * only {"updated":1}. Imports from the browser and the CLI now obey the rules of the role form
 * (src/features/users/admin-rules.server.ts): no self-demotion, never zero active admins, the same for
 * deactivation; and every changed user is audited with the role and department before and after.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRuleViolation, userChangeEffect } from '../../src/features/users/admin-rules.server.ts';
import { get } from '../helpers/http.ts';
import { afterPost, type App, ROOT, startApp, submit } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { databaseEnv, sqlRows } from '../helpers/db.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({
    users: {
      boss: { role: 'admin', department: 'IT', name: 'Boss' },
      deputy: { role: 'admin', department: 'IT', name: 'Deputy' },
      learner: { role: 'learner', department: 'Sales', name: 'Learner' },
    },
  });
});
afterAll(() => app?.stop());

const HEADER = 'email,name,department,role\n';

/** Imports through the admin page; the report is on the page the post's 303 leads to (post/redirect/get). */
async function upload(cookie: string, csv: string, update: boolean): Promise<Response> {
  const form = new FormData();
  form.set('file', new File([csv], 'users.csv', { type: 'text/csv' }));
  if (update) form.set('update', 'on');
  return afterPost(
    app.url,
    await fetch(`${app.url}/admin/users?_action=admin.importUsers`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: app.url }, body: form }),
    cookie,
  );
}

const roleOf = async (key: string): Promise<string> => (await sqlRows<{ role: string }>(app.db, 'select role from users where id = ?', app.ids[key]))[0]!.role;
const auditRows = async (action: string): Promise<{ actor_label: string; target_id: string; details: string }[]> =>
  sqlRows(app.db, 'select actor_label, target_id, cast(details as text) details from audit_log where action = ? order by id', action);
const setRole = (key: string, role: string): Promise<unknown> => sqlRows(app.db, 'update users set role = ? where id = ?', role, app.ids[key]);

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['src/cli/users-import.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...databaseEnv(app.file) } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('imports obey the admin rules', () => {
  it('refuses an admin demoting themselves by import, names the line, changes nothing; /admin stays open', async () => {
    // The deputy is out of the picture: the boss is the only active admin, as in the report.
    await setRole('deputy', 'learner');
    try {
      const importedBefore = (await auditRows('users.imported')).length;
      const response = await upload(app.cookies.boss!, `${HEADER}boss@example.com,Boss,IT,learner\n`, true);
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain('2行目：自分の管理者権限は外せません');
      expect(await roleOf('boss')).toBe('admin');
      expect(await auditRows('users.imported')).toHaveLength(importedBefore);
      expect((await get(app.url, '/admin', app.cookies.boss)).status).toBe(200);
    } finally {
      await setRole('deputy', 'admin');
    }
  });

  it('the role form and deactivation refuse the same (the rule lives in one place)', async () => {
    const demote = await submit(app.url, '/admin/users?_action=admin.updateUser', app.cookies.boss, { userId: String(app.ids.boss), role: 'learner', departmentId: '' });
    expect(demote.status).toBe(400);
    expect(await demote.text()).toContain('自分の管理者権限は外せません');
    const deactivate = await submit(app.url, '/admin/users?_action=admin.setActive', app.cookies.boss, { userId: String(app.ids.boss), active: 'false' });
    expect(deactivate.status).toBe(400);
    expect(await roleOf('boss')).toBe('admin');
    expect(await sqlRows(app.db, 'select active from users where id = ?', app.ids.boss)).toEqual([{ active: 1 }]);

    // The floor itself: with one active admin, no change may take them away, whoever asks.
    const boss = { id: app.ids.boss!, role: 'admin' as const, active: true };
    await setRole('deputy', 'learner');
    try {
      expect(await adminRuleViolation(rawDrizzle(app.db), userChangeEffect(null, boss, { role: 'learner' }))).toBe('last_admin');
      expect(await adminRuleViolation(rawDrizzle(app.db), userChangeEffect(null, boss, { active: false }))).toBe('last_admin');
      expect(await adminRuleViolation(rawDrizzle(app.db), userChangeEffect(app.ids.boss!, boss, { active: false }))).toBe('cannot_deactivate_self');
      expect(await adminRuleViolation(rawDrizzle(app.db), userChangeEffect(null, boss, { role: 'admin' }))).toBeNull();
    } finally {
      await setRole('deputy', 'admin');
    }
  });

  it('the CLI (no "self") never leaves zero active admins', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-demotion-'));
    try {
      const csv = path.join(dir, 'users.csv');
      fs.writeFileSync(csv, `${HEADER}boss@example.com,Boss,IT,learner\ndeputy@example.com,Deputy,IT,champion\n`);
      const result = runCli([csv, '--update']);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('line 2: this would leave no active admin');
      expect([await roleOf('boss'), await roleOf('deputy')]).toEqual(['admin', 'admin']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('audits every changed user with role and department before and after, and no secrets', async () => {
    const before = (await auditRows('user.updated')).length;
    const response = await upload(
      app.cookies.boss!,
      `${HEADER}deputy@example.com,Deputy,Sales,learner\nlearner@example.com,Learner,Sales,learner\nlearner2@example.com,New One,Sales,champion\n`,
      true,
    );
    expect(response.status).toBe(200);
    expect(await roleOf('deputy')).toBe('learner');
    const updated = (await auditRows('user.updated')).slice(before);
    // The unchanged learner gets no row; the deputy gets one with before and after.
    expect(updated).toHaveLength(1);
    expect(updated[0]!.actor_label).toBe('boss@example.com');
    expect(updated[0]!.target_id).toBe(String(app.ids.deputy));
    expect(JSON.parse(updated[0]!.details)).toMatchObject({
      via: 'import',
      line: 2,
      before: { role: 'admin', department: 'IT' },
      after: { role: 'learner', department: 'Sales' },
    });
    const created = (await auditRows('user.created')).at(-1)!;
    expect(JSON.parse(created.details)).toMatchObject({ via: 'import', email: 'learner2@example.com', role: 'champion', department: 'Sales' });
    const summary = JSON.parse((await auditRows('users.imported')).at(-1)!.details);
    expect(summary).toMatchObject({ created: 1, updated: 1, unchanged: 1, encoding: 'utf-8' });

    const secrets = (await sqlRows<{ hash: string }>(app.db, 'select password_hash hash from users where password_hash is not null')).map((r) => r.hash);
    const sessionIds = (await sqlRows<{ id: string }>(app.db, 'select id from sessions')).map((r) => r.id);
    const log = JSON.stringify(await sqlRows(app.db, 'select * from audit_log'));
    for (const secret of [...secrets, ...sessionIds]) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/\$argon2/);
  });
});
