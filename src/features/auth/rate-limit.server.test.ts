/**
 * Sign-in throttling shared through the database on SQLite (issue 18): two connections to one
 * file, each with its own limiters, count the same attempts (tests/helpers/sign-in-throttle-checks.ts;
 * tests/postgres/sign-in-throttle.test.ts runs the same checks on PostgreSQL).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkAccountCountedOnce,
  checkAddressCountedOnce,
  checkKnownAddressShared,
  checkNothingInClear,
  checkPairCountedOnce,
  checkPrune,
  checkStorageFailureFallsBack,
  stubThrottleLimits,
} from '../../../tests/helpers/sign-in-throttle-checks.ts';
import { type Db, openDatabase, rawSqlite } from '../../platform/db.server.ts';
import { consumeSignInAttempt } from './rate-limit.server.ts';

const migrationsFolder = path.resolve('db/migrations');
let dir: string;
let a: Db;
let b: Db;
let broken: Db;

beforeAll(() => {
  stubThrottleLimits();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-throttle-'));
  a = openDatabase(path.join(dir, 'shared.db'), { migrationsFolder });
  b = openDatabase(path.join(dir, 'shared.db'), { migrationsFolder });
  broken = openDatabase(path.join(dir, 'broken.db'), { migrationsFolder });
  rawSqlite(broken).exec('drop table sign_in_limits; drop table sign_in_known_addresses');
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), broken?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sign-in throttling on SQLite, two connections to one file', () => {
  it('counts one address’s attempts on both against the one allowance', () => checkAddressCountedOnce(a, b));
  it('counts one account’s attempts from unknown addresses on both once', () => checkAccountCountedOnce(a, b));
  it('an address known on A skips the per-account bucket on B', () => checkKnownAddressShared(a, b));
  it('counts a known address’s attempts on both against its per-account-and-address allowance', () => checkPairCountedOnce(a, b));
  it('stores no email or address in clear', () => checkNothingInClear(a));
  it('falls back to this instance’s memory, logged, when the tables cannot answer', () => checkStorageFailureFallsBack(broken));
  it('counts attempts made while another request’s write is open on the connection, though that write rolls back', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const write = a.write(async () => {
      await gate;
      throw new Error('this request failed');
    });
    // Without the connection's lock the store's upserts would run inside that transaction.
    const attempts = Array.from({ length: 8 }, (_, i) => consumeSignInAttempt(a, '198.51.100.77', `during${i}@example.com`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await expect(write).rejects.toThrow('this request failed');
    expect(await Promise.all(attempts)).toEqual(Array(8).fill(null));
    expect(await consumeSignInAttempt(b, '198.51.100.77', 'after@example.com'), 'the ninth, on B').not.toBeNull();
  });
  it('prunes expired counters and known addresses in batches', () => checkPrune(b));
});
