/**
 * The resources under `/scim/v2`: discovery, Users and Groups, each method as RFC 7644 says
 * (POST 201 with Location, DELETE 204, lists as ListResponse with filter and paging).
 * Groups honour `excludedAttributes=members`, which Entra sends on every group read.
 */
import type { Db } from '../../platform/db.server.ts';
import { resourceTypeById, resourceTypesList, schemaById, schemasList, serviceProviderConfig } from './discovery.ts';
import { ScimError } from './errors.ts';
import { parseGroupFilter, parseUserFilter } from './filter.ts';
import { parseGroupCreate, parseGroupReplace, toScimGroup } from './group-resource.ts';
import { createScimGroup, deleteScimGroup, findScimGroups, getScimGroup, updateScimGroup } from './groups.server.ts';
import { listResponse, parsePage } from './list.ts';
import { applyGroupPatch, applyUserPatch } from './patch.ts';
import { parseUserCreate, parseUserReplace, toScimUser } from './user-resource.ts';
import { createScimUser, deleteScimUser, findScimUsers, getScimUser, updateScimUser } from './users.server.ts';
import { scimResponse } from './http.server.ts';

export interface ScimRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  baseUrl: string;
}

function notHere(): ScimError {
  return new ScimError(404, null, 'No such SCIM endpoint.');
}

function methodNotAllowed(method: string): ScimError {
  return new ScimError(405, null, `${method.slice(0, 10)} is not supported here.`);
}

const ok = (body: unknown): Response => scimResponse(200, body);

function discovery(request: ScimRequest): Response {
  const [resource, id, ...rest] = request.segments;
  if (request.method !== 'GET') throw methodNotAllowed(request.method);
  if (rest.length > 0) throw notHere();
  if (resource === 'ServiceProviderConfig' && id === undefined) return ok(serviceProviderConfig(request.baseUrl));
  if (resource === 'Schemas') return ok(id === undefined ? schemasList(request.baseUrl) : (schemaById(request.baseUrl, id) ?? throwNotHere()));
  if (resource === 'ResourceTypes') return ok(id === undefined ? resourceTypesList(request.baseUrl) : (resourceTypeById(request.baseUrl, id) ?? throwNotHere()));
  throw notHere();
}

function throwNotHere(): never {
  throw notHere();
}

async function usersRoute(db: Db, request: ScimRequest, id: string | undefined): Promise<Response> {
  const base = request.baseUrl;
  if (id === undefined) {
    if (request.method === 'GET') {
      const filter = request.query.get('filter');
      const page = parsePage(request.query);
      const query = filter === null || filter.trim() === '' ? ({ kind: 'all' } as const) : parseUserFilter(filter);
      const found = await findScimUsers(db, query, page);
      return ok(
        listResponse(
          found.users.map((u) => toScimUser(u, base)),
          found.total,
          page,
        ),
      );
    }
    if (request.method === 'POST') {
      const user = toScimUser(await createScimUser(db, parseUserCreate(request.body)), base);
      return scimResponse(201, user, { location: user.meta.location });
    }
    throw methodNotAllowed(request.method);
  }
  switch (request.method) {
    case 'GET':
      return ok(toScimUser(await getScimUser(db, id), base));
    case 'PUT':
      return ok(toScimUser(await updateScimUser(db, id, (current) => parseUserReplace(current, request.body)), base));
    case 'PATCH':
      return ok(toScimUser(await updateScimUser(db, id, (current) => applyUserPatch(current, request.body)), base));
    case 'DELETE':
      await deleteScimUser(db, id);
      return scimResponse(204, null);
    default:
      throw methodNotAllowed(request.method);
  }
}

async function groupsRoute(db: Db, request: ScimRequest, id: string | undefined): Promise<Response> {
  const base = request.baseUrl;
  const excluded = (request.query.get('excludedAttributes') ?? '').split(',').map((a) => a.trim().toLowerCase());
  const members = !excluded.includes('members');
  if (id === undefined) {
    if (request.method === 'GET') {
      const filter = request.query.get('filter');
      const page = parsePage(request.query);
      const query = filter === null || filter.trim() === '' ? ({ kind: 'all' } as const) : parseGroupFilter(filter);
      const found = await findScimGroups(db, query, page);
      return ok(
        listResponse(
          found.groups.map((g) => toScimGroup(g, base, { members })),
          found.total,
          page,
        ),
      );
    }
    if (request.method === 'POST') {
      const group = toScimGroup(await createScimGroup(db, parseGroupCreate(request.body)), base);
      return scimResponse(201, group, { location: group.meta.location });
    }
    throw methodNotAllowed(request.method);
  }
  switch (request.method) {
    case 'GET':
      return ok(toScimGroup(await getScimGroup(db, id), base, { members }));
    case 'PUT':
      return ok(toScimGroup(await updateScimGroup(db, id, (current) => parseGroupReplace(current, request.body)), base));
    case 'PATCH':
      // Entra ignores the body of a group PATCH's answer; 200 with the group serves Okta too.
      return ok(toScimGroup(await updateScimGroup(db, id, (current) => applyGroupPatch(current, request.body)), base, { members }));
    case 'DELETE':
      await deleteScimGroup(db, id);
      return scimResponse(204, null);
    default:
      throw methodNotAllowed(request.method);
  }
}

export async function routeScim(db: Db, request: ScimRequest): Promise<Response> {
  const [resource, id, ...rest] = request.segments;
  if (resource === 'Users' || resource === 'Groups') {
    if (rest.length > 0) throw notHere();
    return resource === 'Users' ? usersRoute(db, request, id) : groupsRoute(db, request, id);
  }
  return discovery(request);
}
