/**
 * Pushes xAPI statements to the configured LRS (XAPI_ENDPOINT) in batches, with retries,
 * recording what was delivered so nothing is sent twice and nothing is lost: statements are
 * marked delivered only after the LRS answered 200, and a re-sent statement has the same id
 * and content (so an LRS that already stored it before an interruption accepts it again).
 */
import { xapiDeliveries } from '../../../db/schema.ts';
import { XAPI_VERSION } from '../xapi.ts';
import type { Db } from './db.ts';
import type { KeyedStatement } from './xapi-export.ts';

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
  fetch?: typeof fetch;
}

export async function pushStatements(db: Db, statements: Iterable<KeyedStatement>, options: PushOptions): Promise<PushResult> {
  const batchSize = options.batchSize ?? 50;
  const retries = options.retries ?? 3;
  const doFetch = options.fetch ?? fetch;
  const url = `${options.endpoint.replace(/\/$/, '')}/statements`;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-experience-api-version': XAPI_VERSION };
  if (options.username !== null) headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;

  const delivered = new Set(db.select({ id: xapiDeliveries.statementId }).from(xapiDeliveries).all().map((r) => r.id));
  const result: PushResult = { sent: 0, alreadyDelivered: 0, batches: 0, error: null };
  let batch: KeyedStatement[] = [];

  const send = async (items: KeyedStatement[]): Promise<void> => {
    let lastError = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      let response: Response;
      try {
        response = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(items.map((i) => i.statement)) });
      } catch (error) {
        lastError = `network: ${(error as Error).message}`;
        continue;
      }
      if (response.status === 409 && items.length > 1) {
        // The LRS refused the batch because one id exists with other content: find it, deliver the rest.
        for (const item of items) await send([item]);
        return;
      }
      if (response.status === 200 || response.status === 204 || response.status === 409) {
        // A lone 409: the LRS holds this id with other content (e.g. a title changed since); it is on record there.
        const now = new Date();
        db.transaction((tx) => {
          for (const item of items) {
            tx.insert(xapiDeliveries).values({ statementId: item.statement.id, recordKey: item.recordKey, endpoint: options.endpoint, sentAt: now }).onConflictDoNothing().run();
          }
        }, { behavior: 'immediate' });
        for (const item of items) delivered.add(item.statement.id);
        result.sent += items.length;
        result.batches++;
        return;
      }
      lastError = `LRS answered ${response.status}`;
      if (response.status < 500 && response.status !== 429) break;
    }
    throw new Error(lastError);
  };

  try {
    for (const item of statements) {
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
