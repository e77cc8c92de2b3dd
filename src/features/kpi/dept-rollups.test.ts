/**
 * The per-department roll-ups (dept-rollups.server.ts) under a seeded random sequence of the real
 * write functions on a real SQLite file: users added by an admin, by SSO sign-in (JIT) and by
 * import, moved, re-roled, deactivated, reactivated and erased; waves and assignments created and
 * deleted; lessons completed, quizzes passed and failed, certificates issued, renewed and expired.
 * After every step the roll-ups equal a rebuild from the base tables, and now and then the
 * dashboard's facts equal the full scans they replaced (the queries as they were before).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { departments, kpiCertificateEvents, kpiCertificateMonths, kpiDepartmentPairs, kpiDepartmentPeople, kpiPeople, users } from '../../../db/schema/index.ts';
import { addUserWithLink, changeUserActive, changeUserRole } from '../users/user-changes.server.ts';
import { eraseUserPersonalData } from '../users/erasure.server.ts';
import { importUsersCsv } from '../users/import.server.ts';
import { provisionSsoUser } from '../auth/sso-user.server.ts';
import { createAssignment, deleteAssignment } from '../programme/assignments.server.ts';
import { deleteWave, saveWave } from '../programme/waves.server.ts';
import { completeLesson } from '../progress/progress.server.ts';
import { settleCertificateValidity } from '../progress/certificates.server.ts';
import { startAttempt, submitAttempt } from '../quiz/attempts.server.ts';
import { loadFactsOfPeriods, periodOf } from './facts.server.ts';
import { EXPIRING_WITHIN_MS } from './certification.ts';
import { rebuildDepartmentRollupsIn } from './dept-rollups.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { rawDrizzle, type Tx } from '../../platform/db.server.ts';
import { fixedClock, setClock } from '../../platform/clock.ts';
import { monthKey } from '../../platform/dates.ts';
import { exec, rows } from '../../platform/query.ts';

const TZ = 'Asia/Tokyo';
const catalog = fixtureCatalog();
const DEPARTMENTS = ['Sales', 'HR', 'IT', '営業部'];
const ROLES = ['learner', 'learner', 'champion', 'admin'] as const;
let t: TempDb;

// A small seeded generator (mulberry32): the same sequence on every run.
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Tables = { people: string[]; pairs: string[]; state: string[]; steps: string[]; months: string[] };

async function tables(q: Tx): Promise<Tables> {
  const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    people: sorted(await q.select().from(kpiDepartmentPeople).where(sql`people <> 0`)),
    pairs: sorted(await q.select().from(kpiDepartmentPairs).where(sql`pairs <> 0 or first_passed <> 0 or passed <> 0`)),
    state: sorted(await q.select().from(kpiPeople)),
    steps: sorted(await q.select().from(kpiCertificateEvents)),
    months: sorted(await q.select().from(kpiCertificateMonths).where(sql`ever <> 0 or certified <> 0 or expiring <> 0 or expired <> 0 or completed <> 0`)),
  };
}

/** The roll-ups as a rebuild would make them, without keeping the rebuild. */
async function rebuilt(): Promise<Tables | null> {
  let snapshot: Tables | null = null;
  await t.db
    .write(async (tx) => {
      await rebuildDepartmentRollupsIn(tx, TZ);
      snapshot = await tables(tx);
      throw new Error('roll back');
    })
    .catch(() => undefined);
  return snapshot;
}

