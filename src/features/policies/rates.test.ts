import { describe, expect, it } from 'vitest';
import { policyRates, type RateUser } from './rates.ts';

const user = (id: number, departmentId: number | null, role: RateUser['role'] = 'learner'): RateUser => ({
  id,
  name: `User ${String(id).padStart(2, '0')}`,
  email: `u${id}@example.com`,
  role,
  departmentId,
  departmentName: departmentId === 1 ? 'Sales' : departmentId === 2 ? 'HR' : departmentId === 3 ? 'IT' : null,
});

// Sales: 4 users, 3 acknowledged (75 %); HR: 2 users, 1 (50 %); IT: 1 user, 0; no department: 1 user, 1.
const users = [user(1, 1), user(2, 1), user(3, 1), user(4, 1), user(5, 2), user(6, 2), user(7, 3, 'admin'), user(8, null, 'champion')];
const acknowledged = new Set([1, 2, 3, 5, 8]);
const waves = [
  { id: 10, name: 'Pilot', departmentIds: [1] },
  { id: 11, name: 'Expansion', departmentIds: [2, 3] },
  { id: 12, name: 'Empty', departmentIds: [] },
];

describe('policy acknowledgement rate', () => {
  it('is acknowledged ÷ applies for the company, per department and per wave', () => {
    const rates = policyRates({ audience: 'all' }, users, acknowledged, waves);
    expect(rates.overall).toEqual({ id: null, name: null, applies: 8, acknowledged: 5, rate: 5 / 8 });
    expect(rates.departments.map((d) => [d.name, d.applies, d.acknowledged, d.rate])).toEqual([
      ['HR', 2, 1, 0.5],
      ['IT', 1, 0, 0],
      ['Sales', 4, 3, 0.75],
      [null, 1, 1, 1],
    ]);
    expect(rates.waves.map((w) => [w.name, w.applies, w.acknowledged, w.rate])).toEqual([
      ['Pilot', 4, 3, 0.75],
      ['Expansion', 3, 1, 1 / 3],
      ['Empty', 0, 0, null],
    ]);
    expect(rates.missing.map((u) => u.id)).toEqual([6, 7, 4]);
  });

  it('counts only the users the policy applies to', () => {
    const rates = policyRates({ audience: { roles: ['champion', 'admin'], departments: ['hr'] } }, users, acknowledged, waves);
    expect(rates.overall).toMatchObject({ applies: 4, acknowledged: 2, rate: 0.5 });
    expect(rates.departments.map((d) => [d.name, d.applies, d.acknowledged])).toEqual([
      ['HR', 2, 1],
      ['IT', 1, 0],
      [null, 1, 1],
    ]);
    expect(rates.waves.map((w) => [w.name, w.applies, w.rate])).toEqual([
      ['Pilot', 0, null],
      ['Expansion', 3, 1 / 3],
      ['Empty', 0, null],
    ]);
  });
});
