/**
 * "My team" scope (issue 19 item 4), tested like the champion scope: a manager sees exactly their
 * active, not-erased direct reports, whatever the request asks; a report who moved to another
 * manager, was deactivated or erased is gone from the page at once; someone nobody reports to
 * gets 403 (audited); a champion who is also a manager keeps their department scope on
 * /champion unchanged, and /team stays their reports only.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '../../db/schema/index.ts';
import { get } from '../helpers/http.ts';
import { type App, startApp } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';

let app: App;

/** Every person's name and e-mail: a page shows someone if either appears. */
const NAMES: Record<string, string> = {
  boss: 'Bea Boss',
  chief: 'Chi Championboss',
  rep1: 'Ren Reportone',
  rep2: 'Rui Reporttwo',
  hrrep: 'Haru Hrreport',
  other: 'Oto Otherboss',
  otherrep: 'Osa Otherreport',
  moved: 'Mei Moved',
  gone: 'Goro Gone',
  erased: 'Emi Erased',
  colleague: 'Coco Colleague',
  nobody: 'Nob Nobody',
  top: 'Tom Topboss',
  l1: 'Lev Levelone',
  l2: 'Lea Leveltwo',
  l3: 'Lio Levelthree',
  l4: 'Lua Levelfour',
  l5: 'Lux Levelfive',
  l6: 'Lyn Levelsix',
};
const CHAIN = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];

beforeAll(async () => {
  app = await startApp({
    users: {
      boss: { name: NAMES.boss },
      chief: { role: 'champion', name: NAMES.chief },
      rep1: { name: NAMES.rep1 },
      rep2: { name: NAMES.rep2 },
      hrrep: { department: 'HR', name: NAMES.hrrep },
      other: { name: NAMES.other },
      otherrep: { name: NAMES.otherrep },
      moved: { name: NAMES.moved },
      gone: { name: NAMES.gone },
      erased: { name: NAMES.erased },
      colleague: { name: NAMES.colleague },
      nobody: { name: NAMES.nobody, role: 'admin' },
      ...Object.fromEntries(['top', ...CHAIN].map((key) => [key, { name: NAMES[key], department: 'Ops' }])),
    },
    prepare: async (db, ids) => {
      const q = rawDrizzle(db);
      const report = async (who: string, to: string) => await q.update(users).set({ managerId: ids[to]! }).where(eq(users.id, ids[who]!));
      for (const who of ['rep1', 'rep2', 'moved', 'gone', 'erased']) await report(who, 'boss');
      await report('otherrep', 'other');
      // The champion manages someone in another department; their department colleagues are not their reports.
      await report('hrrep', 'chief');
      // top ← l1 ← l2 ← … ← l6, six levels; and top reports to l2, a loop through the viewer.
      for (const [i, key] of CHAIN.entries()) await report(key, i === 0 ? 'top' : CHAIN[i - 1]!);
      await report('top', 'l2');
    },
  });
});

afterAll(async () => {
  await app?.stop();
});

async function shown(path: string, who: string): Promise<{ status: number; people: string[] }> {
  const response = await get(app.url, path, app.cookies[who]);
  const html = await response.text();
  const people = Object.keys(NAMES).filter((key) => key !== who && (html.includes(NAMES[key]!) || html.includes(app.emailOf(key))));
  return { status: response.status, people: people.sort() };
}

const denials = async (who: string): Promise<number> =>
  (
    await rawDrizzle(app.db)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'access.denied'), eq(auditLog.actorUserId, app.ids[who]!)))
  ).length;

const setUser = async (who: string, values: Partial<typeof users.$inferInsert>) => await rawDrizzle(app.db).update(users).set(values).where(eq(users.id, app.ids[who]!));