/** Headcount, tiers and pairs per department as the full scans computed them before the roll-ups. */
async function scanned(q: Tx, endMs: number, asOf: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const r of await rows<{ d: number | null; n: number }>(q, sql`select department_id d, count(*) n from users where active = 1 group by department_id`))
    out[`${r.d} headcount`] = r.n;
  for (const r of await rows<{ d: number | null; pairs: number; passed: number; first: number }>(
    q,
    sql`
    select u.department_id d, sum(p.first_at <= ${endMs}) pairs, sum(p.first_at <= ${endMs} and p.passed_at is not null and p.passed_at <= ${endMs}) passed,
      sum(case when p.first_at <= ${endMs} then p.first_passed else 0 end) first
    from quiz_pairs p join users u on u.id = p.user_id where p.first_at <= ${endMs} group by u.department_id`,
  )) {
    if (r.pairs > 0) out[`${r.d} pairs`] = [r.pairs, r.passed, r.first];
  }
  for (const r of await rows<{ d: number | null; t: string; firsts: string | null; n: number; ever: number; certified: number; expiring: number; expired: number }>(
    q,
    sql`
    select u.department_id d, p.tier_id t, group_concat(f.issued_at) firsts, count(*) n, count(c.id) ever,
      coalesce(sum(c.id is not null and (c.valid_until is null or c.valid_until > ${asOf})), 0) certified,
      coalesce(sum(c.valid_until > ${asOf} and c.valid_until <= ${asOf + EXPIRING_WITHIN_MS}), 0) expiring,
      coalesce(sum(c.valid_until <= ${asOf}), 0) expired
    from (select distinct e.user_id, a.tier_id from assignment_enrolments e join assignments a on a.id = e.assignment_id) p
    join users u on u.id = p.user_id and u.active = 1
    left join certificates f on f.user_id = p.user_id and f.tier_id = p.tier_id and f.issued_at <= ${endMs}
      and f.cycle = (select min(m.cycle) from certificates m where m.user_id = p.user_id and m.tier_id = p.tier_id)
    left join certificates c on c.user_id = p.user_id and c.tier_id = p.tier_id
      and c.cycle = (select max(m.cycle) from certificates m where m.user_id = p.user_id and m.tier_id = p.tier_id and m.issued_at <= ${asOf})
    group by u.department_id, p.tier_id`,
  )) {
    const firsts: Record<string, number> = {};
    for (const first of r.firsts === null ? [] : r.firsts.split(',')) {
      const month = monthKey(new Date(Number(first)), TZ);
      firsts[month] = (firsts[month] ?? 0) + 1;
    }
    out[`${r.d} ${r.t}`] = [r.n, firsts, r.ever, r.certified, r.expiring, r.expired];
  }
  return out;
}

/** The same figures from the dashboard's facts for a period ending with `last`, with certificates as at `at`. */
async function loaded(last: string, at: number): Promise<{ facts: Record<string, unknown>; scan: Record<string, unknown> }> {
  const period = periodOf(monthKeyMinus(last, 2), last, TZ);
  const baseline = periodOf(monthKeyMinus(last, 5), monthKeyMinus(last, 3), TZ);
  const [facts, base] = await loadFactsOfPeriods(t.db, [period, baseline], at, { questionsOfFirstOnly: true });
  const out: Record<string, unknown> = {};
  const scanOut: Record<string, unknown> = {};
  for (const [p, all] of [
    [period, facts!],
    [baseline, base!],
  ] as const) {
    const endMs = p.monthEnds.at(-1)!;
    const tag = p === period ? 'range' : 'baseline';
    for (const [k, v] of Object.entries(await t.db.read(async (q) => await scanned(q, endMs, Math.min(at, endMs))))) scanOut[`${tag} ${k}`] = v;
    for (const f of all) {
      if (f.headcount > 0) out[`${tag} ${f.departmentId} headcount`] = f.headcount;
      if (f.quiz.pairs > 0) out[`${tag} ${f.departmentId} pairs`] = [f.quiz.pairs, f.quiz.pairsPassed, f.quiz.pairsFirstPassed];
      for (const [tier, x] of Object.entries(f.tiers)) {
        out[`${tag} ${f.departmentId} ${tier}`] = [x.assigned, x.completedByMonth, x.ever, x.certified, x.expiring, x.expired];
      }
    }
  }
  return { facts: out, scan: scanOut };
}

function monthKeyMinus(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) - n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

beforeAll(() => {
  t = tempDb();
});
afterAll(() => {
  setClock(null);
  t?.cleanup();
});

