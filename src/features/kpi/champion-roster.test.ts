/**
 * The paged roster of a big department, on a real SQLite file with the real migrations: 420
 * people (expired, expiring and valid certificates, overdue champions, people who never started,
 * some lessons done) beside a small department. Every page is cut from one total order (no gaps,
 * no repeats, in every sort and direction); the whole-department pass tells the same story as the
 * full records of each page; out-of-range pages and unknown sorts fall back to clear defaults; and
 * the department's neighbours never appear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, lessonCompletions } from '../../../db/schema/index.ts';
import { rawDrizzle } from '../../platform/db.server.ts';
import { tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { createAssignment, ensureDefaultAssignments, syncEnrolments } from '../programme/assignments.server.ts';
import { createUser, ensureDepartment } from '../users/users.server.ts';
import { championView, type ChampionView } from './champion.server.ts';
import { compareRows, parseRosterQuery, ROSTER_PAGE_SIZE, ROSTER_PAGE_THRESHOLD, ROSTER_SORTS, rosterPage, type RosterQuery, type TriageRow } from './champion-roster.ts';

const TZ = 'Asia/Tokyo';
const DAY = 86_400_000;
const NOW = new Date('2027-03-01T03:00:00Z');
const BIG = 420;
const catalog = fixtureCatalog();
let t: TempDb;
let big: number;
let small: number;
const smallIds = new Set<number>();

const view = (departmentId: number, query: Partial<RosterQuery> = {}): Promise<ChampionView> =>
  championView(t.db, catalog, departmentId, TZ, NOW, { sort: 'action', dir: 'asc', page: 1, ...query });

beforeAll(async () => {
  t = tempDb();
  const lessons = catalog.tiers[0]!.id === 'basic' ? catalog.allLessons().slice(0, 3) : [];
  const q = rawDrizzle(t.db);
  let code = 0;
  const certificate = async (userId: number, issuedAt: Date, validUntil: Date | null): Promise<void> => {
    await q.insert(certificates).values({ code: `c${String(code++).padStart(23, '0')}`, userId, tierId: 'basic', cycle: 1, holderName: 'x', issuedAt, validUntil });
  };
  const people = await t.db.write(async (tx) => {
    big = await ensureDepartment(tx, 'Big');
    small = await ensureDepartment(tx, 'Small');
    const ids: number[] = [];
    // Names repeat (every 50th person shares a name) so that ties must be broken by email and id.
    for (let i = 0; i < BIG; i++)
      ids.push(
        await createUser(tx, {
          email: `p${String(i).padStart(3, '0')}@big.example`,
          displayName: `Person ${i % 50}`,
          role: i % 15 === 4 ? 'champion' : 'learner',
          departmentId: big,
          passwordHash: null,
        }),
      );
    for (let i = 0; i < 5; i++)
      smallIds.add(await createUser(tx, { email: `s${i}@small.example`, displayName: `Small ${i}`, role: 'learner', departmentId: small, passwordHash: null }));
    return ids;
  });
  await ensureDefaultAssignments(q);
  await syncEnrolments(q, NOW);
  // Applied for champions, due a month ago: the big department's champions are overdue.
  await createAssignment(t.db, { tierId: 'applied', target: { kind: 'role', role: 'champion' }, due: { kind: 'date', date: '2027-02-01' }, createdBy: people[0]! }, null, NOW);
  for (const [i, id] of people.entries()) {
    if (i % 9 === 0) await certificate(id, new Date('2025-12-01T03:00:00Z'), new Date('2026-12-01T03:00:00Z'));
    if (i % 9 === 1) await certificate(id, new Date('2026-03-11T03:00:00Z'), new Date(NOW.getTime() + 10 * DAY));
    if (i % 9 === 2) await certificate(id, new Date('2026-09-01T03:00:00Z'), new Date('2027-09-01T03:00:00Z'));
    if (i % 9 === 3) continue; // never started
    const done = lessons.slice(0, i % (lessons.length + 1));
    if (done.length > 0) await q.insert(lessonCompletions).values(done.map((l, k) => ({ userId: id, lessonId: l.id, completedAt: new Date(NOW.getTime() - (i + k) * 3_600_000) })));
  }
});

afterAll(() => t?.cleanup());

describe('the paged roster of a big department', () => {
  it('pages a department over the threshold, and shows a small one whole as before', async () => {
    expect(BIG).toBeGreaterThan(ROSTER_PAGE_THRESHOLD);
    const first = await view(big);
    expect(first.headcount).toBe(BIG);
    expect(first.paged).not.toBeNull();
    expect(first.roster).toHaveLength(ROSTER_PAGE_SIZE);
    expect(first.paged!.pages).toBe(Math.ceil(BIG / ROSTER_PAGE_SIZE));
    expect(first.paged!.counts.reduce((n, c) => n + c.count, 0)).toBe(BIG);
    const whole = await view(small);
    expect(whole.paged).toBeNull();
    expect(new Set(whole.roster.map((r) => r.id))).toEqual(smallIds);
  });

  it('puts the people who need action first: overdue, expired, expiring, not started', async () => {
    const first = await view(big);
    const counts = Object.fromEntries(first.paged!.counts.map((c) => [c.status, c.count]));
    expect(counts.overdue).toBe(28);
    expect(counts.notStarted).toBeGreaterThan(0);
    expect(counts.expired).toBeGreaterThan(0);
    expect(counts.expiring).toBeGreaterThan(0);
    const statuses = first.paged!.rows.map((r) => r.status);
    expect(statuses.slice(0, 28).every((s) => s === 'overdue')).toBe(true);
    expect(statuses[28]).toBe('expired');
    // The expiry counts per tier, from the same pass (the dashboard's rule: assigned tiers only).
    const every = (r: number): number => Array.from({ length: BIG }, (_, i) => i).filter((i) => i % 9 === r).length;
    expect(first.expiryCounts.find((c) => c.tierId === 'basic')).toEqual({ tierId: 'basic', expiring: every(1), expired: every(0) });
  });

  it('covers everyone exactly once over the pages, in every sort and direction, in one total order', async () => {
    for (const sort of ROSTER_SORTS)
      for (const dir of ['asc', 'desc'] as const) {
        const seen: TriageRow[] = [];
        const pages = (await view(big, { sort, dir })).paged!.pages;
        for (let page = 1; page <= pages; page++) seen.push(...(await view(big, { sort, dir, page })).paged!.rows);
        expect(seen, `${sort} ${dir}`).toHaveLength(BIG);
        expect(new Set(seen.map((r) => r.id)).size, `${sort} ${dir}`).toBe(BIG);
        const order = compareRows(sort, dir);
        for (let i = 1; i < seen.length; i++) expect(order(seen[i - 1]!, seen[i]!), `${sort} ${dir} at ${i}`).toBeLessThan(0);
      }
  });

  it('tells the same story in the whole-department pass as in the full records of each page', async () => {
    const pages = (await view(big)).paged!.pages;
    for (let page = 1; page <= pages; page++) {
      const v = await view(big, { page });
      expect(v.roster.map((r) => r.id)).toEqual(v.paged!.rows.map((r) => r.id));
      v.roster.forEach((entry, i) => {
        const row = v.paged!.rows[i]!;
        const assigned = entry.tiers.filter((tier) => tier.assigned);
        expect(row.status === 'overdue', entry.email).toBe(entry.overdue.length > 0);
        if (row.status === 'expired') expect(assigned.some((tier) => tier.status === 'expired')).toBe(true);
        if (row.status === 'expiring') expect(assigned.some((tier) => tier.status === 'expiring')).toBe(true);
        if (row.status === 'notStarted') expect(entry.progress.tiers.every((tp) => tp.lessonsDone === 0) && entry.attempts === 0).toBe(true);
        // Progress sorts by the lessons ever completed: the same as shown until a renewal starts a new cycle.
        if (entry.tiers.every((tier) => tier.status !== 'expired')) expect(row.lessons, entry.email).toBe(entry.progress.tiers.reduce((n, tp) => n + tp.lessonsDone, 0));
      });
    }
  });

  it('sorts by last activity with the full records’ dates, the most recent first', async () => {
    const v = await view(big, { sort: 'lastActivity', dir: 'desc' });
    v.roster.forEach((entry, i) => {
      expect(v.paged!.rows[i]!.lastActivityAt).toBe(entry.lastActivityAt?.getTime() ?? null);
    });
    const dates = v.paged!.rows.map((r) => r.lastActivityAt ?? 0);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });

  it('clamps an out-of-range page to the last one and never leaves the department', async () => {
    const last = await view(big, { page: 999 });
    expect(last.paged!.query.page).toBe(last.paged!.pages);
    expect(last.roster).toHaveLength(BIG - (last.paged!.pages - 1) * ROSTER_PAGE_SIZE);
    for (const page of [1, 2, 3, 4, 5, 999]) for (const r of (await view(big, { page })).roster) expect(smallIds.has(r.id)).toBe(false);
  });
});

describe('the roster query', () => {
  const parse = (s: string): RosterQuery => parseRosterQuery(new URLSearchParams(s));

  it('falls back to a clear default for anything it does not know', () => {
    expect(parse('')).toEqual({ sort: 'action', dir: 'asc', page: 1 });
    expect(parse('sort=salary&dir=sideways&page=-3')).toEqual({ sort: 'action', dir: 'asc', page: 1 });
    expect(parse('sort=lastActivity')).toEqual({ sort: 'lastActivity', dir: 'desc', page: 1 });
    expect(parse('sort=name&dir=desc&page=2')).toEqual({ sort: 'name', dir: 'desc', page: 2 });
    for (const page of ['abc', '1.5', '0', '-2', '1e99', '', ' 2', '0x10']) expect(parse(`page=${page}`).page, page).toBe(1);
    // A number past any real page is capped; the roster then shows its last page.
    expect(parse(`page=${'9'.repeat(400)}`).page).toBe(1_000_000);
    expect(parse('page=007').page).toBe(7);
  });

  it('cuts an empty department into one empty page', () => {
    expect(rosterPage([], { sort: 'name', dir: 'asc', page: 7 })).toMatchObject({ pages: 1, total: 0, offset: 0, rows: [], query: { page: 1 } });
  });
});
