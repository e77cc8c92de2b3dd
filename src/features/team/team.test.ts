import { describe, expect, it } from 'vitest';
import type { Policy } from '../policies/policies.ts';
import { teamSummary } from './team.ts';

const tier = (tierId: string, assigned: boolean, status: 'certified' | 'expiring' | 'expired' | 'never') =>
  ({ tierId, assigned, status, state: { kind: 'never', date: null } }) as never;
const overdue = [{ tierId: 'basic', dueAt: new Date(0), completedAt: null, status: 'overdue' }] as never[];

describe('teamSummary', () => {
  it('counts people (not tiers) overdue, expiring, expired and missing a policy, and per tier the certified of the assigned', () => {
    const roster = [
      { id: 1, overdue, tiers: [tier('basic', true, 'expired'), tier('applied', true, 'expiring')] },
      { id: 2, overdue: [], tiers: [tier('basic', true, 'certified'), tier('applied', false, 'expired')] },
      { id: 3, overdue: [], tiers: [tier('basic', true, 'expiring'), tier('applied', false, 'never')] },
    ];
    const policies = new Map<number, Policy[]>([
      [1, []],
      [3, [{ id: 'ai-usage' } as Policy, { id: 'other' } as Policy]],
    ]);
    expect(teamSummary(roster, policies)).toEqual({
      people: 3,
      overdue: 1,
      expiring: 2,
      // person 2's applied tier is not assigned: it does not count
      expired: 1,
      policiesMissing: 1,
      tiers: [
        { tierId: 'basic', assigned: 3, certified: 2 },
        { tierId: 'applied', assigned: 1, certified: 1 },
      ],
    });
  });

  it('is all zeros for an empty roster', () => {
    expect(teamSummary([], new Map())).toEqual({ people: 0, overdue: 0, expiring: 0, expired: 0, policiesMissing: 0, tiers: [] });
  });
});
