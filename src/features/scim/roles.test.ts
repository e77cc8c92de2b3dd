import { describe, expect, it } from 'vitest';
import { applyLastAdminRule, departmentFromScimGroups, groupsManageRoles, roleFromScimGroups, usersToRecompute, type GroupRoleMapping } from './roles.ts';

const mapping: GroupRoleMapping = {
  adminGroups: ['Manabi Admins', '11111111-aaaa-bbbb-cccc-000000000001'],
  championGroups: ['Manabi Champions'],
  departmentPrefix: 'dept:',
};
const admins = { displayName: 'Manabi Admins', externalId: null };
const champions = { displayName: 'Manabi Champions', externalId: null };
const staff = { displayName: 'All staff', externalId: 'ffff' };

describe('roleFromScimGroups', () => {
  it('gives admin over champion over learner, as the OIDC group rule does', () => {
    expect(roleFromScimGroups([champions, admins], mapping)).toBe('admin');
    expect(roleFromScimGroups([champions, staff], mapping)).toBe('champion');
    expect(roleFromScimGroups([staff], mapping)).toBe('learner');
    expect(roleFromScimGroups([], mapping)).toBe('learner');
  });

  it('matches a configured entry against the group’s externalId too (Entra object ids, as configured for OIDC)', () => {
    expect(roleFromScimGroups([{ displayName: 'IT-Leads', externalId: '11111111-aaaa-bbbb-cccc-000000000001' }], mapping)).toBe('admin');
  });

  it('leaves roles to Manabi’s admins when no group is configured', () => {
    const none = { adminGroups: [], championGroups: [], departmentPrefix: null };
    expect(groupsManageRoles(none)).toBe(false);
    expect(roleFromScimGroups([admins], none)).toBeNull();
  });
});

describe('departmentFromScimGroups', () => {
  it('takes the department from the one dept: group, NFKC-normalised; several are ambiguous; none is null', () => {
    expect(departmentFromScimGroups([staff, { displayName: 'dept:ＩＴ  部', externalId: null }], mapping)).toEqual({ department: 'IT 部' });
    expect(
      departmentFromScimGroups(
        [
          { displayName: 'dept:営業部', externalId: null },
          { displayName: 'dept:総務部', externalId: null },
        ],
        mapping,
      ),
    ).toEqual({
      ambiguous: ['総務部', '営業部'].sort(),
    });
    expect(departmentFromScimGroups([staff], mapping)).toBeNull();
    expect(departmentFromScimGroups([{ displayName: 'dept:営業部', externalId: null }], { ...mapping, departmentPrefix: null })).toBeNull();
  });
});

describe('usersToRecompute', () => {
  const change = { members: ['a', 'b'], added: ['c'], removed: ['a'] };
  it('is nobody for a group that grants nothing, before and after', () => {
    expect(usersToRecompute({ before: staff, after: staff, ...change }, mapping)).toEqual([]);
  });
  it('is the added and removed members of a group that grants a role', () => {
    expect(usersToRecompute({ before: champions, after: champions, ...change }, mapping).sort()).toEqual(['a', 'c']);
  });
  it('is every member when a rename changes what the group grants, or when it is deleted', () => {
    expect(usersToRecompute({ before: staff, after: { ...staff, displayName: 'Manabi Admins' }, ...change }, mapping).sort()).toEqual(['a', 'b', 'c']);
    expect(usersToRecompute({ before: admins, after: null, members: ['a', 'b'], added: [], removed: [] }, mapping).sort()).toEqual(['a', 'b']);
    expect(
      usersToRecompute(
        { before: { displayName: 'dept:A', externalId: null }, after: { displayName: 'dept:B', externalId: null }, members: ['x'], added: [], removed: [] },
        mapping,
      ),
    ).toEqual(['x']);
  });
});

describe('applyLastAdminRule', () => {
  it('never demotes the last active admin, and says so', () => {
    const result = applyLastAdminRule([{ userId: 'a', from: 'admin', to: 'learner' }], ['a']);
    expect(result).toEqual({ applied: [], refused: [{ userId: 'a', from: 'admin', to: 'learner' }] });
  });
  it('demotes all but one when several admins lose the group at once', () => {
    const result = applyLastAdminRule(
      [
        { userId: 'a', from: 'admin', to: 'learner' },
        { userId: 'b', from: 'admin', to: 'champion' },
      ],
      ['a', 'b'],
    );
    expect(result.applied.map((c) => c.userId)).toEqual(['a']);
    expect(result.refused.map((c) => c.userId)).toEqual(['b']);
  });
  it('demotes when another admin remains or is being promoted in the same change', () => {
    expect(applyLastAdminRule([{ userId: 'a', from: 'admin', to: 'learner' }], ['a', 'z']).refused).toEqual([]);
    expect(
      applyLastAdminRule(
        [
          { userId: 'a', from: 'admin', to: 'learner' },
          { userId: 'n', from: 'learner', to: 'admin' },
        ],
        ['a'],
      ).refused,
    ).toEqual([]);
  });
  it('counts an admin being deactivated as gone', () => {
    expect(applyLastAdminRule([{ userId: 'a', from: 'admin', to: 'learner' }], ['a', 'z'], ['z']).refused.map((c) => c.userId)).toEqual(['a']);
  });
});
