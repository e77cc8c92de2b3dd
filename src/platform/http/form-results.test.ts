/**
 * The answer to a post kept for one redirect (src/platform/http/form-results.server.ts), on a real SQLite
 * file: sealed (the row alone reads nothing), read once, only by its page and session, expiring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formResults } from '../../../db/schema/index.ts';
import { pathHash, pruneFormResults, RESULT_TTL_MS, saveFormResult, takeFormResult, type StoredFormResult } from './form-results.server.ts';
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
});
