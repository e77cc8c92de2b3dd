/**
 * A line manager's "My team" page (issue 19 item 4): the people whose `users.manager_id` is the
 * viewer's (active, not erased) with the champion roster's progress, overdue assignments and
 * certificate states, plus the required policies each has still to acknowledge; with `?scope=all`
 * their reports too, down to MAX_TEAM_DEPTH levels. Deny by default: a viewer nobody reports to
 * is refused (audited), and the people are found from the viewer down, never from a request
 * parameter (the only one says how far down, not from whom).
 */
import { sql } from 'drizzle-orm';
import type { Catalog } from '../curriculum/catalog.ts';
import type { Db } from '../../platform/db.server.ts';
import { audit } from '../audit/audit.server.ts';
import { rosterView, type RosterView } from '../kpi/champion.server.ts';
import { getPolicyCatalog } from '../policies/catalog.server.ts';
import { type Acknowledged, pendingPolicies, type Policy } from '../policies/policies.ts';
import type { Role } from '../users/roles.ts';
import { teamSummary, type TeamSummary } from './team.ts';
import { rows as queryRows, jsonIds } from '../../platform/query.ts';

interface Viewer {
  id: number;
  email: string;
  role: Role;
}

/** Direct reports only, or everyone below the viewer up to MAX_TEAM_DEPTH levels (`?scope=all`). */
export type TeamScope = 'direct' | 'all';

/** How far "all reports" reaches: a manager's manager's … five levels down. */
export const MAX_TEAM_DEPTH = 5;

export type TeamPage =
  | { denied: true }
  | {
      denied: false;
      scope: TeamScope;
      view: RosterView;
      missingPolicies: Map<number, Policy[]>;
      summary: TeamSummary;
      /** With `all`: each indirect report's manager's name, by the report's id (direct reports are the viewer's). */
      managers: Map<number, string>;
    };

/** The ids of the viewer's direct reports: active and not erased (a deactivated or moved person is not theirs). */
export async function directReports(db: Db, managerId: number): Promise<number[]> {
  return db.read(async (q) =>
    (await queryRows<{ id: number }>(q, sql`select id from users where manager_id = ${managerId} and active and erased_at is null order by id`)).map((r) => r.id),
  );
}

/**
 * Everyone below the viewer, level by level (active, not erased, as direct reports), at most
 * `MAX_TEAM_DEPTH` levels and each person once: a loop in the reporting lines (SCIM writes what
 * the directory says) ends the walk instead of repeating it, and never reaches back to the viewer.
 */
export async function allReports(db: Db, managerId: number): Promise<{ id: number; managerName: string; depth: number }[]> {
  return db.read(async (q) => {
    const seen = new Set<number>([managerId]);
    const out: { id: number; managerName: string; depth: number }[] = [];
    let level = [managerId];
    for (let depth = 1; depth <= MAX_TEAM_DEPTH && level.length > 0; depth++) {
      const rows = await queryRows<{ id: number; managerName: string }>(
        q,
        sql`select u.id, m.display_name "managerName" from users u join users m on m.id = u.manager_id
            where u.manager_id in (${jsonIds(q, JSON.stringify(level))}) and u.active and u.erased_at is null order by u.id`,
      );
      level = [];
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        out.push({ ...row, depth });
        level.push(row.id);
      }
    }
    return out;
  });
}

/** Per report, the required policies that apply to them and wait for their acknowledgement of the current version. */
async function missingPoliciesOf(db: Db, userIds: number[]): Promise<Map<number, Policy[]>> {
  const catalog = await getPolicyCatalog();
  const out = new Map<number, Policy[]>();
  if (catalog.policies.length === 0 || userIds.length === 0) return out;
  const ids = JSON.stringify(userIds);
  const { readers, acknowledged } = await db.read(async (q) => ({
    readers: await queryRows<{ id: number; role: Role; departmentName: string | null }>(
      q,
      sql`select u.id, u.role, d.name "departmentName" from users u left join departments d on d.id = u.department_id where u.id in (${jsonIds(q, ids)})`,
    ),
    acknowledged: await queryRows<Acknowledged & { userId: number }>(
      q,
      sql`select user_id "userId", policy_id "policyId", version from policy_acknowledgements where user_id in (${jsonIds(q, ids)})`,
    ),
  }));
  for (const reader of readers) {
    out.set(
      reader.id,
      pendingPolicies(
        catalog,
        reader,
        acknowledged.filter((a) => a.userId === reader.id),
      ),
    );
  }
  return out;
}

/** The page's data; `denied` (audited) when nobody reports to the viewer. */
export async function loadTeamPage(db: Db, catalog: Catalog, viewer: Viewer, context: { ip: string | null; timeZone: string; scope?: TeamScope }): Promise<TeamPage> {
  const direct = await directReports(db, viewer.id);
  if (direct.length === 0) {
    await db.write(async (tx) => await audit(tx, { actor: viewer, action: 'access.denied', target: { type: 'team', id: viewer.id }, details: { route: '/team' }, ip: context.ip }));
    return { denied: true };
  }
  const scope = context.scope ?? 'direct';
  const below = scope === 'all' ? await allReports(db, viewer.id) : [];
  const reports = scope === 'all' ? below.map((r) => r.id) : direct;
  const managers = new Map(below.filter((r) => r.depth > 1).map((r) => [r.id, r.managerName]));
  const view = await rosterView(db, catalog, { userIds: reports }, context.timeZone);
  const missingPolicies = await missingPoliciesOf(db, reports);
  return { denied: false, scope, view, missingPolicies, summary: teamSummary(view.roster, missingPolicies), managers };
}
