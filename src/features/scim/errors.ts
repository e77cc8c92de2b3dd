/**
 * SCIM errors (RFC 7644 §3.12): one class that every parser here throws and nothing else, and
 * the JSON body an endpoint answers with. `status` is a string in the body, as the RFC says
 * (Okta's examples show a number; both providers accept the string).
 */
import { ERROR_MESSAGE } from './constants.ts';

/** The `scimType` values of RFC 7644 Table 9 that Manabi uses. */
export type ScimErrorType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue';

export interface ScimErrorBody {
  schemas: [typeof ERROR_MESSAGE];
  status: string;
  scimType?: ScimErrorType;
  detail: string;
}

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimErrorType | null;
  /** For 429: seconds the client should wait (the endpoint sends it as Retry-After). */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, scimType: ScimErrorType | null, detail: string, retryAfterSeconds: number | null = null) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isScimError(error: unknown): error is ScimError {
  return error instanceof ScimError;
}

export function scimErrorBody(error: ScimError): ScimErrorBody {
  const body: ScimErrorBody = { schemas: [ERROR_MESSAGE], status: String(error.status), detail: error.message };
  if (error.scimType !== null) body.scimType = error.scimType;
  return body;
}

/** 400 with a `scimType`: the request is wrong in the way the type says. */
export function badRequest(scimType: ScimErrorType, detail: string): ScimError {
  return new ScimError(400, scimType, detail);
}

/** 401: no token, a wrong one or a revoked one; the detail never says which. */
export function unauthorized(): ScimError {
  return new ScimError(401, null, 'Authorization with a valid bearer token is required.');
}

export function notFound(resource: 'User' | 'Group', id: string): ScimError {
  return new ScimError(404, null, `${resource} ${JSON.stringify(id.slice(0, 100))} not found.`);
}

/** 409 `uniqueness`: e.g. a userName or a group displayName that another resource has. */
export function conflict(detail: string): ScimError {
  return new ScimError(409, 'uniqueness', detail);
}

export function payloadTooLarge(maxBytes: number): ScimError {
  return new ScimError(413, null, `The request body is larger than ${maxBytes} bytes.`);
}

export function tooManyRequests(retryAfterSeconds: number): ScimError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new ScimError(429, null, `Too many requests; try again in ${seconds} s.`, seconds);
}

/** Text from a request quoted in a detail: bounded, so an error never echoes a whole body. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
