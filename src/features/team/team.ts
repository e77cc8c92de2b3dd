/** The "My team" summary, from the roster the page shows (pure). */
import type { RosterEntry } from '../kpi/champion.server.ts';
import type { Policy } from '../policies/policies.ts';

export interface TeamTierSummary {
  tierId: string;
  /** Reports assigned the tier. */
  assigned: number;
  /** Of them, holding a valid certificate now (expiring ones included). */
  certified: number;
}

export interface TeamSummary {
  people: number;
  /** People with at least one overdue assignment. */
  overdue: number;
  /** People with an assigned tier's certificate expiring within 30 days / expired. */
  expiring: number;
  expired: number;
  /** People with at least one required policy not acknowledged. */
  policiesMissing: number;
  tiers: TeamTierSummary[];
}

export function teamSummary(roster: Pick<RosterEntry, 'id' | 'overdue' | 'tiers'>[], missingPolicies: ReadonlyMap<number, readonly Policy[]>): TeamSummary {
  const withStatus = (status: string): number => roster.filter((r) => r.tiers.some((tier) => tier.assigned && tier.status === status)).length;
  const tierIds = roster[0]?.tiers.map((tier) => tier.tierId) ?? [];
  return {
    people: roster.length,
    overdue: roster.filter((r) => r.overdue.length > 0).length,
    expiring: withStatus('expiring'),
    expired: withStatus('expired'),
    policiesMissing: roster.filter((r) => (missingPolicies.get(r.id)?.length ?? 0) > 0).length,
    tiers: tierIds.map((tierId) => {
      const assigned = roster.map((r) => r.tiers.find((tier) => tier.tierId === tierId)!).filter((tier) => tier.assigned);
      return { tierId, assigned: assigned.length, certified: assigned.filter((tier) => tier.status === 'certified' || tier.status === 'expiring').length };
    }),
  };
}
