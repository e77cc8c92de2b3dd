/**
 * The answer to a form post, kept for the one redirect after it (post/redirect/get).
 *
 * Why a table and a sealed row: the answer must survive one redirect on any of several server
 * instances (so not process memory), appear exactly once (a one-time sign-in link, a new
 * certificate: so the server deletes it as it is read, which a cookie alone cannot enforce), and
 * be too big for a cookie at times (an import report). The browser holds `id.key` in an HttpOnly
 * cookie; the row holds the answer sealed with AES-256-GCM under `key`, which the server never
 * stores: a copy of the database (or a backup) cannot read a pending answer. Rows expire after
 * RESULT_TTL_MS and are pruned on every write and by the housekeeping timer.
 *
 * A signed-in learner's own forms (the lesson, quiz and check-in posts: `LEARNER_FORMS` in
 * learner-forms.ts) keep their answer in the cookie itself instead (`c1.…`), sealed
 * with AES-256-GCM under a key derived from the session's secret: nothing is written (the row
 * was 40 % of the pages a completion's COMMIT wrote), any instance reads it, only that session
 * can, and a database copy never sees it (the sessions table holds SHA-256 of the secret, not
 * this HMAC of it). What a cookie cannot do is be read only once: a copy of it shows the same
 * answer again within RESULT_TTL_MS, to the same session only. That is why it is kept to
 * answers that show the learner nothing they cannot see anyway (a score, "saved"), never a
 * one-time link or a token; a bigger answer (a long comment echoed back) goes to the table.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { eq, lt, sql } from 'drizzle-orm';
import { formResults } from '../../../db/schema/index.ts';
import type { Db, Tx } from '../db.server.ts';
import { SECURE_STRING_BYTES, secureRandomStringFrom } from '../../features/auth/session.server.ts';
import { now as clockNow } from '../clock.ts';
import { changes, first } from '../query.ts';

/** Long enough for a slow phone to follow a redirect; nothing should wait longer. */
export const RESULT_TTL_MS = 2 * 60 * 1000;

