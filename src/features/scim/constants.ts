/**
 * SCIM 2.0 identifiers (RFC 7643 §8.7, RFC 7644 §3) and the limits Manabi announces in its
 * ServiceProviderConfig and enforces in the parsers. One place, so discovery and behaviour agree.
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export const PATCH_OP_MESSAGE = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE_MESSAGE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_MESSAGE = 'urn:ietf:params:scim:api:messages:2.0:Error';

export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** Page size when the client sends no `count`, and the most a page holds (Okta asks for 100). */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;

/** A filter longer than this, or nested deeper, is refused before it is parsed (the parser recurses). */
export const MAX_FILTER_LENGTH = 2_048;
export const MAX_FILTER_DEPTH = 16;
/** Comparisons in one filter; Entra sends one or two, Okta one. */
export const MAX_FILTER_TERMS = 32;

/** Operations in one PatchOp request. Entra batches group members; the body limit bounds the rest. */
export const MAX_PATCH_OPERATIONS = 1_000;
/** Members in one Group body or one PATCH result. */
export const MAX_GROUP_MEMBERS = 50_000;

/** Lengths of the texts Manabi keeps. */
export const MAX_NAME_LENGTH = 100;
export const MAX_GROUP_NAME_LENGTH = 256;
export const MAX_ID_LENGTH = 255;