describe('My team: a manager sees exactly their reports', () => {
  it('shows the direct reports and nobody else, however the request asks for someone else', async () => {
    // Deactivated and erased reports keep their manager_id here: the page must still leave them out.
    await setUser('gone', { active: false });
    await setUser('erased', { erasedAt: new Date(0) });
    expect(await shown('/team', 'boss')).toEqual({ status: 200, people: ['moved', 'rep1', 'rep2'] });
    const asks = [
      `?manager=${app.ids.other}`,
      `?managerId=${app.ids.other}&userId=${app.ids.otherrep}`,
      `?user=${app.ids.otherrep}&as=other@example.com`,
      `?department=1&email=otherrep@example.com`,
      `?indirect=1&depth=99`,
      `?scope=all`,
      `?scope=all&manager=${app.ids.other}&depth=99`,
    ];
    for (const ask of asks) {
      for (const path of ['/team', '/en/team']) expect(await shown(`${path}${ask}`, 'boss'), `${path}${ask}`).toEqual({ status: 200, people: ['moved', 'rep1', 'rep2'] });
    }
    expect(await shown('/team', 'other')).toEqual({ status: 200, people: ['otherrep'] });
  });

  it('drops a report who moved to another manager, at once, and shows them to the new one', async () => {
    await setUser('moved', { managerId: app.ids.other! });
    expect((await shown('/team', 'boss')).people).toEqual(['rep1', 'rep2']);
    expect((await shown('/team', 'other')).people).toEqual(['moved', 'otherrep']);
  });

  it('drops a report deactivated or erased after the fact, and refuses a manager whose reports are all gone', async () => {
    await setUser('rep2', { active: false });
    expect((await shown('/team', 'boss')).people).toEqual(['rep1']);
    await setUser('rep1', { erasedAt: new Date(0) });
    const before = await denials('boss');
    const refused = await shown('/team', 'boss');
    expect(refused).toEqual({ status: 403, people: [] });
    expect(await denials('boss')).toBe(before + 1);
    // The header's link went with the last report.
    expect(await (await get(app.url, '/home', app.cookies.boss)).text()).not.toContain('href="/team"');
  });

  it('refuses someone nobody reports to, admins included (audited)', async () => {
    for (const who of ['nobody', 'colleague', 'rep1']) {
      if (!app.cookies[who]) continue;
      const before = await denials(who);
      for (const path of ['/team', '/en/team', `/team?manager=${app.ids.other}`]) expect(await shown(path, who), `${who} ${path}`).toEqual({ status: 403, people: [] });
      expect(await denials(who)).toBe(before + 3);
    }
  });

  it("keeps a champion's department scope unchanged, and their team their reports only", async () => {
    const champion = await shown('/champion', 'chief');
    expect(champion.status).toBe(200);
    // The department (Sales) as before, the report in HR not (they are on /team instead).
    expect(champion.people).toContain('colleague');
    expect(champion.people).not.toContain('hrrep');
    expect(await shown('/team', 'chief')).toEqual({ status: 200, people: ['hrrep'] });
    expect((await get(app.url, '/champion?department=999', app.cookies.chief)).status).toBe(403);
  });
});

describe('My team, all reports (?scope=all)', () => {
  it('adds reports of reports down to five levels, each person once, never the viewer, whatever the loop', async () => {
    expect(await shown('/team', 'top')).toEqual({ status: 200, people: ['l1'] });
    for (const ask of ['?scope=all', '?scope=all&depth=99', '?scope=all&scope=all', `?scope=all&manager=${app.ids.other}`]) {
      expect(await shown(`/team${ask}`, 'top'), ask).toEqual({ status: 200, people: ['l1', 'l2', 'l3', 'l4', 'l5'] });
    }
    const html = await (await get(app.url, '/en/team?scope=all', app.cookies.top)).text();
    // Each indirect report says whose report they are; the viewer's own are not labelled.
    expect(html).toContain(`Reports to ${NAMES.l3}`);
    expect(html).not.toContain(`Reports to ${NAMES.top}`);
    // One card each, and none for the viewer, though the loop leads back to them.
    expect(html.match(/id="member-\d+"/g)!.sort()).toEqual(['l1', 'l2', 'l3', 'l4', 'l5'].map((key) => `id="member-${app.ids[key]}"`).sort());
  });

  it("shows a middle manager only the people below them, never their own manager's other reports or a peer's", async () => {
    await setUser('top', { managerId: null });
    expect(await shown('/team?scope=all', 'l3')).toEqual({ status: 200, people: ['l4', 'l5', 'l6'] });
    expect(await shown('/team?scope=all', 'other')).toEqual({ status: 200, people: ['moved', 'otherrep'] });
  });

  it('still refuses someone with no direct reports, however wide the scope asked', async () => {
    for (const who of ['l6', 'colleague']) {
      const before = await denials(who);
      expect(await shown('/team?scope=all', who)).toEqual({ status: 403, people: [] });
      expect(await denials(who)).toBe(before + 1);
    }
  });
});
