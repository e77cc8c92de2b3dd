/**
 * The policy acknowledgement rate (../shared/BRIEF.md, KPIs): users who acknowledged the current
 * version of a policy ÷ active users it applies to, for the company, per department and per
 * rollout wave, with who is missing. Pure: the admin page and tests feed it rows.
 */
import type { Role } from '../users/roles.ts';
import { appliesTo, type Policy } from './policies.ts';

export interface RateUser {
  id: number;
  name: string;
  email: string;
  role: Role;
  departmentId: number | null;
  departmentName: string | null;
}

export interface RateWave {
  id: number;
  name: string;
  departmentIds: number[];
}

export interface RateRow {
  /** Department or wave id; null for users without a department (and for the company row). */
  id: number | null;
  name: string | null;
  applies: number;
  acknowledged: number;
  /** acknowledged ÷ applies; null when the policy applies to nobody here. */
  rate: number | null;
}

export interface PolicyRates {
  overall: RateRow;
  /** Departments with at least one user the policy applies to, by name; "no department" last. */
  departments: RateRow[];
  /** Every wave, in the order given, over the users of its departments. */
  waves: RateRow[];
  /** Users it applies to who have not acknowledged the current version, by department then name. */
  missing: RateUser[];
}

function row(id: number | null, name: string | null, users: RateUser[], done: ReadonlySet<number>): RateRow {
  const acknowledged = users.filter((u) => done.has(u.id)).length;
  return { id, name, applies: users.length, acknowledged, rate: users.length === 0 ? null : acknowledged / users.length };
}

/**
 * `users` are the active users; `acknowledged` the ids of those who confirmed the policy's
 * current version (older versions do not count).
 */
export function policyRates(policy: Pick<Policy, 'audience'>, users: RateUser[], acknowledged: ReadonlySet<number>, waves: RateWave[]): PolicyRates {
  const target = users.filter((u) => appliesTo(policy.audience, u));
  const byDepartment = new Map<number | null, RateUser[]>();
  for (const user of target) byDepartment.set(user.departmentId, [...(byDepartment.get(user.departmentId) ?? []), user]);
  const departments = [...byDepartment.entries()]
    .map(([id, members]) => row(id, members[0]!.departmentName, members, acknowledged))
    .sort((a, b) => (a.id === null ? 1 : b.id === null ? -1 : (a.name ?? '').localeCompare(b.name ?? '')));
  const waveRows = waves.map((wave) => {
    const ids = new Set(wave.departmentIds);
    return row(
      wave.id,
      wave.name,
      target.filter((u) => u.departmentId !== null && ids.has(u.departmentId)),
      acknowledged,
    );
  });
  const missing = target
    .filter((u) => !acknowledged.has(u.id))
    .sort((a, b) => (a.departmentName ?? '\uffff').localeCompare(b.departmentName ?? '\uffff') || a.name.localeCompare(b.name));
  return { overall: row(null, null, target, acknowledged), departments, waves: waveRows, missing };
}
