/**
 * Certificate standing as roll-ups (db/schema/kpi.ts), so the dashboard's certified / expiring /
 * expired / ever / first-completed counts cost the same whatever the number of certificates.
 *
 * Where a person stands for a tier is a step function of the moment t (certification.ts): their
 * newest certificate issued by t decides (certified while t < valid_until, expiring in its last
 * 30 days, expired after), "ever" from their first issue, "completed" from their first cycle's
 * issue. Each step is stored as a +1/−1 at its moment (kpi_certificate_events), and the steps of
 * the people counted (kpi_people: active, assigned the tier) are summed per department, tier and
 * month (kpi_certificate_months). The standing at a month's end is the sum of the months up to
 * it; at any other moment, the months before plus that month's steps up to the moment. Nothing
 * depends on when it was written: a certificate expiring tomorrow has its step stored already.
 *
 * A write that issues or changes certificates calls `syncCertificateEvents`; `refreshPeople`
 * (dept-rollups.server.ts) moves a person's steps when their department, activity or tiers change.
 */
import { sql } from 'drizzle-orm';
import { kpiCertificateEvents, kpiCertificateMonths, kpiPeople } from '../../../db/schema/index.ts';
import type { Tx } from '../../platform/db.server.ts';
import { addMonths, startOfMonth } from '../../platform/dates.ts';
import { EXPIRING_WITHIN_MS } from './certification.ts';
import { monthOf } from './rollup-month.ts';
import { exec, first, rows as queryRows } from '../../platform/query.ts';

type Steps = [ever: number, certified: number, expiring: number, expired: number, completed: number];

interface Cert {
  tierId: string;
  cycle: number;
  issuedAt: number;
  validUntil: number | null;
}

/** Who a person counts for: `kpi_people`'s row (department 0: none). */
interface Counted {
  departmentId: number;
  active: boolean;
  tiers: string;
}

function counts(person: Counted | null, tierId: string): boolean {
  if (!person?.active) return false;
  return person.tiers.split(',').includes(tierId);
}

/** The earlier of two ends (null: none). */
const min = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

/** One person's steps, keyed `tier|at`, from their certificates (any order). */
function stepsOf(certs: readonly Cert[]): Map<string, Steps> {
  const steps = new Map<string, Steps>();
  const step = (tierId: string, at: number, measure: number, sign: number): void => {
    const key = `${tierId}|${at}`;
    let s = steps.get(key);
    if (!s) steps.set(key, (s = [0, 0, 0, 0, 0]));
    s[measure]! += sign;
  };
  // [from, until): +1 at from, −1 at until (until null: for good).
  const interval = (tierId: string, measure: number, from: number, until: number | null): void => {
    if (until !== null && until <= from) return;
    step(tierId, from, measure, 1);
    if (until !== null) step(tierId, until, measure, -1);
  };
  const byTier = new Map<string, Cert[]>();
  for (const c of certs) byTier.set(c.tierId, [...(byTier.get(c.tierId) ?? []), c]);
  for (const [tierId, list] of byTier) {
    list.sort((a, b) => a.cycle - b.cycle);
    interval(tierId, 0, Math.min(...list.map((c) => c.issuedAt)), null);
    interval(tierId, 4, list[0]!.issuedAt, null);
    // Certificate k is the newest from its issue until a later cycle's is issued.
    let later: number | null = null;
    for (let k = list.length - 1; k >= 0; k--) {
      const c = list[k]!;
      const end = later;
      later = later === null ? c.issuedAt : Math.min(later, c.issuedAt);
      if (end !== null && end <= c.issuedAt) continue;
      const v = c.validUntil;
      interval(tierId, 1, c.issuedAt, min(end, v));
      if (v === null) continue;
      interval(tierId, 2, Math.max(c.issuedAt, v - EXPIRING_WITHIN_MS), min(end, v));
      interval(tierId, 3, Math.max(c.issuedAt, v), end);
    }
  }
  for (const [key, s] of steps) if (s.every((n) => n === 0)) steps.delete(key);
  return steps;
}

const certsOf = async (tx: Tx, userId: number): Promise<Cert[]> =>
  await queryRows<Cert>(tx, sql`select tier_id "tierId", cycle, issued_at "issuedAt", valid_until "validUntil" from certificates where user_id = ${userId}`);

