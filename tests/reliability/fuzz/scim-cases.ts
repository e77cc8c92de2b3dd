/**
 * The SCIM endpoint's fuzz cases (issue 19): raw requests to `/scim/v2/…` that are invalid by
 * construction — no or a wrong token (the signed-in learner's cookie goes with every request and
 * must not count), JSON that is no resource, a `password` anywhere, PATCHes whose last operation
 * names a user or member that does not exist (atomic: the valid operations before it must not
 * stick either), unknown ids — and reads with any filter and paging, which may succeed. The
 * harness checks each answer is below 500, shows no internals, and that the database is unchanged.
 */
import fc from 'fast-check';
import { attribute, userBody, value } from '../../../src/features/scim/fuzz-arbitraries.ts';
import type { Context } from './app.ts';
import type { EndpointCase } from './harness.ts';
import { anyText } from './values.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MANAGER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager';
const NOBODY = 'nobody-0000000000000000000';

/** Values cut short: bodies stay well under the body limits (the front server's 413 closes the connection). */
const shortText = anyText.map((t) => t.slice(0, 1_000));
const json = { 'content-type': 'application/scim+json' };
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}`, ...json });
const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');
const resourcePaths = (ctx: Context): fc.Arbitrary<string> =>
  fc.constantFrom('/ServiceProviderConfig', '/Schemas', '/ResourceTypes', '/Users', `/Users/${ctx.scim.userId}`, '/Groups', `/Groups/${ctx.scim.groupId}`, '/Users/.search');
const bodyText = fc.oneof(
  shortText,
  value.map((v) => JSON.stringify(v)),
  userBody.map((b) => JSON.stringify(b)),
);
// Cut below Node's 16 KiB request-line limit (a longer one never reaches the app), yet past MAX_FILTER_LENGTH (2,048).
const filterText = fc
  .oneof(
    anyText,
    fc
      .tuple(
        fc.constantFrom('userName', 'externalId', 'displayName', 'emails.value', 'active', 'id', 'members.value', 'manager.value', 'title', 'emails[type eq "work"].value'),
        fc.constantFrom('eq', 'co', 'sw', 'ew', 'pr', 'gt', 'ne'),
        anyText,
      )
      .map(([a, op, v]) => (op === 'pr' ? `${a} pr` : `${a} ${op} ${JSON.stringify(v)}`)),
    fc.constantFrom('userName eq "fuzz-learner-1@example.com" and active eq true', 'externalId eq jyoung', '(', 'a eq "b" or (c eq "d"', `members.value eq "${NOBODY}"`),
  )
  .map((f) => f.slice(0, 2_500));
const page = fc.tuple(fc.constantFrom('', '1', '0', '-5', '2', '100', '101', 'x', '1e3', '99999999999999999'), fc.constantFrom('', '0', '1', '-1', '1000', 'abc'));
const query = (params: Record<string, string>): string => {
  const kept = Object.entries(params).filter(([, v]) => v !== '');
  return kept.length === 0 ? '' : `?${new URLSearchParams(kept)}`;
};
const ops = fc.array(
  fc.record({ op: fc.constantFrom('add', 'Replace', 'remove', 'Add'), path: fc.constantFrom('displayName', 'name.givenName', 'active', 'externalId', 'title'), value }),
  { maxLength: 3 },
);

export function scimCases(ctx: Context): fc.Arbitrary<EndpointCase> {
  const { token, userId, groupId } = ctx.scim;
  const auth = bearer(token);
  const at = (method: string, path: string, body: string | null, invalid: string | null, headers: Record<string, string> = auth): EndpointCase => ({
    method,
    path: `/scim/v2${path}`,
    body: body === null ? null : body.slice(0, 150_000),
    invalid,
    headers,
  });
  return fc.oneof(
    // Without a live token, whatever else is sent.
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          methods,
          resourcePaths(ctx),
          bodyText,
          fc.constantFrom<Record<string, string>>(
            json,
            { authorization: 'Bearer ', ...json },
            { authorization: `Bearer ${token}x`, ...json },
            { authorization: `Basic ${token}`, ...json },
            { authorization: token, ...json },
          ),
        )
        .map(([method, path, body, headers]) => at(method, path, method === 'GET' || method === 'DELETE' ? null : body, 'no live bearer token', headers)),
    },
    // Reads: any filter and paging (may be refused as invalidFilter; never changes anything).
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom('/Users', '/Groups'), filterText, page, fc.constantFrom('', 'members', 'displayName'))
        .map(([resource, filter, [startIndex, count], excludedAttributes]) => at('GET', `${resource}${query({ filter, startIndex, count, excludedAttributes })}`, null, null)),
    },
    // A create that carries a password somewhere, or is no resource at all.
    {
      weight: 2,
      arbitrary: fc
        .tuple(userBody, fc.constantFrom('password', 'Password', `${USER}:password`), fc.string({ minLength: 1, maxLength: 20 }))
        .map(([body, key, password]) => at('POST', '/Users', JSON.stringify({ ...body, schemas: [USER], [key]: password }), 'a password attribute')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('/Users', '/Groups'),
          fc.oneof(
            shortText.filter((s) => s.trim() !== '' && !/^[[{"\d-tfn]/.test(s.trim())),
            fc.constantFrom('[]', '"x"', '1', 'null', 'true', '{"schemas": ['),
          ),
        )
        .map(([path, body]) => at('POST', path, body, 'not a resource')),
    },
    // PATCH a user: valid-looking operations, then a manager who does not exist (atomic).
    {
      weight: 2,
      arbitrary: ops.map((list) =>
        at(
          'PATCH',
          `/Users/${userId}`,
          JSON.stringify({ schemas: [PATCH_OP], Operations: [...list, { op: 'replace', path: MANAGER, value: { value: NOBODY } }] }),
          'a manager who does not exist',
        ),
      ),
    },
    // PATCH the group: operations, then a member who does not exist (atomic).
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom('Replace', 'add'), shortText, fc.constantFrom('Add', 'add')).map(([op, name, add]) =>
        at(
          'PATCH',
          `/Groups/${groupId}`,
          JSON.stringify({
            schemas: [PATCH_OP],
            Operations: [
              { op, path: 'displayName', value: name },
              { op: 'remove', path: 'members' },
              { op: add, path: 'members', value: [{ value: NOBODY }] },
            ],
          }),
          'a member who does not exist',
        ),
      ),
    },
    // A group with a nested group or an unknown member.
    {
      weight: 1,
      arbitrary: fc
        .tuple(shortText, fc.constantFrom({ value: NOBODY }, { value: userId, type: 'Group' }))
        .map(([name, member]) =>
          at('POST', '/Groups', JSON.stringify({ schemas: [GROUP], displayName: `${name} fuzz`, members: [member] }), 'a member who does not exist or is a group'),
        ),
    },
    // Ids that do not exist, any method and body; paths that name no endpoint.
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('PUT', 'PATCH', 'DELETE', 'GET'), fc.constantFrom('Users', 'Groups'), fc.string({ minLength: 1, maxLength: 30 }), bodyText)
        .filter(([, , id]) => id !== '.' && id !== '..' && id !== userId && id !== groupId)
        .map(([method, resource, id, body]) => at(method, `/${resource}/${encodeURIComponent(id)}`, method === 'GET' || method === 'DELETE' ? null : body, 'no such resource')),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(methods, fc.string({ minLength: 1, maxLength: 30 }), attribute)
        .filter(([, segment]) => !['Users', 'Groups', '.', '..', ''].includes(segment.trim()))
        .map(([method, segment, [key, v]]) =>
          at(method, `/${encodeURIComponent(segment)}/x`, method === 'GET' || method === 'DELETE' ? null : JSON.stringify({ [key]: v }), 'no such endpoint'),
        ),
    },
  );
}
