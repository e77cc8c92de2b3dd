/**
 * ListResponse (RFC 7644 §3.4.2) and its pagination parameters (§3.4.2.4): `startIndex` is
 * 1-based and a value below 1 means 1; `count` below 0 means 0, above the page size is cut to it.
 */
import { DEFAULT_PAGE_SIZE, LIST_RESPONSE_MESSAGE, MAX_PAGE_SIZE } from './constants.ts';
import { badRequest, quote } from './errors.ts';

export interface Page {
  /** 1-based, as the client sent it (at least 1). */
  startIndex: number;
  /** How many resources to return (0 asks only for totalResults). */
  count: number;
  /** startIndex - 1, for a database OFFSET. */
  offset: number;
}

export interface ListResponse<T> {
  schemas: [typeof LIST_RESPONSE_MESSAGE];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

const INTEGER = /^[+-]?\d{1,15}$/;

function integerParameter(name: string, value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  if (!INTEGER.test(value.trim())) throw badRequest('invalidValue', `${name} must be an integer, not ${quote(value)}.`);
  return Number(value.trim());
}

/** Reads `startIndex` and `count` from the query string (a URLSearchParams or a plain record). */
export function parsePage(query: URLSearchParams | Record<string, string | undefined>, limits: { defaultCount?: number; maxCount?: number } = {}): Page {
  const get = (key: string): string | null | undefined => (query instanceof URLSearchParams ? query.get(key) : query[key]);
  const maxCount = limits.maxCount ?? MAX_PAGE_SIZE;
  const startIndex = Math.max(1, integerParameter('startIndex', get('startIndex')) ?? 1);
  const requested = integerParameter('count', get('count'));
  const count = Math.min(maxCount, Math.max(0, requested ?? limits.defaultCount ?? DEFAULT_PAGE_SIZE));
  return { startIndex, count, offset: startIndex - 1 };
}

export function listResponse<T>(resources: T[], totalResults: number, page: Pick<Page, 'startIndex'>): ListResponse<T> {
  return {
    schemas: [LIST_RESPONSE_MESSAGE],
    totalResults,
    startIndex: page.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
