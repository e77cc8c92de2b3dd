import { describe, expect, it } from 'vitest';
import { keptAttributeNames } from './attributes.ts';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE_MESSAGE, USER_SCHEMA } from './constants.ts';
import { resourceTypeById, resourceTypes, resourceTypesList, schemaById, schemas, schemasList, serviceProviderConfig } from './discovery.ts';
import type { SchemaAttribute } from './schema-definitions.ts';
import { BASE_URL } from './fixtures/load.ts';

describe('ServiceProviderConfig', () => {
  it('announces patch and filter (with maxResults), and no bulk, sort, etag or password change; bearer tokens', () => {
    const config = serviceProviderConfig(`${BASE_URL}/`);
    expect(config.patch).toEqual({ supported: true });
    expect(config.filter).toEqual({ supported: true, maxResults: 100 });
    expect(config.bulk.supported).toBe(false);
    expect(config.sort).toEqual({ supported: false });
    expect(config.etag).toEqual({ supported: false });
    expect(config.changePassword).toEqual({ supported: false });
    expect(config.authenticationSchemes.map((s) => s.type)).toEqual(['oauthbearertoken']);
    // A trailing slash on the base URL does not double in the location.
    expect(config.meta.location).toBe(`${BASE_URL}/ServiceProviderConfig`);
  });

  it('refuses a base URL that is not absolute http(s): a programming error, not a request error', () => {
    expect(() => serviceProviderConfig('/scim/v2')).toThrow();
    expect(() => serviceProviderConfig('javascript:alert(1)')).toThrow();
  });
});

describe('ResourceTypes', () => {
  it('has User with the enterprise extension (optional) and Group, as a ListResponse', () => {
    const [user, group] = resourceTypes(BASE_URL);
    expect(user).toMatchObject({ id: 'User', endpoint: '/Users', schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }] });
    expect(group).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, schemaExtensions: [] });
    expect(user?.meta.location).toBe(`${BASE_URL}/ResourceTypes/User`);
    const list = resourceTypesList(BASE_URL);
    expect(list).toMatchObject({ schemas: [LIST_RESPONSE_MESSAGE], totalResults: 2, startIndex: 1, itemsPerPage: 2 });
    expect(resourceTypeById(BASE_URL, 'group')?.id).toBe('Group');
    expect(resourceTypeById(BASE_URL, 'Device')).toBeNull();
  });
});

function names(prefix: string, attributes: SchemaAttribute[]): string[] {
  return attributes.flatMap((a) => [`${prefix}:${a.name}`, ...(a.subAttributes ?? []).map((s) => `${prefix}:${a.name}.${s.name}`)]);
}

describe('Schemas', () => {
  it('describes core User, the enterprise extension and Group, each with its location, as a ListResponse', () => {
    const list = schemasList(BASE_URL);
    expect(list.totalResults).toBe(3);
    expect(list.Resources.map((s) => s.id)).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA]);
    expect(schemaById(BASE_URL, ENTERPRISE_USER_SCHEMA.toUpperCase())?.meta.location).toBe(`${BASE_URL}/Schemas/${ENTERPRISE_USER_SCHEMA}`);
  });

  it('marks userName required and unique, groups read-only, and has no password', () => {
    const user = schemaById(BASE_URL, USER_SCHEMA)!;
    const userName = user.attributes.find((a) => a.name === 'userName');
    expect(userName).toMatchObject({ required: true, uniqueness: 'server', caseExact: false, mutability: 'readWrite' });
    expect(user.attributes.find((a) => a.name === 'groups')?.mutability).toBe('readOnly');
    expect(user.attributes.some((a) => a.name.toLowerCase() === 'password')).toBe(false);
    const group = schemaById(BASE_URL, GROUP_SCHEMA)!;
    expect(group.attributes.find((a) => a.name === 'members')?.subAttributes?.find((s) => s.name === 'value')?.mutability).toBe('immutable');
  });

  it('describes exactly the attributes the parsers keep (plus the read-only ones Manabi returns)', () => {
    const described = schemas(BASE_URL).flatMap((s) => names(s.id, s.attributes));
    const kept = [...keptAttributeNames('User'), ...keptAttributeNames('Group')];
    const returnedOnly = described.filter((n) => !kept.includes(n));
    expect(kept.filter((n) => !described.includes(n))).toEqual([]);
    expect(returnedOnly.sort()).toEqual(
      [
        `${USER_SCHEMA}:groups`,
        `${USER_SCHEMA}:groups.value`,
        `${USER_SCHEMA}:groups.$ref`,
        `${USER_SCHEMA}:groups.display`,
        `${ENTERPRISE_USER_SCHEMA}:manager.$ref`,
        `${ENTERPRISE_USER_SCHEMA}:manager.displayName`,
        `${GROUP_SCHEMA}:members.$ref`,
        `${GROUP_SCHEMA}:members.display`,
      ].sort(),
    );
  });
});
