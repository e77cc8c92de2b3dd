/**
 * The answer to a post kept for one redirect (src/platform/http/form-results.server.ts), on a real SQLite
 * file: sealed (the row alone reads nothing), read once, only by its page and session, expiring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formResults } from '../../../db/schema/index.ts';
import { createDecipheriv } from 'node:crypto';
import { hashSecret } from '../../features/auth/session.server.ts';
import {
  COOKIE_AAD,
  openCookieResult,
  pathHash,
  pruneFormResults,
  RESULT_TTL_MS,
  saveFormResult,
  sealForCookie,
  takeFormResult,
  type StoredFormResult,
} from './form-results.server.ts';
import { tempDb, type TempDb } from '../../../tests/helpers/db.ts';

let t: TempDb;
beforeAll(() => {
  t = tempDb();
});
afterAll(() => t?.cleanup());

const LINK = 'https://manabi.example/login/link/abcdefghijkmnpqrstuvwxyz.abcdefghijkmnpqrstuvwxyz';
const payload = (over: Partial<StoredFormResult> = {}): StoredFormResult => ({
  action: 'admin.createLoginLink',
  result: { type: 'data', status: 200, contentType: 'application/json+devalue', body: JSON.stringify([{ link: 1 }, LINK]) },
  input: [['userId', '7']],
  pathHash: pathHash('/admin/users?q=yamada'),
  sessionId: 'session-a',
  ...over,
});

describe('form results', () => {
  it('are sealed: the row does not contain the answer, and another key reads nothing', async () => {
    const handle = await saveFormResult(t.db, payload());
    const row = (await t.db.read(async (q) => await q.select().from(formResults))).find((r) => handle.startsWith(`${r.id}.`))!;
    expect(row.sealed.toString('latin1')).not.toContain('login/link');
    const [id] = handle.split('.');
    const forged = `${id}.${Buffer.alloc(32, 7).toString('base64url')}`;
    expect((await takeFormResult(t.db, forged, '/admin/users?q=yamada', 'session-a')).status).toBe('gone');
  });

  it('are read exactly once, by their page and session only', async () => {
    const handle = await saveFormResult(t.db, payload());
    expect((await takeFormResult(t.db, handle, '/admin/users', 'session-a')).status).toBe('elsewhere');
    const taken = await takeFormResult(t.db, handle, '/admin/users?q=yamada', 'session-a');
    expect(taken.status).toBe('taken');
    expect(taken.status === 'taken' && taken.payload.result.body).toContain(LINK);
    expect((await takeFormResult(t.db, handle, '/admin/users?q=yamada', 'session-a')).status).toBe('gone');

    const other = await saveFormResult(t.db, payload());
    expect((await takeFormResult(t.db, other, '/admin/users?q=yamada', 'session-b')).status).toBe('gone');
    expect((await takeFormResult(t.db, other, '/admin/users?q=yamada', 'session-a')).status).toBe('gone');
  });

  it('expire, and expired rows are pruned', async () => {
    const then = new Date('2026-04-01T09:00:00Z');
    const handle = await saveFormResult(t.db, payload({ sessionId: null }), then);
    const later = new Date(then.getTime() + RESULT_TTL_MS + 1);
    expect((await takeFormResult(t.db, handle, '/admin/users?q=yamada', null, later)).status).toBe('gone');
    expect(await pruneFormResults(t.db, later)).toBeGreaterThanOrEqual(1);
    expect((await t.db.read(async (q) => await q.select().from(formResults))).filter((r) => r.expiresAt.getTime() < later.getTime())).toEqual([]);
  });

  it('refuse handles that are not theirs', async () => {
    for (const handle of ['', 'x', 'abc.def', `${'a'.repeat(24)}.${'A'.repeat(43)}`]) {
      expect((await takeFormResult(t.db, handle, '/', null)).status).toBe('gone');
    }
  });

  describe("kept in the cookie (a learner's own forms)", () => {
    const session = { id: 'sessionaaaaaaaaaaaaaaaaa', token: 'sessionaaaaaaaaaaaaaaaaa.secretbbbbbbbbbbbbbbbbb' };
    const score = (over: Partial<StoredFormResult> = {}): StoredFormResult =>
      payload({
        action: 'quiz.submit',
        result: { type: 'data', status: 200, body: '[{"score":1},"seven of eight"]' },
        sessionId: session.id,
        pathHash: pathHash('/quiz/q1/attempts/a1'),
        ...over,
      });
    const rowCount = async (): Promise<number> => (await t.db.read(async (q) => await q.select().from(formResults))).length;

    it('write nothing, hold the answer sealed, and are read by their page and session', async () => {
      const before = await rowCount();
      const handle = sealForCookie(score(), session)!;
      expect(await rowCount()).toBe(before);
      expect(Buffer.from(handle.slice(3), 'base64url').toString('latin1')).not.toContain('seven of eight');
      expect(openCookieResult(handle, '/quiz/q1', session).status).toBe('elsewhere');
      const taken = openCookieResult(handle, '/quiz/q1/attempts/a1', session);
      expect(taken.status === 'taken' && taken.payload).toEqual(score());
    });

    it('are unreadable by another session, a changed cookie, or a database copy', () => {
      const handle = sealForCookie(score(), session)!;
      const path = '/quiz/q1/attempts/a1';
      expect(openCookieResult(handle, path, { id: session.id, token: `${session.id}.secretccccccccccccccccc` }).status).toBe('gone');
      expect(openCookieResult(handle, path, { id: 'sessiondddddddddddddddddd', token: session.token }).status).toBe('gone');
      expect(openCookieResult(handle, path, null).status).toBe('gone');
      const bytes = Buffer.from(handle.slice(3), 'base64url');
      bytes[20] = bytes[20]! ^ 1;
      expect(openCookieResult(`c1.${bytes.toString('base64url')}`, path, session).status).toBe('gone');
      for (const bad of ['c1.', 'c1.!!', 'c2.abc', handle.slice(1)]) expect(openCookieResult(bad, path, session).status).toBe('gone');
      // What the sessions table holds (SHA-256 of the secret) is not the key.
      const sealed = Buffer.from(handle.slice(3), 'base64url');
      const stored = Buffer.from(hashSecret(session.token.split('.')[1]!));
      for (const aad of [null, COOKIE_AAD]) {
        const decipher = createDecipheriv('aes-256-gcm', stored, sealed.subarray(0, 12));
        if (aad) decipher.setAAD(Buffer.from(aad));
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        decipher.update(sealed.subarray(12, sealed.length - 16));
        expect(() => decipher.final()).toThrow();
      }
    });

    it('expire, and an answer too big for a cookie is not kept there', () => {
      const then = new Date('2026-04-01T09:00:00Z');
      const handle = sealForCookie(score(), session, then)!;
      expect(openCookieResult(handle, '/quiz/q1/attempts/a1', session, new Date(then.getTime() + RESULT_TTL_MS - 1)).status).toBe('taken');
      expect(openCookieResult(handle, '/quiz/q1/attempts/a1', session, new Date(then.getTime() + RESULT_TTL_MS)).status).toBe('gone');
      expect(sealForCookie(score({ input: [['comment', 'あ'.repeat(2000)]] }), session)).toBeNull();
    });
  });
});
