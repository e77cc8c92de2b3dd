/**
 * The three discovery endpoints (RFC 7644 §4): what Manabi supports, as documents built from the
 * public base URL (e.g. `https://lms.example.co.jp/scim/v2`). Nothing here needs a token's
 * secret or the database; the endpoint still requires a token (RFC 7644 §4 lets it).
 */
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, MAX_PAGE_SIZE, RESOURCE_TYPE_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA, USER_SCHEMA } from './constants.ts';
import { listResponse, type ListResponse } from './list.ts';
import { schemaResources, type SchemaResource } from './schema-definitions.ts';

export interface ServiceProviderConfig {
  schemas: [typeof SERVICE_PROVIDER_CONFIG_SCHEMA];
  patch: { supported: true };
  bulk: { supported: false; maxOperations: 0; maxPayloadSize: 0 };
  filter: { supported: true; maxResults: number };
  changePassword: { supported: false };
  sort: { supported: false };
  etag: { supported: false };
  authenticationSchemes: Array<{ type: 'oauthbearertoken'; name: string; description: string; specUri: string; primary: boolean }>;
  meta: { resourceType: 'ServiceProviderConfig'; location: string };
}

export interface ResourceType {
  schemas: [typeof RESOURCE_TYPE_SCHEMA];
  id: 'User' | 'Group';
  name: 'User' | 'Group';
  endpoint: '/Users' | '/Groups';
  description: string;
  schema: string;
  schemaExtensions: Array<{ schema: string; required: boolean }>;
  meta: { resourceType: 'ResourceType'; location: string };
}

/** `https://host/scim/v2/` → `https://host/scim/v2`; anything but an absolute http(s) URL is a programming error. */
export function scimBaseUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`SCIM base URL must be http(s): ${value}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function serviceProviderConfig(baseUrl: string): ServiceProviderConfig {
  const base = scimBaseUrl(baseUrl);
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A bearer token created in Manabi (/admin/settings or npm run scim:token), sent as Authorization: Bearer <token>.',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): ResourceType[] {
  const base = scimBaseUrl(baseUrl);
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A person who learns in Manabi',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A group from the identity provider; configured groups give a role',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function schemas(baseUrl: string): SchemaResource[] {
  return schemaResources(scimBaseUrl(baseUrl));
}

/** GET /Schemas and GET /ResourceTypes answer with a ListResponse (Entra requires it). */
export function schemasList(baseUrl: string): ListResponse<SchemaResource> {
  const all = schemas(baseUrl);
  return listResponse(all, all.length, { startIndex: 1 });
}

export function resourceTypesList(baseUrl: string): ListResponse<ResourceType> {
  const all = resourceTypes(baseUrl);
  return listResponse(all, all.length, { startIndex: 1 });
}

/** GET /Schemas/<urn> (matched case-insensitively) and GET /ResourceTypes/<id>; null → 404. */
export function schemaById(baseUrl: string, id: string): SchemaResource | null {
  return schemas(baseUrl).find((schema) => schema.id.toLowerCase() === id.toLowerCase()) ?? null;
}

export function resourceTypeById(baseUrl: string, id: string): ResourceType | null {
  return resourceTypes(baseUrl).find((type) => type.id.toLowerCase() === id.toLowerCase()) ?? null;
}
