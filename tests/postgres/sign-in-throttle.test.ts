/**
 * Sign-in throttling shared by instances on a real PostgreSQL (issue 18): two "instances" (two pg
 * Pools, two `Db` handles on one database, each with its own limiters) count the same attempts
 * through rate-limiter-flexible's PostgreSQL store; a known address recorded on one counts on the
 * other; a database that cannot answer falls back to the instance's memory, logged. The same
 * checks as on SQLite (src/features/auth/rate-limit.server.test.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Db } from '../../src/platform/db.server.ts';
import { freePort } from '../helpers/server.ts';
import { openPostgres, postgresReady } from '../../src/platform/postgres.server.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import {
  checkAccountCountedOnce,
  checkAddressCountedOnce,
  checkKnownAddressShared,
  checkNothingInClear,
  checkPairCountedOnce,
  checkPrune,
  checkStorageFailureFallsBack,
  stubThrottleLimits,
} from '../helpers/sign-in-throttle-checks.ts';

let cluster: PostgresCluster;
let a: Db;
let b: Db;
let unreachable: Db;

const settings = (url: string) => ({ url, poolSize: 2, connectTimeoutMs: 2000, idleTimeoutMs: 1000, statementTimeoutMs: 5000 });

beforeAll(async () => {
  stubThrottleLimits();
  cluster = await startPostgres();
  a = openPostgres(settings(cluster.url));
  await postgresReady(a);
  b = openPostgres(settings(cluster.url), { migrate: false });
  // A server that is not there: every statement fails (connection refused).
  unreachable = openPostgres(settings(`postgres://postgres@127.0.0.1:${await freePort()}/manabi_test`), { migrate: false });
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), unreachable?.close()]);
  await cluster?.stop();
});

describe('sign-in throttling on PostgreSQL, two instances on one database', () => {
  it('counts one address’s attempts on both against the one allowance', () => checkAddressCountedOnce(a, b));
  it('counts one account’s attempts from unknown addresses on both once', () => checkAccountCountedOnce(a, b));
  it('an address known on A skips the per-account bucket on B', () => checkKnownAddressShared(a, b));
  it('counts a known address’s attempts on both against its per-account-and-address allowance', () => checkPairCountedOnce(a, b));
  it('stores no email or address in clear', () => checkNothingInClear(a));
  it('falls back to this instance’s memory, logged, when the database cannot answer', () => checkStorageFailureFallsBack(unreachable));
  it('prunes expired counters and known addresses in batches', () => checkPrune(b));
});
