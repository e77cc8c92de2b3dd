/**
 * Pushes xAPI statements to an LRS in batches, with a timeout per batch and retries with
 * backoff, recording what each endpoint received so nothing is sent twice to it and nothing
 * is lost: statements are marked delivered only after the LRS answered 200, and a re-sent
 * statement has the same id and content (so an LRS that already stored it before an
 * interruption accepts it again). Another endpoint starts from nothing.
 */
import { eq } from 'drizzle-orm';
import { xapiDeliveries } from '../../../db/schema/index.ts';
import { XAPI_VERSION } from './xapi.ts';
import type { Db } from '../../platform/db.server.ts';
import type { KeyedStatement } from './xapi-export.server.ts';
import { now as clockNow } from '../../platform/clock.ts';

export interface PushResult {
  sent: number;
  alreadyDelivered: number;
  batches: number;
  /** Set when the push stopped early; what was sent before stays recorded. */
  error: string | null;
}

export interface PushOptions {
  endpoint: string;
  username: string | null;
  password: string | null;
  batchSize?: number;
  retries?: number;
  /** A batch without an answer after this long is abandoned (and retried). */
  batchTimeoutMs?: number;
  /** The first retry waits this long, each further one twice as long. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
  /** Called after each delivered batch and each failed try, e.g. to store progress. */
  onProgress?: (progress: PushResult & { retrying: string | null }) => void;
}

export function endpointKey(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

export async function pushStatements(db: Db, statements: Iterable<KeyedStatement> | AsyncIterable<KeyedStatement>, options: PushOptions): Promise<PushResult> {
  const batchSize = options.batchSize ?? 50;
  const retries = options.retries ?? 3;
  const timeoutMs = options.batchTimeoutMs ?? 15_000;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const doFetch = options.fetch ?? fetch;
  const endpoint = endpointKey(options.endpoint);
  const url = `${endpoint}/statements`;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-experience-api-version': XAPI_VERSION };
  if (options.username !== null) headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;

  const delivered = new Set(
    (await db.read(async (q) => await q.select({ id: xapiDeliveries.statementId }).from(xapiDeliveries).where(eq(xapiDeliveries.endpoint, endpoint)))).map((r) => r.id),
  );
  const result: PushResult = { sent: 0, alreadyDelivered: 0, batches: 0, error: null };
  let batch: KeyedStatement[] = [];

  const send = async (items: KeyedStatement[]): Promise<void> => {
    let lastError = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        options.onProgress?.({ ...result, retrying: lastError });
        await new Promise((r) => setTimeout(r, retryBaseMs * 2 ** (attempt - 1)));
      }
      let response: Response;
      try {
        response = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(items.map((i) => i.statement)), signal: AbortSignal.timeout(timeoutMs) });
        // The body too must arrive within the time (an LRS may stall after the headers).
        await response.arrayBuffer();
      } catch (error) {
        const name = (error as Error).name;
        lastError = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : `network: ${(error as Error).message}`;
        continue;
      }
      if (response.status === 409 && items.length > 1) {
        // The LRS refused the batch because one id exists with other content: find it, deliver the rest.
        for (const item of items) await send([item]);
        return;
      }
      if (response.status === 200 || response.status === 204 || response.status === 409) {
        // A lone 409: the LRS holds this id with other content (e.g. a title changed since); it is on record there.
        const now = clockNow();
        await db.write(async (tx) => {
          for (const item of items) {
            await tx.insert(xapiDeliveries).values({ endpoint, statementId: item.statement.id, recordKey: item.recordKey, sentAt: now }).onConflictDoNothing();
          }
        });
        for (const item of items) delivered.add(item.statement.id);
        result.sent += items.length;
        result.batches++;
        options.onProgress?.({ ...result, retrying: null });
        return;
      }
      lastError = `LRS answered ${response.status}`;
      if (response.status < 500 && response.status !== 429) break;
    }
    throw new Error(lastError);
  };

  try {
    for await (const item of statements) {
      if (delivered.has(item.statement.id)) {
        result.alreadyDelivered++;
        continue;
      }
      batch.push(item);
      if (batch.length >= batchSize) {
        await send(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await send(batch);
  } catch (error) {
    result.error = (error as Error).message;
  }
  return result;
}
