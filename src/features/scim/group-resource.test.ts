import { describe, expect, it } from 'vitest';
import { GROUP_SCHEMA } from './constants.ts';
import { BASE_URL, sampleGroup } from './fixtures/load.ts';
import { parseGroupCreate, parseGroupReplace, toScimGroup } from './group-resource.ts';
import { scimErrorOf } from './test-support.ts';

describe('toScimGroup', () => {
  it('maps a group with its members as value, $ref, display', () => {
    expect(toScimGroup(sampleGroup(), BASE_URL)).toEqual({
      schemas: [GROUP_SCHEMA],
      id: 'g_champs01',
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Manabi Champions',
      members: [
        { value: 'u_7Hq2kP9x', $ref: `${BASE_URL}/Users/u_7Hq2kP9x`, display: '山田 太郎', type: 'User' },
        { value: 'u_boss0001', $ref: `${BASE_URL}/Users/u_boss0001`, display: '佐藤 花子', type: 'User' },
      ],
      meta: { resourceType: 'Group', created: '2026-04-01T00:00:00.000Z', lastModified: '2026-04-02T09:30:00.000Z', location: `${BASE_URL}/Groups/g_champs01` },
    });
  });

  it('leaves members out for excludedAttributes=members', () => {
    expect(toScimGroup(sampleGroup(), BASE_URL, { members: false })).not.toHaveProperty('members');
  });
});

describe('parseGroupCreate and parseGroupReplace', () => {
  it('reads displayName, externalId and members (as ids, duplicates dropped)', () => {
    expect(
      parseGroupCreate({
        schemas: [GROUP_SCHEMA],
        DisplayName: ' Manabi Admins ',
        externalId: 'abc',
        members: [{ value: 'u1', display: 'One' }, { value: 'u2', $ref: null, type: 'User' }, { value: 'u1' }],
      }),
    ).toEqual({ displayName: 'Manabi Admins', externalId: 'abc', memberIds: ['u1', 'u2'] });
  });

  it('requires a displayName without invisible characters, within 256 characters', () => {
    expect(scimErrorOf(() => parseGroupCreate({ schemas: [GROUP_SCHEMA] }))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(scimErrorOf(() => parseGroupCreate({ schemas: [GROUP_SCHEMA], displayName: '' })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => parseGroupCreate({ schemas: [GROUP_SCHEMA], displayName: 'Admins\u200B' })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => parseGroupCreate({ schemas: [GROUP_SCHEMA], displayName: 'x'.repeat(257) })).scimType).toBe('invalidValue');
  });

  it('refuses nested groups and members without an id', () => {
    expect(scimErrorOf(() => parseGroupCreate({ schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: 'g2', type: 'Group' }] })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => parseGroupCreate({ schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ display: 'No id' }] })).scimType).toBe('invalidValue');
  });

  it('refuses a body without the Group schema', () => {
    expect(scimErrorOf(() => parseGroupCreate({ displayName: 'G' }))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
  });

  it('PUT replaces the members it lists and reports who was added and removed; without members it keeps them', () => {
    const current = sampleGroup();
    const update = parseGroupReplace(current, { schemas: [GROUP_SCHEMA], displayName: 'Manabi Champions', members: [{ value: 'u_boss0001' }, { value: 'u_new' }] });
    expect(update).toMatchObject({ changes: {}, added: ['u_new'], removed: ['u_7Hq2kP9x'] });
    const renamed = parseGroupReplace(current, { schemas: [GROUP_SCHEMA], displayName: 'Champions' });
    expect(renamed).toMatchObject({ changes: { displayName: 'Champions' }, added: [], removed: [] });
    expect(renamed.next.memberIds).toEqual(['u_7Hq2kP9x', 'u_boss0001']);
  });
});
