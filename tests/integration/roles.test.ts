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
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { parseHTML } from 'linkedom';
import { createUser } from '../../src/features/users/users.server.ts';
import { ROSTER_PAGE_SIZE, ROSTER_PAGE_THRESHOLD } from '../../src/features/kpi/champion-roster.ts';

const PASSWORD = 'role matrix password';
/** Sales grows past the roster's threshold: its roster is paged. */
const BIG = 400;
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
  return route
    .replace('[id]', String(waveId))
    .replace('[user]', String(learnerId))
    .replace('[quiz]', 'basic-ai-essentials')
    .replace('[question]', 'how-it-writes')
    .replace('[file]', 'users.csv');
}

beforeAll(async () => {
  t = tempDb();
  learnerId = await addUser(t.db, { email: 'learner@example.com', password: PASSWORD, role: 'learner', department: 'Sales' });
  await addUser(t.db, { email: 'champion@example.com', password: PASSWORD, role: 'champion', department: 'Sales' });
  await addUser(t.db, { email: 'admin@example.com', password: PASSWORD, role: 'admin', department: 'IT' });
  await addUser(t.db, { email: 'hr@example.com', password: PASSWORD, role: 'learner', department: 'HR' });
  hrId = await ensureDepartment(rawDrizzle(t.db), 'HR');
  await t.db.write(async (tx) => {
    const sales = await ensureDepartment(tx, 'Sales');
    for (let i = 0; i < BIG; i++)
      await createUser(tx, {
        email: `big${String(i).padStart(3, '0')}@example.com`,
        displayName: `Big ${String(i).padStart(3, '0')}`,
        role: 'learner',
        departmentId: sales,
        passwordHash: null,
      });
  });
  waveId = await saveWave(t.db, { name: 'Pilot', position: 0, startDate: '2026-04-01', endDate: '2026-06-30', description: null, departmentIds: [hrId], targets: [] });
  void t.db.close();
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
    // Sales is paged (BIG people): the learner comes first by name, descending.
    const own = await (await get(server.url, '/champion?sort=name&dir=desc', cookies.champion)).text();
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

  const SALES = BIG + 2;
  const names = (html: string): string[] => [...parseHTML(html).document.querySelectorAll('.roster-table tbody th[scope="row"] .person')].map((n) => n.textContent ?? '');
  const roster = async (query: string): Promise<{ status: number; html: string }> => {
    const response = await get(server.url, `/champion${query}`, cookies.champion);
    return { status: response.status, html: await response.text() };
  };

  it('pages a department over the threshold: a summary, 100 people, sort headers and a labelled page nav', async () => {
    expect(SALES).toBeGreaterThan(ROSTER_PAGE_THRESHOLD);
    const { status, html } = await roster('');
    expect(status).toBe(200);
    const doc = parseHTML(html).document;
    expect(names(html)).toHaveLength(ROSTER_PAGE_SIZE);
    expect(doc.querySelector('.roster-summary')).not.toBeNull();
    expect([...doc.querySelectorAll('.roster-summary tbody td.num:first-of-type')].reduce((n, td) => n + Number(td.textContent!.replace(/,/g, '')), 0)).toBe(SALES);
    // The default order (who needs action first) is the sorted header; the others are links.
    expect(doc.querySelectorAll('th[aria-sort]')).toHaveLength(1);
    expect(doc.querySelector('th[aria-sort="ascending"] a')?.getAttribute('href')).toContain('dir=desc');
    const navs = [...doc.querySelectorAll('nav.roster-pager')];
    expect(navs).toHaveLength(2);
    expect(new Set(navs.map((n) => n.getAttribute('aria-label'))).size).toBe(2);
    expect(doc.querySelector('nav.roster-pager a[aria-current="page"]')?.textContent).toBe('1');
  });

  it('covers every person once over the pages, in order, and the CSV has every person', async () => {
    for (const sort of ['', 'sort=name&', 'sort=name&dir=desc&', 'sort=progress&', 'sort=lastActivity&', 'sort=due&']) {
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(SALES / ROSTER_PAGE_SIZE); page++) seen.push(...names((await roster(`?${sort}page=${page}`)).html));
      expect(seen, sort).toHaveLength(SALES);
      expect(new Set(seen).size, sort).toBe(SALES);
      if (sort === 'sort=name&') expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : 1)));
      if (sort === 'sort=name&dir=desc&') expect(seen).toEqual([...seen].sort((a, b) => (a < b ? 1 : -1)));
    }
    const csv = (await (await get(server.url, '/champion/roster.csv', cookies.champion)).text()).trim().split('\r\n');
    expect(csv).toHaveLength(SALES + 1);
    for (let i = 0; i < BIG; i++) expect(csv.some((line) => line.startsWith(`big${String(i).padStart(3, '0')}@example.com,`))).toBe(true);
  });

  it('answers any page or sort parameter with a clear default, never a 500 and never another department', async () => {
    const first = names((await roster('')).html);
    const last = names((await roster(`?page=${Math.ceil(SALES / ROSTER_PAGE_SIZE)}`)).html);
    for (const query of [
      '?sort=salary',
      '?sort=%3Cscript%3E',
      '?dir=sideways',
      '?sort[]=name',
      '?page=0',
      '?page=-1',
      '?page=abc',
      '?page=1.5',
      '?page=1e400',
      `?page=${'9'.repeat(500)}`,
    ]) {
      const { status, html } = await roster(query);
      expect(status, query).toBe(200);
      expect(html).not.toContain('>hr<');
      expect(html).not.toContain('<script>');
      expect(names(html), query).toEqual(query.startsWith('?page=9') ? last : first);
    }
    for (const query of ['?page=99999', '?page=6', '?page=99999&sort=name']) {
      const { status, html } = await roster(query);
      expect(status, query).toBe(200);
      expect(names(html), query).toHaveLength(SALES - (Math.ceil(SALES / ROSTER_PAGE_SIZE) - 1) * ROSTER_PAGE_SIZE);
      expect(parseHTML(html).document.querySelector('nav.roster-pager a[aria-current="page"]')?.textContent).toBe(String(Math.ceil(SALES / ROSTER_PAGE_SIZE)));
    }
    for (const query of [`?department=${hrId}&page=2`, `?department=${hrId}&sort=name`, `?page=2&department=${hrId}`]) {
      const response = await get(server.url, `/champion${query}`, cookies.champion);
      expect(response.status, query).toBe(403);
      expect(await response.text()).not.toContain('>hr<');
    }
  });
});
