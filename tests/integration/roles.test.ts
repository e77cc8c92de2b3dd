/**
 * Deny by default, checked over every admin and champion route found in src/pages: anonymous
 * visitors are sent to sign in, learners get 403, champions only what champions may see (their
 * own department), admins everything. A new route without an entry here fails the test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveWave } from '../../src/features/programme/waves.server.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { ROOT } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { rawSqlite, rawDrizzle } from '../../src/platform/db.server.ts';

const PASSWORD = 'role matrix password';
let t: TempDb;
let server: RunningServer;
let waveId: number;
let hrId: number;
let learnerId: number;
const cookies: Record<string, string> = {};

/** Every page or endpoint file as its route pattern, without the `[...locale]` segment. */
function routePatterns(): string[] {
  const pages = path.join(ROOT, 'src/pages');
  const files = fs.readdirSync(pages, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  return files
    .map((d) => path.relative(pages, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .map((file) => `/${file.replace(/\.(astro|ts)$/, '').replace(/(^|\/)index$/, '')}`.replace(/^\/\[\.\.\.locale\]/, '') || '/')
    .map((route) => route.replace(/\/$/, '') || '/');
}

const matrixRoutes = () => routePatterns().filter((r) => r === '/admin' || r.startsWith('/admin/') || r === '/champion' || r.startsWith('/champion/'));

function concrete(route: string): string {
  return route.replace('[id]', String(waveId)).replace('[quiz]', 'basic-ai-essentials').replace('[question]', 'how-it-writes').replace('[file]', 'users.csv').replace('[user]', String(learnerId));
}

beforeAll(async () => {
  t = tempDb();
  learnerId = await addUser(t.db, { email: 'learner@example.com', password: PASSWORD, role: 'learner', department: 'Sales' });
  await addUser(t.db, { email: 'champion@example.com', password: PASSWORD, role: 'champion', department: 'Sales' });
  await addUser(t.db, { email: 'admin@example.com', password: PASSWORD, role: 'admin', department: 'IT' });
  await addUser(t.db, { email: 'hr@example.com', password: PASSWORD, role: 'learner', department: 'HR' });
  hrId = ensureDepartment(rawDrizzle(t.db), 'HR');
  waveId = await saveWave(t.db, { name: 'Pilot', position: 0, startDate: '2026-04-01', endDate: '2026-06-30', description: null, departmentIds: [hrId], targets: [] });
  rawSqlite(t.db).close();
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  for (const who of ['learner', 'champion', 'admin']) cookies[who] = (await signIn(server.url, `${who}@example.com`, PASSWORD)).cookie!;
});

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('role matrix', () => {
  it('finds the admin and champion routes', () => {
    const routes = matrixRoutes();
    expect(routes).toContain('/admin');
    expect(routes).toContain('/admin/users');
    expect(routes).toContain('/champion');
    expect(routes).toContain('/champion/roster.csv');
    for (const route of routes) expect(concrete(route), route).not.toMatch(/\[/);
  });

  it('gives every admin route: anonymous → sign-in, learner and champion → 403, admin → 200', async () => {
    for (const route of matrixRoutes().filter((r) => r.startsWith('/admin'))) {
      const url = concrete(route);
      for (const prefix of ['', '/en']) {
        if (prefix && !fs.existsSync(path.join(ROOT, 'src/pages/[...locale]', `${route}.astro`)) && !fs.existsSync(path.join(ROOT, 'src/pages/[...locale]', route, 'index.astro')))
          continue;
        const anonymous = await get(server.url, `${prefix}${url}`);
        expect([302, 401], `anonymous ${prefix}${url}`).toContain(anonymous.status);
        if (anonymous.status === 302) expect(anonymous.headers.get('location')).toMatch(/\/login\?next=/);
        expect((await get(server.url, `${prefix}${url}`, cookies.learner)).status, `learner ${prefix}${url}`).toBe(403);
        expect((await get(server.url, `${prefix}${url}`, cookies.champion)).status, `champion ${prefix}${url}`).toBe(403);
        expect((await get(server.url, `${prefix}${url}`, cookies.admin)).status, `admin ${prefix}${url}`).toBe(200);
      }
    }
  });

  it('gives every champion route: anonymous → sign-in, learner → 403, champion and admin → 200', async () => {
    for (const route of matrixRoutes().filter((r) => r.startsWith('/champion'))) {
      const url = concrete(route);
      expect([302, 401], `anonymous ${url}`).toContain((await get(server.url, url)).status);
      expect((await get(server.url, url, cookies.learner)).status, `learner ${url}`).toBe(403);
      expect((await get(server.url, url, cookies.champion)).status, `champion ${url}`).toBe(200);
      expect((await get(server.url, url, cookies.admin)).status, `admin ${url}`).toBe(200);
    }
  });

  it('refuses admin actions to champions and learners, whatever page they are posted to', async () => {
    for (const who of ['learner', 'champion']) {
      const response = await fetch(`${server.url}/home?_action=admin.saveBaseline`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookies[who]!, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'from=2026-01&to=2026-03',
      });
      expect(response.status, who).toBe(403);
      const rpc = await fetch(`${server.url}/_actions/admin.saveBaseline`, {
        method: 'POST',
        headers: { cookie: cookies[who]!, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'from=2026-01&to=2026-03',
      });
      expect(rpc.status, who).toBe(403);
    }
  });
});

describe('champion scope', () => {
  it('shows the champion’s own department and refuses another one (403)', async () => {
    const own = await (await get(server.url, '/champion', cookies.champion)).text();
    expect(own).toContain('learner@example.com'.split('@')[0]);
    expect(own).not.toContain('>hr<');
    expect((await get(server.url, `/champion?department=${hrId}`, cookies.champion)).status).toBe(403);
    expect((await get(server.url, `/champion/roster.csv?department=${hrId}`, cookies.champion)).status).toBe(403);
    expect((await get(server.url, `/champion?department=${hrId}`, cookies.admin)).status).toBe(200);
  });

  it('exports only the champion’s department in the roster CSV', async () => {
    const csv = await (await get(server.url, '/champion/roster.csv', cookies.champion)).text();
    expect(csv.split('\r\n')[0]).toMatch(/^email,name,department,role/);
    expect(csv).toContain('learner@example.com');
    expect(csv).toContain('champion@example.com');
    expect(csv).not.toContain('hr@example.com');
    expect(csv).not.toContain('admin@example.com');
  });
});
