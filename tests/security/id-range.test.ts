/**
 * Ids past the 32-bit range. PostgreSQL's ids are `integer` (at most 2,147,483,647); a larger
 * number in a path, a query string or a form named no row on SQLite, but reached PostgreSQL as an
 * out-of-range value: a 500 instead of "not found" or a clear refusal. Every door that takes an id
 * from outside goes through one rule (src/platform/input/id.ts). Run on both databases
 * (security and security-pg); on PostgreSQL it fails without the rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlRows } from '../helpers/db.ts';
import { get } from '../helpers/http.ts';
import { type App, post, startApp } from './support.ts';

const JUST_PAST = '2147483648';
const FAR_PAST = '9999999999';

let app: App;

beforeAll(async () => {
  app = await startApp({ users: { ada: { role: 'admin' }, cham: { role: 'champion' }, lea: {} } });
});

afterAll(async () => {
  await app?.stop();
});

describe('an id past the 32-bit range', () => {
  it('is no user, no transcript, no assignment: 404, never a server error', async () => {
    for (const id of [JUST_PAST, FAR_PAST]) {
      for (const path of [`/admin/users/${id}`, `/en/admin/users/${id}`, `/admin/users/${id}/transcript`, `/admin/users/${id}/transcript.csv`]) {
        expect((await get(app.url, path, app.cookies.ada)).status, path).toBe(404);
      }
      expect((await get(app.url, `/calendar/assignment/${id}.ics`, app.cookies.lea)).status).toBe(404);
    }
  });

  it('in a filter or a page cursor is no filter: the page answers as without it, or refuses with a message', async () => {
    for (const id of [JUST_PAST, FAR_PAST]) {
      // The dashboard says its filter is invalid (400) and shows the default view.
      const dashboard = await get(app.url, `/admin?department=${id}&wave=${id}`, app.cookies.ada);
      expect(dashboard.status).toBe(400);
      expect(await dashboard.text()).toContain('role="alert"');
      for (const [path, who] of [
        [`/admin/users?department=${id}`, 'ada'],
        [`/admin/audit?before=${id}`, 'ada'],
        [`/champion?department=${id}`, 'ada'],
      ] as const) {
        const response = await get(app.url, path, app.cookies[who]);
        expect(response.status, `${path} as ${who}`).toBe(200);
      }
      // A champion asking for it asks for another department: refused, as for any other (not served their own).
      expect((await get(app.url, `/champion?department=${id}`, app.cookies.cham)).status).toBe(403);
      // No department has it: no roster, for the champion or the admin.
      for (const who of ['cham', 'ada']) expect((await get(app.url, `/champion/roster.csv?department=${id}`, app.cookies[who])).status, who).toBe(403);
      const evidence = await get(app.url, `/admin/exports/evidence.csv?department=${id}`, app.cookies.ada);
      expect(evidence.status).toBe(400);
      expect(await evidence.text()).toContain('department must be a department id');
    }
  });

  it('in a form is refused as invalid input, and nothing changes', async () => {
    const before = await sqlRows(app.db, 'select id, role, active, department_id from users order by id');
    for (const id of [JUST_PAST, FAR_PAST]) {
      for (const [action, fields] of [
        ['admin.updateUser', { userId: id, role: 'admin', departmentId: '' }],
        ['admin.setActive', { userId: id, active: 'false' }],
        ['admin.createLoginLink', { userId: id }],
        ['admin.updateUser', { userId: String(app.ids.lea), role: 'learner', departmentId: id }],
      ] as const) {
        const response = await post(app.url, `/_actions/${action}`, app.cookies.ada, fields, { accept: 'application/json' });
        expect(response.status, `${action} ${JSON.stringify(fields)}`).toBe(400);
      }
    }
    expect(await sqlRows(app.db, 'select id, role, active, department_id from users order by id')).toEqual(before);
  });
});