/** What a page needs to render the answer to a post once. */
export interface StoredFormResult {
  /** The action's name, e.g. `lesson.feedback`. */
  action: string;
  /** Astro's serialized action result (data, or error with its fields). */
  result: { type: string; status: number; contentType?: string; body?: string };
  /** The submitted fields without passwords, tokens or files (src/platform/http/form-input.ts). */
  input: [string, string][];
  /** SHA-256 (hex) of the path and query it is shown on: only that page takes it. */
  pathHash: string;
  /** The session it belongs to (null: signed out); another session never sees it. */
  sessionId: string | null;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export function pathHash(pathAndQuery: string): string {
  return createHash('sha256').update(pathAndQuery).digest('hex');
}

function seal(key: Buffer, iv: Buffer, id: string, payload: StoredFormResult): Buffer {
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(id));
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function unseal(key: Buffer, id: string, sealed: Buffer): StoredFormResult | null {
  if (sealed.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const text = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as StoredFormResult;
  } catch {
    // A wrong key or a changed row: nothing to show.
    return null;
  }
}

/** `id.key` from the cookie, or null when it is not one of ours. */
function parseHandle(handle: string): { id: string; key: Buffer } | null {
  const match = /^([a-z2-9]{24})\.([A-Za-z0-9_-]{43})$/.exec(handle);
  if (!match) return null;
  const key = Buffer.from(match[2]!, 'base64url');
  return key.length === KEY_BYTES ? { id: match[1]!, key } : null;
}

/**
 * Stores an answer and returns the cookie value that reads it. Expired rows are never shown
 * (takeFormResult checks) and go with the housekeeping (pruneFormResults), not on every post.
 */
export async function saveFormResult(db: Db, payload: StoredFormResult, now = clockNow(), replaces: string | null = null): Promise<string> {
  // One draw for the id, the key and the IV (three were 6 % of a completion's CPU).
  const random = randomBytes(SECURE_STRING_BYTES + KEY_BYTES + IV_BYTES);
  const id = secureRandomStringFrom(random);
  const key = random.subarray(SECURE_STRING_BYTES, SECURE_STRING_BYTES + KEY_BYTES);
  const sealed = seal(key, random.subarray(SECURE_STRING_BYTES + KEY_BYTES), id, payload);
  const previous = replaces === null ? null : parseHandle(replaces);
  // Prepared once per connection: every successful form post stores one (building the SQL each time was 7 % of a completion's CPU).
  const insert = db.prepared('formResults.insert', (q) =>
    q
      .insert(formResults)
      .values({ id: sql.placeholder('id'), sealed: sql.placeholder('sealed'), expiresAt: sql.placeholder('expiresAt') })
      .prepare(),
  );
  const remove = db.prepared('formResults.delete', (q) =>
    q
      .delete(formResults)
      .where(eq(formResults.id, sql.placeholder('id')))
      .prepare(),
  );
  await db.write(async () => {
    // A newer post replaces the answer the cookie pointed to.
    if (previous) await remove.execute({ id: previous.id });
    await insert.execute({ id, sealed, expiresAt: new Date(now.getTime() + RESULT_TTL_MS) });
  });
  return `${id}.${key.toString('base64url')}`;
}

export type TakeResult = { status: 'taken'; payload: StoredFormResult } | { status: 'elsewhere' } | { status: 'gone' };

/**
 * The answer for this page and session, read once: it is deleted as it is taken, so a second
 * request with the same cookie (a reload, a replay) gets nothing. An answer for another page is
 * left for that page (`elsewhere`); one for another session is dropped.
 */
export async function takeFormResult(db: Db, handle: string, shownOn: string, sessionId: string | null, now = clockNow()): Promise<TakeResult> {
  const parsed = parseHandle(handle);
  if (!parsed) return { status: 'gone' };
  const row = await db.read(async (q) => first(await q.select().from(formResults).where(eq(formResults.id, parsed.id))));
  if (!row || row.expiresAt.getTime() <= now.getTime()) return { status: 'gone' };
  const payload = unseal(parsed.key, parsed.id, row.sealed);
  if (!payload || payload.sessionId !== sessionId) {
    await dropFormResult(db, handle);
    return { status: 'gone' };
  }
  if (payload.pathHash !== pathHash(shownOn)) return { status: 'elsewhere' };
  // Two requests at once with the same cookie: only the one whose delete took the row shows it.
  const taken = await db.write(async (tx) => changes(await tx.delete(formResults).where(eq(formResults.id, parsed.id))));
  return taken === 1 ? { status: 'taken', payload } : { status: 'gone' };
}

/** Drops the answer a cookie points to (a newer post replaces it). */
export async function dropFormResult(db: Db, handle: string): Promise<void> {
  const parsed = parseHandle(handle);
  if (parsed) await db.write(async (tx) => await tx.delete(formResults).where(eq(formResults.id, parsed.id)));
}

export async function pruneFormResults(db: Db, now = clockNow()): Promise<number> {
  return db.write(async (tx) => await prune(tx, now));
}

async function prune(tx: Tx, now: Date): Promise<number> {
  return changes(await tx.delete(formResults).where(lt(formResults.expiresAt, now)));
}

/** The mark of an answer kept in the cookie (a table handle is `id.key`, and never starts so). */
const COOKIE_PREFIX = 'c1.';
/** Browsers keep 4,096 bytes per cookie, name and attributes included. */
const MAX_COOKIE_CHARS = 3000;
/** The AAD of a cookie-kept answer: its key is the session's, so nothing else to bind (exported for the tests). */
export const COOKIE_AAD = 'manabi form result in cookie v1';

interface SessionCredential {
  id: string;
  /** The session cookie's `id.secret`. */
  token: string;
}

/** Not SHA-256 of the secret (what the sessions table stores): an HMAC keyed by the token. */
function cookieKey(token: string): Buffer {
  return createHmac('sha256', token).update(COOKIE_AAD).digest();
}

export function isCookieHandle(handle: string): boolean {
  return handle.startsWith(COOKIE_PREFIX);
}

/** The cookie value holding the answer itself, sealed for this session; null when too big for a cookie. */
export function sealForCookie(payload: StoredFormResult, session: SessionCredential, now = clockNow()): string | null {
  const sealed = seal(cookieKey(session.token), randomBytes(IV_BYTES), COOKIE_AAD, {
    ...payload,
    sessionId: session.id,
    expiresAt: now.getTime() + RESULT_TTL_MS,
  } as StoredFormResult);
  const handle = COOKIE_PREFIX + sealed.toString('base64url');
  return handle.length <= MAX_COOKIE_CHARS ? handle : null;
}

/** A cookie-kept answer for this page and session (`elsewhere` for another page of it), else gone. */
export function openCookieResult(handle: string, shownOn: string, session: SessionCredential | null, now = clockNow()): TakeResult {
  if (session === null || !/^c1\.[A-Za-z0-9_-]+$/.test(handle)) return { status: 'gone' };
  const encoded = handle.slice(COOKIE_PREFIX.length);
  const sealed = Buffer.from(encoded, 'base64url');
  // Only the one encoding of those bytes: base64 ignores a trailing character's spare bits.
  if (sealed.toString('base64url') !== encoded) return { status: 'gone' };
  const payload = unseal(cookieKey(session.token), COOKIE_AAD, sealed) as (StoredFormResult & { expiresAt?: unknown }) | null;
  if (!payload || payload.sessionId !== session.id || typeof payload.expiresAt !== 'number' || payload.expiresAt <= now.getTime()) return { status: 'gone' };
  if (payload.pathHash !== pathHash(shownOn)) return { status: 'elsewhere' };
  const { expiresAt: _expires, ...answer } = payload;
  return { status: 'taken', payload: answer };
}