describe('department roll-ups', () => {
  it('equal a rebuild after every write, and give the full scans’ figures', { timeout: 120_000 }, async () => {
    const rand = random(17);
    // Its own sequence, so the checks of time passing and the migrated certificates leave the writes' sequence as it was.
    const later = random(99);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    let clock = new Date('2026-06-01T01:00:00Z').getTime();
    setClock(fixedClock(clock));
    const adminId = await addUser(t.db, { email: 'root@x.jp', role: 'admin', department: 'IT' });
    const caller = { actor: { id: adminId, email: 'root@x.jp' }, ip: null };
    const q = rawDrizzle(t.db);
    const people = async (): Promise<{ id: number; email: string; displayName: string; active: boolean; erasedAt: Date | null }[]> =>
      await q.select({ id: users.id, email: users.email, displayName: users.displayName, active: users.active, erasedAt: users.erasedAt }).from(users);
    const departmentIds = async (): Promise<number[]> => (await q.select({ id: departments.id }).from(departments)).map((d) => d.id);
    const quizzes = catalog.tiers.flatMap((tier) => tier.courses.map((c) => ({ tier: tier.id, lessons: c.lessons.map((l) => l.id), quiz: c.quizzes[0]! })));
    const waves: number[] = [];
    const subjects: number[] = [];
    const done = new Map<string, number>();
    const assignmentIds: number[] = [];
    let n = 0;
    const ops: Record<string, () => Promise<unknown>> = {
      add: () => addUserWithLink(t.db, caller, { email: `u${++n}@x.jp`, name: `U${n}`, department: pick(DEPARTMENTS), role: pick(ROLES) }),
      sso: async () => {
        const k = rand() < 0.6 && subjects.length > 0 ? pick(subjects) : ++n;
        subjects.push(k);
        const department = rand() < 0.2 ? null : pick(DEPARTMENTS);
        const result = await provisionSsoUser(t.db, 'https://idp.example', { subject: `s${k}`, email: `sso${k}@x.jp`, displayName: `S${k}`, department, role: undefined });
        if (result.status === 'updated' && result.changes.department) done.set('sso-move', (done.get('sso-move') ?? 0) + 1);
      },
      move: async () => changeUserRole(t.db, caller, pick(await people()).id, { role: pick(ROLES), departmentId: rand() < 0.15 ? null : pick(await departmentIds()) }),
      active: async () => changeUserActive(t.db, caller, pick(await people()).id, rand() < 0.5),
      erase: async () => {
        const person = pick((await people()).filter((p) => p.id !== adminId && p.erasedAt === null));
        return person ? eraseUserPersonalData(t.db, caller, person.id, person.email) : Promise.resolve();
      },
      import: () => {
        const lines = Array.from(
          { length: 1 + Math.floor(rand() * 3) },
          () => `u${rand() < 0.5 && n > 0 ? Math.ceil(rand() * n) : ++n}@x.jp,I${n},${pick(DEPARTMENTS)},${pick(ROLES.slice(0, 3))}`,
        );
        return importUsersCsv(t.db, new TextEncoder().encode(`email,name,department,role\n${[...new Set(lines)].join('\n')}\n`), { update: true });
      },
      wave: async () => {
        if (waves.length > 0 && rand() < 0.4) return deleteWave(t.db, waves.splice(Math.floor(rand() * waves.length), 1)[0]!);
        const ids = (await departmentIds()).filter(() => rand() < 0.5);
        waves.push(await saveWave(t.db, { name: `W${++n}`, position: n, startDate: '2026-01-01', endDate: '2027-12-31', description: null, departmentIds: ids, targets: [] }));
      },
      assignment: async () => {
        if (assignmentIds.length > 0 && rand() < 0.4) return deleteAssignment(t.db, assignmentIds.splice(Math.floor(rand() * assignmentIds.length), 1)[0]!);
        const r = rand();
        const target =
          r < 0.4
            ? { kind: 'department' as const, departmentId: pick(await departmentIds()) }
            : r < 0.8
              ? { kind: 'role' as const, role: pick(ROLES) }
              : { kind: 'everyone' as const };
        assignmentIds.push(await createAssignment(t.db, { tierId: pick(['basic', 'applied'] as const), target, due: { kind: 'none' }, validForMonths: 1, createdBy: adminId }));
      },
      learn: async () => {
        // Half the time someone again: who failed the quiz (a later pass), or holds a certificate (renewals).
        const failed = rand() < 0.5;
        const held = failed
          ? await rows<{ u: number; t: string }>(
              q,
              sql`select p.user_id u, p.quiz_id t from quiz_pairs p join users on users.id = p.user_id where users.active = 1 and p.passed_at is null`,
            )
          : await rows<{ u: number; t: string }>(q, sql`select c.user_id u, c.tier_id t from certificates c join users on users.id = c.user_id where users.active = 1`);
        const again = held.length > 0 && rand() < 0.5 ? pick(held) : null;
        const person = again ? (await people()).find((p) => p.id === again.u) : pick((await people()).filter((p) => p.active));
        const course = again ? (quizzes.find((c) => c.tier === again.t || c.quiz.id === again.t) ?? pick(quizzes)) : pick(quizzes);
        if (!person) return;
        for (const lesson of course.lessons) await completeLesson(t.db, catalog, person, lesson, TZ, new Date(clock));
        const started = await startAttempt(t.db, catalog, person.id, course.quiz, new Date(clock));
        if (started.status !== 'started' && started.status !== 'resumed') return;
        const right = rand() < 0.6;
        const answers = new Map(course.quiz.questions.map((x) => [x.id, right ? x.correctOptionIds : [x.optionIds.find((o) => !x.correctOptionIds.includes(o))!]]));
        await submitAttempt(t.db, catalog, person, course.quiz, started.attemptId, answers, TZ, new Date(clock));
      },
      expire: async () => {
        // Some certificates as if from before their tier had a validity (migrated ones), which the
        // start settles from the tier's: a base-table write, then the write path that follows it.
        for (const { id } of (await rows<{ id: number }>(q, sql`select id from certificates order by id`)).filter(() => later() < 0.3)) {
          await exec(q, sql`update certificates set valid_until = null where id = ${id}`);
        }
        return settleCertificateValidity(t.db, catalog, TZ);
      },
    };
    const weights: [string, number][] = [
      ['add', 5],
      ['sso', 3],
      ['move', 4],
      ['active', 2],
      ['erase', 1],
      ['import', 2],
      ['wave', 1],
      ['assignment', 1],
      ['learn', 8],
      ['expire', 1],
    ];
    const bag = weights.flatMap(([op, w]) => Array<string>(w).fill(op));
    for (let step = 0; step < 200; step++) {
      clock += Math.floor(rand() * 9 * 86_400_000);
      setClock(fixedClock(clock));
      const op = pick(bag);
      await ops[op]!();
      done.set(op, (done.get(op) ?? 0) + 1);
      const incremental = await t.db.read(async (tx) => await tables(tx));
      expect(incremental, `after step ${step} (${op})`).toEqual(await rebuilt());
      if (step % 15 === 14) {
        const { facts, scan } = await loaded(monthKey(new Date(clock), TZ), clock);
        expect(facts, `facts after step ${step}`).toEqual(scan);
        // Time passes without a write: certificates expire, the standing moves with the clock.
        for (const days of [1 + later() * 20, 25 + later() * 40, 70 + later() * 300]) {
          const when = clock + Math.floor(days * 86_400_000);
          const moved = await loaded(monthKey(new Date(when), TZ), when);
          expect(moved.facts, `facts ${Math.floor(days)} days after step ${step}`).toEqual(moved.scan);
        }
      }
    }
    // …and through the cases that matter: renewals, expiries, deactivation, erasure, no department, a pass after a failed first attempt.
    const [seen] = await rows<Record<string, number>>(
      q,
      sql`select (select count(*) from certificates where cycle > 1) renewed,
      (select count(*) from certificates where valid_until <= ${clock}) expired, (select count(*) from users where active = 0) inactive,
      (select count(*) from users where erased_at is not null) erased, (select count(*) from users where department_id is null) nodept,
      (select count(*) from quiz_pairs where passed_at is not null and not first_passed) laterpass`,
    );
    for (const [k, v] of Object.entries(seen!)) expect(v, k).toBeGreaterThan(0);
    // The sequence did reach every write path, and there is something to count.
    expect([...done.keys()].sort()).toEqual([...weights.map(([op]) => op), 'sso-move'].sort());
    const final = await t.db.read(async (tx) => await tables(tx));
    expect(final.pairs.length).toBeGreaterThan(3);
    expect(final.people.length).toBeGreaterThan(8);
    const { facts } = await loaded(monthKey(new Date(clock), TZ), clock);
    expect(Object.values(facts).some((v) => Array.isArray(v) && Object.keys(v[1] as object).length > 0)).toBe(true);
    expect(final.steps.length).toBeGreaterThan(3);
  });
});