type MonthDeltas = Map<string, Steps>;

function addSteps(into: MonthDeltas, person: Counted | null, steps: Map<string, Steps>, sign: number, timeZone: string): void {
  if (!person) return;
  for (const [key, s] of steps) {
    const [tierId, at] = key.split('|') as [string, string];
    if (!counts(person, tierId)) continue;
    const cell = `${person.departmentId}|${tierId}|${monthOf(Number(at), timeZone)}`;
    let d = into.get(cell);
    if (!d) into.set(cell, (d = [0, 0, 0, 0, 0]));
    for (let i = 0; i < 5; i++) d[i]! += sign * s[i]!;
  }
}

async function bumpMonths(tx: Tx, deltas: MonthDeltas): Promise<void> {
  const rows = [...deltas].filter(([, d]) => d.some((n) => n !== 0));
  for (let i = 0; i < rows.length; i += 200) {
    await exec(
      tx,
      sql`insert into kpi_certificate_months (department_id, tier_id, month, ever, certified, expiring, expired, completed) values ${sql.join(
        rows.slice(i, i + 200).map(([key, d]) => {
          const [department, tierId, month] = key.split('|') as [string, string, string];
          return sql`(${Number(department)}, ${tierId}, ${month}, ${d[0]}, ${d[1]}, ${d[2]}, ${d[3]}, ${d[4]})`;
        }),
        sql`, `,
      )} on conflict (department_id, tier_id, month) do update set ever = kpi_certificate_months.ever + excluded.ever,
      certified = kpi_certificate_months.certified + excluded.certified, expiring = kpi_certificate_months.expiring + excluded.expiring,
      expired = kpi_certificate_months.expired + excluded.expired, completed = kpi_certificate_months.completed + excluded.completed`,
    );
  }
}

async function insertSteps(tx: Tx, rows: { userId: number; key: string; s: Steps }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await tx.insert(kpiCertificateEvents).values(
      rows.slice(i, i + 200).map(({ userId, key, s }) => {
        const [tierId, at] = key.split('|') as [string, string];
        return { userId, tierId, at: Number(at), ever: s[0], certified: s[1], expiring: s[2], expired: s[3], completed: s[4] };
      }),
    );
  }
}

/**
 * Brings one person's steps in line with their certificates, and the month sums with who they
 * counted for (`before`) and count for now (`after`); both default to their `kpi_people` row.
 * Call inside the write's transaction, after the change. Unchanged certificates and state: no write.
 */
export async function syncCertificateEvents(tx: Tx, userId: number, timeZone: string, before?: Counted | null, after?: Counted | null): Promise<void> {
  const recorded = before === undefined || after === undefined ? (first(await tx.select().from(kpiPeople).where(sql`${kpiPeople.userId} = ${userId}`)) ?? null) : null;
  const was = before === undefined ? recorded : before;
  const is = after === undefined ? recorded : after;
  const stored = new Map<string, Steps>();
  for (const r of await queryRows<{ t: string; at: number; e: number; c: number; x: number; d: number; f: number }>(
    tx,
    sql`select tier_id t, at, ever e, certified c, expiring x, expired d, completed f from kpi_certificate_events where user_id = ${userId}`,
  ))
    stored.set(`${r.t}|${r.at}`, [r.e, r.c, r.x, r.d, r.f]);
  const current = stepsOf(await certsOf(tx, userId));
  const same = stored.size === current.size && [...current].every(([k, s]) => stored.get(k)?.join() === s.join());
  const sameState = (was?.departmentId ?? null) === (is?.departmentId ?? null) && was?.active === is?.active && was?.tiers === is?.tiers;
  if (same && sameState) return;
  const deltas: MonthDeltas = new Map();
  addSteps(deltas, was, stored, -1, timeZone);
  addSteps(deltas, is, current, 1, timeZone);
  await bumpMonths(tx, deltas);
  if (same) return;
  await tx.delete(kpiCertificateEvents).where(sql`${kpiCertificateEvents.userId} = ${userId}`);
  await insertSteps(
    tx,
    [...current].map(([key, s]) => ({ userId, key, s })),
  );
}

