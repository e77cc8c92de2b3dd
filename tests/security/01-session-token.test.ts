/**
 * Checklist 1: the session token has at least 120 bits from a CSPRNG, the database holds only
 * a hash of its secret, and the secret is compared in constant time (a wrong secret of the
 * right length is refused).
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256 } from '@oslojs/crypto/sha2';
import { eq } from 'drizzle-orm';
import { first } from '../../src/platform/query.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sessions } from '../../db/schema/index.ts';
import { generateSecureRandomString } from '../../src/features/auth/session.server.ts';
import { get, signIn } from '../helpers/http.ts';
import { dumpDatabase, PASSWORD, ROOT, startApp, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { sqlRows } from '../helpers/db.ts';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const TOKEN = /^([abcdefghijkmnpqrstuvwxyz23456789]{24})\.([abcdefghijkmnpqrstuvwxyz23456789]{24})$/;

let app: App;
const tokens: string[] = [];

beforeAll(async () => {
  app = await startApp({ users: { alice: {}, bob: {} }, signIn: false });
  for (let i = 0; i < 8; i++) {
    const { cookie } = await signIn(app.url, i % 2 ? 'bob@example.com' : 'alice@example.com', PASSWORD);
    tokens.push(cookie!.slice('manabi_session='.length));
  }
});

afterAll(async () => {
  await app?.stop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const withToken = (token: string) => `manabi_session=${token}`;

describe('checklist 1: session token ≥ 120 bits from a CSPRNG, only a hash stored, constant-time compare', () => {
  it('gives the browser id.secret, the secret alone 24 characters of a 32-letter alphabet (120 bits)', () => {
    for (const token of tokens) {
      const match = TOKEN.exec(token);
      expect(match, token).not.toBeNull();
      const secret = match![2]!;
      expect(secret.length * Math.log2(ALPHABET.length)).toBeGreaterThanOrEqual(120);
    }
    const ids = tokens.map((t) => t.split('.')[0]);
    const secrets = tokens.map((t) => t.split('.')[1]);
    expect(new Set(ids).size).toBe(tokens.length);
    expect(new Set(secrets).size).toBe(tokens.length);
    // id and secret are independent draws, not one value split in two
    for (const token of tokens) expect(token.split('.')[0]).not.toBe(token.split('.')[1]);
  });

  it('draws every character from WebCrypto getRandomValues (a CSPRNG), never Math.random', () => {
    const math = vi.spyOn(Math, 'random');
    const spy = vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      new Uint8Array(array!.buffer, array!.byteOffset, array!.byteLength).fill(0);
      return array;
    });
    // with the CSPRNG pinned to zeros the output is fully determined by it
    expect(generateSecureRandomString()).toBe('a'.repeat(24));
    expect(spy).toHaveBeenCalled();
    expect(math).not.toHaveBeenCalled();
  });

  it('spreads the characters uniformly over the alphabet (no bias, no stuck positions)', () => {
    vi.restoreAllMocks();
    const counts = new Map<string, number>();
    const positions = Array.from({ length: 24 }, () => new Set<string>());
    const samples = 4000;
    for (let i = 0; i < samples; i++) {
      const value = generateSecureRandomString();
      [...value].forEach((ch, p) => {
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
        positions[p]!.add(ch);
      });
    }
    expect([...counts.keys()].sort().join('')).toBe([...ALPHABET].sort().join(''));
    for (const seen of positions) expect(seen.size).toBe(32);
    // chi-square with 31 degrees of freedom: 90 is far beyond p = 1e-6 for a fair source
    const expected = (samples * 24) / 32;
    const chi = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chi).toBeLessThan(90);
  });

  it('stores only the id and a SHA-256 of the secret: no table holds the secret or the token in any form', async () => {
    const dump = await dumpDatabase(app.db);
    for (const token of tokens) {
      const [id, secret] = token.split('.') as [string, string];
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(token);
      const row = first(await rawDrizzle(app.db).select().from(sessions).where(eq(sessions.id, id)))!;
      expect(row, id).not.toBeNull();
      expect(Buffer.from(row.secretHash).equals(Buffer.from(sha256(new TextEncoder().encode(secret))))).toBe(true);
      const columns = Object.keys((await sqlRows(app.db, 'select * from sessions where id = ?', id))[0]!);
      expect(columns.sort()).toEqual(['auth_method', 'created_at', 'id', 'last_active_at', 'secret_hash', 'user_id']);
    }
  });

  it('refuses a wrong secret of the right length (and every other forgery); the real one still works', async () => {
    const token = tokens[0]!;
    const [id, secret] = token.split('.') as [string, string];
    let other = generateSecureRandomString();
    while (other === secret) other = generateSecureRandomString();
    const lastChar = secret.at(-1) === 'a' ? 'b' : 'a';
    const forgeries = [
      `${id}.${other}`, // right length, wrong secret
      `${id}.${secret.slice(0, -1)}${lastChar}`, // one character off
      `${id}.${secret.slice(0, -1)}`, // one short
      `${id}.${secret}a`, // one long
      `${id}.${secret.toUpperCase()}`,
      `${id}.`,
      `${id}`,
      `${tokens[1]!.split('.')[0]}.${secret}`, // another session's id with this secret
      `${id}.${secret}.${secret}`,
    ];
    for (const forged of forgeries) {
      const response = await get(app.url, '/home', withToken(forged));
      expect(response.status, forged).toBe(302);
      expect(response.headers.get('location'), forged).toMatch(/^\/login\?next=/);
    }
    expect((await get(app.url, '/home', withToken(token))).status).toBe(200);
  });

  it('compares the secret’s hash with a constant-time comparison', () => {
    const file = fs.readFileSync(path.join(ROOT, 'src/features/auth/session.server.ts'), 'utf8');
    const start = file.indexOf('export async function validateSessionToken');
    const source = file.slice(start, file.indexOf('\nexport ', start + 1));
    expect(source.length).toBeGreaterThan(100);
    expect(source).toMatch(/constantTimeEqual\(\s*hashSecret\(secret\)/);
    expect(file).toMatch(/import \{ constantTimeEqual \} from '@oslojs\/crypto\/subtle'/);
    expect(source).not.toMatch(/secretHash\s*[!=]==|[!=]==\s*row\.secretHash|\.equals\(|Buffer\.compare/);
  });
});
