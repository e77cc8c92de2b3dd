import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGE, LIST_RESPONSE_MESSAGE } from './constants.ts';
import { badRequest, conflict, notFound, payloadTooLarge, scimErrorBody, tooManyRequests, unauthorized, type ScimError } from './errors.ts';
import { listResponse, parsePage } from './list.ts';

function thrown(f: () => unknown): ScimError {
  try {
    f();
  } catch (error) {
    return error as ScimError;
  }
  throw new Error('did not throw');
}

describe('SCIM error bodies', () => {
  it('carry the Error schema, the status as a string and the scimType', () => {
    expect(scimErrorBody(badRequest('invalidFilter', 'Bad filter.'))).toEqual({
      schemas: [ERROR_MESSAGE],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'Bad filter.',
    });
    expect(scimErrorBody(conflict('userName is taken.'))).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  it('leave scimType out where RFC 7644 defines none (401, 404, 413, 429)', () => {
    for (const error of [unauthorized(), notFound('User', 'x'), payloadTooLarge(1_048_576), tooManyRequests(2.2)]) {
      expect(scimErrorBody(error)).not.toHaveProperty('scimType');
    }
    expect(scimErrorBody(unauthorized()).status).toBe('401');
    expect(tooManyRequests(2.2)).toMatchObject({ status: 429, retryAfterSeconds: 3 });
    expect(scimErrorBody(payloadTooLarge(1_048_576)).status).toBe('413');
  });

  it('never echo more than a bounded piece of the request', () => {
    expect(scimErrorBody(notFound('User', 'x'.repeat(10_000))).detail.length).toBeLessThan(200);
  });
});

describe('pagination', () => {
  it('defaults to startIndex 1 and a page of 100', () => {
    expect(parsePage(new URLSearchParams(''))).toEqual({ startIndex: 1, count: 100, offset: 0 });
    expect(parsePage(new URLSearchParams('startIndex=101&count=100'))).toEqual({ startIndex: 101, count: 100, offset: 100 });
  });

  it('reads a startIndex below 1 as 1, a negative count as 0, and cuts count to the page size (RFC 7644 §3.4.2.4)', () => {
    expect(parsePage({ startIndex: '0', count: '-5' })).toEqual({ startIndex: 1, count: 0, offset: 0 });
    expect(parsePage({ startIndex: '-3', count: '5000' })).toEqual({ startIndex: 1, count: 100, offset: 0 });
    expect(parsePage({ count: '10' }, { maxCount: 5 }).count).toBe(5);
  });

  it('refuses parameters that are not integers with invalidValue', () => {
    for (const bad of ['abc', '1.5', '1e3', '0x10']) {
      expect(thrown(() => parsePage({ startIndex: bad }))).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(thrown(() => parsePage({ count: bad }))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    }
  });

  it('builds a ListResponse whose itemsPerPage is what the page holds', () => {
    expect(listResponse([{ id: 'a' }], 7, { startIndex: 3 })).toEqual({
      schemas: [LIST_RESPONSE_MESSAGE],
      totalResults: 7,
      startIndex: 3,
      itemsPerPage: 1,
      Resources: [{ id: 'a' }],
    });
    // Entra's Test Connection: an empty list, never a 404.
    expect(listResponse([], 0, { startIndex: 1 })).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
  });
});
