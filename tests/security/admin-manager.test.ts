/**
 * Who may set a line manager (issue 19 item 4), tried as an attacker would, over real HTTP on the
 * built server: only an active admin, from the site's own origin; learners, champions, line
 * managers and anonymous callers are refused through the page form and the RPC address alike,
 * and nothing changes. Cycles are refused however they are built — two people, three, or through
 * a loop already in the database (SCIM writes what the directory says) — and a walk never hangs.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../db/schema/index.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { post, rawRequest, snapshot, startApp, type App } from './support.ts';
import { first } from '../../src/platform/query.ts';

let app: App;

beforeAll(async () => {
  app = await startApp({
    users: {
      ada: { role: 'admin', department: 'IT' },
      lea: {},
      cham: { role: 'champion' },
      boss: {},
      rep: {},
      a: {},
      b: {},
      c: {},
      x: {},
      y: {},
      z: {},
    },
    prepare: async (db, ids) => {
      const q = rawDrizzle(db);
      await q.update(users).set({ managerId: ids.boss! }).where(eq(users.id, ids.rep!));
      // A loop the directory made (SCIM writes what it is sent): x ↔ y.
      await q.update(users).set({ managerId: ids.y! }).where(eq(users.id, ids.x!));
      await q.update(users).set({ managerId: ids.x! }).where(eq(users.id, ids.y!));
    },
  });
});

afterAll(async () => {
  await app?.stop();
});

const state = () => snapshot(app.db, { audit_log: '*', sessions: ['last_active_at'], activity_months: '*', kpi_department_months: ['active_users'] });
const managerOf = async (key: string): Promise<number | null> => first(await rawDrizzle(app.db).select({ m: users.managerId }).from(users).where(eq(users.id, app.ids[key]!)))!.m;
const setManager = (who: string | null, key: string, email: string, via: 'page' | 'rpc' = 'rpc'): Promise<Response> =>
  post(app.url, via === 'page' ? `/admin/users/${app.ids[key]}?_action=admin.setManager` : '/_actions/admin.setManager', who ? app.cookies[who] : null, {
    userId: String(app.ids[key]),
    managerEmail: email,
  });

describe('admin.setManager: admins only, from the site itself', () => {
  it('refuses learners, champions, line managers and anonymous callers, by the form and by RPC; nothing changes', async () => {
    const before = await state();
    for (const who of ['lea', 'cham', 'boss']) {
      // The attacker makes themself someone's manager, or moves a report away.
      for (const [key, email] of [
        ['c', `${who}@example.com`],
        ['rep', 'lea@example.com'],
      ] as const) {
        expect((await setManager(who, key, email, 'rpc')).status, `${who} rpc`).toBe(403);
        expect((await setManager(who, key, email, 'page')).status, `${who} page`).toBe(403);
      }
    }
    expect((await setManager(null, 'c', 'lea@example.com', 'rpc')).status).toBe(401);
    expect([303, 401, 403]).toContain((await setManager(null, 'c', 'lea@example.com', 'page')).status);
    expect(await state()).toEqual(before);
    expect(await managerOf('rep')).toBe(app.ids.boss);
  });

  it("refuses an admin's own cookie sent from another origin", async () => {
    const before = await state();
    const body = new URLSearchParams({ userId: String(app.ids.c), managerEmail: 'boss@example.com' }).toString();
    for (const origin of ['https://evil.example', 'null']) {
      const response = await rawRequest(app.url, '/_actions/admin.setManager', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: app.cookies.ada!, origin },
        body,
      });
      expect(response.status, origin).toBe(403);
    }
    expect(await state()).toEqual(before);
  });
});

describe('admin.setManager: no reporting cycles', () => {
  it('refuses the user themself, a two-person and a three-person cycle', async () => {
    expect((await setManager('ada', 'a', 'a@example.com')).status).toBe(400);
    expect((await setManager('ada', 'a', 'b@example.com')).status).toBe(200);
    expect((await setManager('ada', 'b', 'a@example.com')).status).toBe(400);
    expect((await setManager('ada', 'b', 'c@example.com')).status).toBe(200);
    const before = await state();
    const refused = await setManager('ada', 'c', 'A@example.com');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('manager_cycle:c@example.com → a@example.com → b@example.com → c@example.com');
    expect(await state()).toEqual(before);
    expect(await managerOf('c')).toBeNull();
  });

  it('answers at once beside a loop already in the database, and refuses to join it', async () => {
    // z under the x ↔ y loop: the loop is not z's, so this is allowed (and the walk ends).
    const started = performance.now();
    expect((await setManager('ada', 'z', 'x@example.com')).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5000);
    // x under z (whose chain leads back to x) is a cycle.
    expect((await setManager('ada', 'x', 'z@example.com')).status).toBe(400);
    expect(await managerOf('x')).toBe(app.ids.y);
  });
});
