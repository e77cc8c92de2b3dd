/** The admin's policy page (`/admin/policies`): per policy, the current version's rates and who is missing, and the count per version. */
import { and, asc, count, eq } from 'drizzle-orm';
import { departments, policyAcknowledgements, users, waveDepartments, waves } from '../../../db/schema/index.ts';
import type { Db } from '../../platform/db.server.ts';
import { getPolicyCatalog } from './catalog.server.ts';
import type { Policy } from './policies.ts';
import { policyRates, type PolicyRates, type RateUser, type RateWave } from './rates.ts';

/** The page lists this many missing people per policy; the CSV export has every acknowledgement. */
export const MISSING_SHOWN = 200;

export interface PolicyReport {
  policy: Policy;
  rates: PolicyRates;
  /** Acknowledgements recorded per version, newest version first (history included). */
  versions: { version: number; count: number }[];
}

export async function loadPolicyAdminPage(db: Db): Promise<{ reports: PolicyReport[]; hasWaves: boolean }> {
  const catalog = await getPolicyCatalog();
  if (catalog.policies.length === 0) return { reports: [], hasWaves: false };
  const { people, waveList, acknowledged, perVersion } = await db.read(async (q) => {
    const people: RateUser[] = await q
      .select({ id: users.id, name: users.displayName, email: users.email, role: users.role, departmentId: users.departmentId, departmentName: departments.name })
      .from(users)
      .leftJoin(departments, eq(departments.id, users.departmentId))
      .where(eq(users.active, true));
    const members = await q.select().from(waveDepartments);
    const waveList: RateWave[] = (await q.select({ id: waves.id, name: waves.name }).from(waves).orderBy(asc(waves.position), asc(waves.id))).map((w) => ({
      ...w,
      departmentIds: members.filter((m) => m.waveId === w.id).map((m) => m.departmentId),
    }));
    const acknowledged = new Map<string, Set<number>>();
    for (const policy of catalog.policies) {
      const rows = await q
        .select({ userId: policyAcknowledgements.userId })
        .from(policyAcknowledgements)
        .where(and(eq(policyAcknowledgements.policyId, policy.id), eq(policyAcknowledgements.version, policy.version)));
      acknowledged.set(policy.id, new Set(rows.map((r) => r.userId)));
    }
    const perVersion = await q
      .select({ policyId: policyAcknowledgements.policyId, version: policyAcknowledgements.version, count: count() })
      .from(policyAcknowledgements)
      .groupBy(policyAcknowledgements.policyId, policyAcknowledgements.version);
    return { people, waveList, acknowledged, perVersion };
  });
  const reports = catalog.policies.map((policy) => ({
    policy,
    rates: policyRates(policy, people, acknowledged.get(policy.id)!, waveList),
    versions: perVersion
      .filter((v) => v.policyId === policy.id)
      .map(({ version, count }) => ({ version, count }))
      .sort((a, b) => b.version - a.version),
  }));
  return { reports, hasWaves: waveList.length > 0 };
}