/** Recomputes both tables from certificates and `kpi_people` (rebuild that first). */
export async function rebuildCertificateRollupsIn(tx: Tx, timeZone: string): Promise<void> {
  await tx.delete(kpiCertificateEvents);
  await tx.delete(kpiCertificateMonths);
  const people = new Map((await tx.select().from(kpiPeople)).map((p) => [p.userId, p]));
  const byUser = new Map<number, Cert[]>();
  for (const c of await queryRows<Cert & { userId: number }>(
    tx,
    sql`select user_id "userId", tier_id "tierId", cycle, issued_at "issuedAt", valid_until "validUntil" from certificates`,
  )) {
    let list = byUser.get(c.userId);
    if (!list) byUser.set(c.userId, (list = []));
    list.push(c);
  }
  const deltas: MonthDeltas = new Map();
  const rows: { userId: number; key: string; s: Steps }[] = [];
  for (const [userId, certs] of byUser) {
    const steps = stepsOf(certs);
    addSteps(deltas, people.get(userId) ?? null, steps, 1, timeZone);
    for (const [key, s] of steps) rows.push({ userId, key, s });
  }
  await insertSteps(tx, rows);
  await bumpMonths(tx, deltas);
}

/** Per department (0: none) and tier, at a moment: the standing, and first completions by month. */
export interface CertificateStanding {
  d: number;
  tierId: string;
  ever: number;
  certified: number;
  expiring: number;
  expired: number;
  /** First completions per month, months up to `lastMonth` only. */
  completedByMonth: Record<string, number>;
}

/**
 * The standing at `asOf` (ms) and first completions up to the end of `lastMonth` (asOf is no
 * later than that end): the month sums, plus the steps of asOf's month up to asOf unless asOf
 * is that month's last millisecond.
 */
export async function certificateStanding(q: Tx, lastMonth: string, asOf: number, timeZone: string): Promise<CertificateStanding[]> {
  const month = monthOf(asOf, timeZone);
  const monthStart = startOfMonth(month, timeZone).getTime();
  const atMonthEnd = asOf === startOfMonth(addMonths(month, 1), timeZone).getTime() - 1;
  const out = new Map<string, CertificateStanding>();
  const cell = (d: number, tierId: string): CertificateStanding => {
    const key = `${d}|${tierId}`;
    let c = out.get(key);
    if (!c) out.set(key, (c = { d, tierId, ever: 0, certified: 0, expiring: 0, expired: 0, completedByMonth: {} }));
    return c;
  };
  const add = (c: CertificateStanding, r: { ever: number; certified: number; expiring: number; expired: number }): void => {
    c.ever += r.ever;
    c.certified += r.certified;
    c.expiring += r.expiring;
    c.expired += r.expired;
  };
  for (const r of await queryRows<{ d: number; t: string; m: string; ever: number; certified: number; expiring: number; expired: number; completed: number }>(
    q,
    sql`select department_id d, tier_id t, month m, ever, certified, expiring, expired, completed from kpi_certificate_months where month <= ${lastMonth}`,
  )) {
    const c = cell(r.d, r.t);
    if (r.completed !== 0) c.completedByMonth[r.m] = r.completed;
    if (r.m < month || (atMonthEnd && r.m === month)) add(c, r);
  }
  if (!atMonthEnd) {
    for (const r of await queryRows<{ d: number; t: string; ever: number; certified: number; expiring: number; expired: number }>(
      q,
      sql`
      select p.department_id d, e.tier_id t, sum(e.ever) ever, sum(e.certified) certified, sum(e.expiring) expiring, sum(e.expired) expired
      from kpi_certificate_events e join kpi_people p on p.user_id = e.user_id
      where e.at >= ${monthStart} and e.at <= ${asOf} and p.active and (',' || p.tiers || ',') like ('%,' || e.tier_id || ',%')
      group by p.department_id, e.tier_id`,
    ))
      add(cell(r.d, r.t), r);
  }
  return [...out.values()].filter((c) => c.ever !== 0 || c.certified !== 0 || c.expiring !== 0 || c.expired !== 0 || Object.keys(c.completedByMonth).length > 0);
}
