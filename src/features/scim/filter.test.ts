import { describe, expect, it } from 'vitest';
import { parseGroupFilter, parseUserFilter } from './filter.ts';
import { scimErrorOf } from './test-support.ts';

describe('parseUserFilter', () => {
  it('turns eq on userName into a comparison with the address normalised as Manabi stores it', () => {
    expect(parseUserFilter('userName eq "Ｔａｎａｋａ@Example.co.jp"')).toEqual({
      kind: 'compare',
      attribute: 'userName',
      operator: 'eq',
      value: 'tanaka@example.co.jp',
      caseExact: false,
    });
  });

  it('reads attribute names, operators and URNs in any case', () => {
    const expected = { kind: 'compare', attribute: 'externalId', operator: 'eq', value: 'Abc', caseExact: true };
    expect(parseUserFilter('EXTERNALID EQ "Abc"')).toEqual(expected);
    expect(parseUserFilter('urn:ietf:params:scim:schemas:core:2.0:User:externalId eq "Abc"')).toEqual(expected);
    expect(parseUserFilter('URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:externalid eq "Abc"')).toEqual(expected);
  });

  it('combines with and / or, and reads co, sw, ew, pr', () => {
    expect(parseUserFilter('userName sw "ya" and (displayName co "山田" or externalId pr)')).toEqual({
      kind: 'and',
      filters: [
        { kind: 'compare', attribute: 'userName', operator: 'sw', value: 'ya', caseExact: false },
        {
          kind: 'or',
          filters: [
            { kind: 'compare', attribute: 'displayName', operator: 'co', value: '山田', caseExact: false },
            { kind: 'present', attribute: 'externalId' },
          ],
        },
      ],
    });
    expect(parseUserFilter('emails.value ew "@Example.com"')).toMatchObject({ attribute: 'emails.value', operator: 'ew', value: '@example.com' });
  });

  it('reads Entra’s uniqueness query on the work email, and knows Manabi keeps one work address', () => {
    expect(parseUserFilter('emails[type eq "work"].value eq "User@Contoso.com"')).toEqual({
      kind: 'compare',
      attribute: 'emails.value',
      operator: 'eq',
      value: 'user@contoso.com',
      caseExact: false,
    });
    expect(parseUserFilter('emails[type eq "home"].value eq "user@contoso.com"')).toEqual({ kind: 'none' });
    expect(parseUserFilter('emails[primary eq true]')).toEqual({ kind: 'all' });
    expect(parseUserFilter('emails[value eq "A@b.com"]')).toMatchObject({ attribute: 'emails.value', value: 'a@b.com' });
  });

  it('filters on id, active and the manager (Entra checks the manager before updating it)', () => {
    expect(parseUserFilter('id eq "u1" and manager eq "u2"')).toEqual({
      kind: 'and',
      filters: [
        { kind: 'compare', attribute: 'id', operator: 'eq', value: 'u1', caseExact: true },
        { kind: 'compare', attribute: 'manager.value', operator: 'eq', value: 'u2', caseExact: true },
      ],
    });
    expect(parseUserFilter('active eq false')).toMatchObject({ attribute: 'active', value: false });
    expect(parseUserFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "u2"')).toMatchObject({ attribute: 'manager.value' });
  });

  it('refuses with invalidFilter what it cannot answer, saying why', () => {
    const cases: Array<[string, RegExp]> = [
      ['externalId eq jyoung', /could not be read.*Quote string values/],
      ['userName ne "a@b.com"', /ne is not supported/],
      ['not (userName eq "a@b.com")', /not is not supported/],
      ['meta.lastModified gt "2011-05-13T04:42:34Z"', /not supported/],
      ['title eq "Boss"', /Filtering on "title" is not supported/],
      ['password eq "x"', /not supported/],
      ['userName eq 42', /quoted string/],
      ['active eq "true"', /eq true or eq false/],
      ['userName eq "a@b.com" and', /could not be read/],
      ['', /empty/],
      ['emails[display eq "x"]', /not supported/],
      // The parser reads any word as a logical operator it looks up in a plain object: "constructor" is found there.
      ['userName eq "a@b.com" constructor userName eq "b@b.com"', /could not be read/],
    ];
    for (const [filter, detail] of cases) {
      const error = scimErrorOf(() => parseUserFilter(filter));
      expect(error, filter).toMatchObject({ status: 400, scimType: 'invalidFilter' });
      expect(error.message, filter).toMatch(detail);
    }
  });

  it('refuses filters that are too long, nested too deep or with too many terms, before they cost anything', () => {
    expect(scimErrorOf(() => parseUserFilter(`userName eq "${'a'.repeat(3000)}"`)).message).toMatch(/longer than/);
    expect(scimErrorOf(() => parseUserFilter(`${'('.repeat(500)}userName eq "a"${')'.repeat(500)}`)).message).toMatch(/nests deeper/);
    const many = Array.from({ length: 40 }, (_, i) => `userName eq "u${i}@b.com"`).join(' or ');
    expect(scimErrorOf(() => parseUserFilter(many)).message).toMatch(/more than 32 terms/);
  });
});

describe('parseGroupFilter', () => {
  it('finds groups by displayName (case-insensitive), externalId, id and member', () => {
    expect(parseGroupFilter('displayName eq "Manabi Admins"')).toEqual({ kind: 'compare', attribute: 'displayName', operator: 'eq', value: 'Manabi Admins', caseExact: false });
    expect(parseGroupFilter('members[value eq "u1"]')).toMatchObject({ attribute: 'members.value', value: 'u1', caseExact: true });
    expect(parseGroupFilter('members.value eq "u1" and externalId eq "x"')).toMatchObject({ kind: 'and' });
    expect(scimErrorOf(() => parseGroupFilter('userName eq "a@b.com"')).scimType).toBe('invalidFilter');
  });
});
