/**
 * The Schemas resources (RFC 7643 §7): the attributes Manabi supports, with their mutability,
 * returned and uniqueness. Common attributes (id, externalId, meta) are not part of a schema
 * (§3.1). A test checks that this lists exactly what `attributes.ts` keeps.
 */
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, SCHEMA_SCHEMA, USER_SCHEMA } from './constants.ts';

export interface SchemaAttribute {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: SchemaAttribute[];
}

export interface SchemaResource {
  schemas: [typeof SCHEMA_SCHEMA];
  id: string;
  name: string;
  description: string;
  attributes: SchemaAttribute[];
  meta: { resourceType: 'Schema'; location: string };
}

type Options = Partial<Omit<SchemaAttribute, 'name' | 'type' | 'description'>>;

function attribute(name: string, type: SchemaAttribute['type'], description: string, options: Options = {}): SchemaAttribute {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

const USER_ATTRIBUTES: SchemaAttribute[] = [
  attribute('userName', 'string', 'The email address the person signs in with; Manabi stores it lower-cased (NFKC). Must be an email address.', {
    required: true,
    uniqueness: 'server',
  }),
  attribute('name', 'complex', 'The parts of the person’s name.', {
    subAttributes: [
      attribute('givenName', 'string', 'Given name.'),
      attribute('familyName', 'string', 'Family name.'),
      attribute('formatted', 'string', 'Used as the display name when displayName is not sent; not stored.', { mutability: 'writeOnly', returned: 'never' }),
    ],
  }),
  attribute('displayName', 'string', 'The name shown in Manabi, stored as sent (trimmed).'),
  attribute('emails', 'complex', 'Mirrors userName: Manabi keeps one address, the sign-in address.', {
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', 'The address.'),
      attribute('type', 'string', 'Always work.', { canonicalValues: ['work'] }),
      attribute('primary', 'boolean', 'Always true.'),
    ],
  }),
  attribute('active', 'boolean', 'False deactivates the user and ends their sessions; the records are kept.'),
  attribute('preferredLanguage', 'string', 'The interface language: ja or en (ja-JP, en-US and the like are accepted; others are ignored).', {
    canonicalValues: ['ja', 'en'],
  }),
  attribute('locale', 'string', 'Read like preferredLanguage when that is not sent; returned as the interface language.'),
  attribute('groups', 'complex', 'The groups the user belongs to, as provisioned to Manabi.', {
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      attribute('value', 'string', 'The group’s id.', { mutability: 'readOnly', caseExact: true }),
      attribute('$ref', 'reference', 'The group’s URI.', { mutability: 'readOnly', caseExact: true, referenceTypes: ['Group'] }),
      attribute('display', 'string', 'The group’s displayName.', { mutability: 'readOnly' }),
    ],
  }),
];

const ENTERPRISE_ATTRIBUTES: SchemaAttribute[] = [
  attribute('department', 'string', 'The department; created in Manabi when missing (NFKC, white space collapsed).'),
  attribute('manager', 'complex', 'The person’s line manager, who then sees them under My team.', {
    subAttributes: [
      attribute('value', 'string', 'The manager’s id in Manabi.', { caseExact: true }),
      attribute('$ref', 'reference', 'The manager’s URI.', { mutability: 'readOnly', caseExact: true, referenceTypes: ['User'] }),
      attribute('displayName', 'string', 'The manager’s display name.', { mutability: 'readOnly' }),
    ],
  }),
];

const GROUP_ATTRIBUTES: SchemaAttribute[] = [
  attribute('displayName', 'string', 'The group’s name; configured names make admins or champions.', { required: true, uniqueness: 'server' }),
  attribute('members', 'complex', 'The users in the group (no nested groups).', {
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', 'The user’s id.', { mutability: 'immutable', caseExact: true, required: true }),
      attribute('type', 'string', 'Always User.', { mutability: 'immutable', canonicalValues: ['User'] }),
      attribute('$ref', 'reference', 'The user’s URI.', { mutability: 'readOnly', caseExact: true, referenceTypes: ['User'] }),
      attribute('display', 'string', 'The user’s display name.', { mutability: 'readOnly' }),
    ],
  }),
];

const DEFINITIONS: Array<Omit<SchemaResource, 'schemas' | 'meta'>> = [
  { id: USER_SCHEMA, name: 'User', description: 'User Account', attributes: USER_ATTRIBUTES },
  { id: ENTERPRISE_USER_SCHEMA, name: 'EnterpriseUser', description: 'Enterprise User', attributes: ENTERPRISE_ATTRIBUTES },
  { id: GROUP_SCHEMA, name: 'Group', description: 'Group', attributes: GROUP_ATTRIBUTES },
];

export function schemaResources(baseUrl: string): SchemaResource[] {
  return DEFINITIONS.map((definition) => ({
    schemas: [SCHEMA_SCHEMA],
    ...definition,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${definition.id}` },
  }));
}
