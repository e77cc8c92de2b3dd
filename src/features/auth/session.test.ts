import { sha256 } from '@oslojs/crypto/sha2';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessions, users } from '../../../db/schema/index.ts';
import { createSession, deleteExpiredSessions, deleteUserSessions, generateSecureRandomString, hashSecret, validateSessionToken } from './session.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { rawSqlite, rawDrizzle } from '../../platform/db.server.ts';
import { first } from '../../platform/query.ts';

const lifetime = { idleMs: 60 * 60_000, maxAgeMs: 24 * 60 * 60_000 };

describe('session tokens', () => {
  it('generates 24 characters of a 32-letter alphabet (120 bits), never repeating', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const value = generateSecureRandomString();
      expect(value).toMatch(/^[abcdefghijkmnpqrstuvwxyz23456789]{24}$/);
      seen.add(value);
    }
    expect(seen.size).toBe(2000);
  });

  it('uses every letter of the alphabet (the randomness is not stuck on a subset)', async () => {
    const letters = new Set([...Array.from({ length: 400 }, generateSecureRandomString).join('')]);
    expect(letters.size).toBe(32);
  });
});

describe('sessions in the database', () => {
  let t: TempDb;
  let userId: number;
  beforeEach(async () => {
    t = tempDb();
    userId = await addUser(t.db, { email: 'a@example.com' });
  });
  afterEach(() => t.cleanup());

  it('stores only the id and a SHA-256 of the secret', async () => {
    const { token } = await createSession(t.db, userId, lifetime);
    const [id, secret] = token.split('.') as [string, string];
    const row = first(await rawDrizzle(t.db).select().from(sessions).where(eq(sessions.id, id)))!;
    expect(Buffer.from(row.secretHash).equals(Buffer.from(sha256(new TextEncoder().encode(secret))))).toBe(true);
    const dump = JSON.stringify(rawSqlite(t.db).prepare('select * from sessions').all());
    expect(dump).not.toContain(secret);
  });

  it('accepts the right token and returns the user', async () => {
    const { token } = await createSession(t.db, userId, lifetime);
    const result = await validateSessionToken(t.db, token, lifetime);
    expect(result?.user.email).toBe('a@example.com');
    expect(result?.user.departmentName).toBe('営業部');
  });

  it('refuses a wrong secret of the right length', async () => {
    const { token } = await createSession(t.db, userId, lifetime);
    const [id, secret] = token.split('.') as [string, string];
    let wrong = generateSecureRandomString();
    while (wrong === secret) wrong = generateSecureRandomString();
    expect(wrong).toHaveLength(secret.length);
    expect(await validateSessionToken(t.db, `${id}.${wrong}`, lifetime)).toBeNull();
    // one changed character is enough
    const flipped = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a');
    expect(await validateSessionToken(t.db, `${id}.${flipped}`, lifetime)).toBeNull();
  });

  it('refuses malformed tokens and unknown ids', async () => {
    const { token } = await createSession(t.db, userId, lifetime);
    const [, secret] = token.split('.') as [string, string];
    for (const bad of ['', '.', 'abc', `${token}.x`, `.${secret}`, `${generateSecureRandomString()}.${secret}`]) {
      expect(await validateSessionToken(t.db, bad, lifetime)).toBeNull();
    }
  });

  it('ends a session after the inactivity timeout', async () => {
    const start = new Date('2026-01-01T09:00:00Z');
    const { token } = await createSession(t.db, userId, lifetime, start);
    const almost = new Date(start.getTime() + lifetime.idleMs - 1000);
    expect(await validateSessionToken(t.db, token, lifetime, almost)).not.toBeNull();
    // activity refreshed the clock, so another idle period from `almost` is still fine
    expect(await validateSessionToken(t.db, token, lifetime, new Date(almost.getTime() + lifetime.idleMs - 1000))).not.toBeNull();
    const late = new Date(almost.getTime() + 2 * lifetime.idleMs);
    expect(await validateSessionToken(t.db, token, lifetime, late)).toBeNull();
    expect(await rawDrizzle(t.db).select().from(sessions)).toHaveLength(0);
  });

  it('ends a session after the absolute lifetime, however active', async () => {
    const start = new Date('2026-01-01T09:00:00Z');
    const { token } = await createSession(t.db, userId, lifetime, start);
    let now = start.getTime();
    while (now < start.getTime() + lifetime.maxAgeMs - lifetime.idleMs) {
      now += lifetime.idleMs / 2;
      expect(await validateSessionToken(t.db, token, lifetime, new Date(now))).not.toBeNull();
    }
    expect(await validateSessionToken(t.db, token, lifetime, new Date(start.getTime() + lifetime.maxAgeMs))).toBeNull();
  });

  it('writes last activity at most once a minute', async () => {
    const start = new Date('2026-01-01T09:00:00Z');
    const { token, session } = await createSession(t.db, userId, lifetime, start);
    await validateSessionToken(t.db, token, lifetime, new Date(start.getTime() + 30_000));
    const read = async () => first(await rawDrizzle(t.db).select().from(sessions).where(eq(sessions.id, session.id)))!.lastActiveAt.getTime();
    expect(await read()).toBe(start.getTime());
    await validateSessionToken(t.db, token, lifetime, new Date(start.getTime() + 61_000));
    expect(await read()).toBe(start.getTime() + 61_000);
  });

  it('refuses the session of a deactivated user and sees a role change at once', async () => {
    const { token } = await createSession(t.db, userId, lifetime);
    await rawDrizzle(t.db).update(users).set({ role: 'champion' }).where(eq(users.id, userId));
    expect((await validateSessionToken(t.db, token, lifetime))?.user.role).toBe('champion');
    await rawDrizzle(t.db).update(users).set({ active: false }).where(eq(users.id, userId));
    expect(await validateSessionToken(t.db, token, lifetime)).toBeNull();
  });

  it('ends all of a user’s sessions, optionally keeping one', async () => {
    const a = await createSession(t.db, userId, lifetime);
    const b = await createSession(t.db, userId, lifetime);
    expect(await deleteUserSessions(rawDrizzle(t.db), userId, a.session.id)).toBe(1);
    expect(await validateSessionToken(t.db, a.token, lifetime)).not.toBeNull();
    expect(await validateSessionToken(t.db, b.token, lifetime)).toBeNull();
    expect(await deleteUserSessions(rawDrizzle(t.db), userId)).toBe(1);
  });

  it('housekeeping removes only expired sessions', async () => {
    const old = new Date(Date.now() - 2 * lifetime.maxAgeMs);
    await createSession(t.db, userId, lifetime, old);
    const fresh = await createSession(t.db, userId, lifetime);
    expect(await deleteExpiredSessions(t.db, lifetime)).toBe(1);
    expect(await validateSessionToken(t.db, fresh.token, lifetime)).not.toBeNull();
  });

  it('hashSecret is SHA-256', async () => {
    expect(Buffer.from(hashSecret('abc')).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
