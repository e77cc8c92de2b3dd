/**
 * A line manager's "My team" page (issue 19 item 4): the people whose `users.manager_id` is the
 * viewer's (active, not erased) with the champion roster's progress, overdue assignments and
 * certificate states, plus the required policies each has still to acknowledge. Deny by
 * default: a viewer nobody reports to is refused (audited), and the scope is the reports' ids,
 * never a request parameter.
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

interface Viewer {
  id: number;
  email: string;
  role: Role;
}

export type TeamPage = { denied: true } | { denied: false; view: RosterView; missingPolicies: Map<number, Policy[]>; summary: TeamSummary };

/** The ids of the viewer's direct reports: active and not erased (a deactivated or moved person is not theirs). */
export async function directReports(db: Db, managerId: number): Promise<number[]> {
  return db.read((q) => q.all<{ id: number }>(sql`select id from users where manager_id = ${managerId} and active = 1 and erased_at is null order by id`).map((r) => r.id));
}

/** Per report, the required policies that apply to them and wait for their acknowledgement of the current version. */
async function missingPoliciesOf(db: Db, userIds: number[]): Promise<Map<number, Policy[]>> {
  const catalog = await getPolicyCatalog();
  const out = new Map<number, Policy[]>();
  if (catalog.policies.length === 0 || userIds.length === 0) return out;
  const ids = JSON.stringify(userIds);
  const { readers, acknowledged } = await db.read((q) => ({
    readers: q.all<{ id: number; role: Role; departmentName: string | null }>(
      sql`select u.id, u.role, d.name departmentName from users u left join departments d on d.id = u.department_id where u.id in (select value from json_each(${ids}))`,
    ),
    acknowledged: q.all<Acknowledged & { userId: number }>(
      sql`select user_id userId, policy_id policyId, version from policy_acknowledgements where user_id in (select value from json_each(${ids}))`,
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
export async function loadTeamPage(db: Db, catalog: Catalog, viewer: Viewer, context: { ip: string | null; timeZone: string }): Promise<TeamPage> {
  const reports = await directReports(db, viewer.id);
  if (reports.length === 0) {
    await db.write((tx) => audit(tx, { actor: viewer, action: 'access.denied', target: { type: 'team', id: viewer.id }, details: { route: '/team' }, ip: context.ip }));
    return { denied: true };
  }
  const view = await rosterView(db, catalog, { userIds: reports }, context.timeZone);
  const missingPolicies = await missingPoliciesOf(db, reports);
  return { denied: false, view, missingPolicies, summary: teamSummary(view.roster, missingPolicies) };
}
