/** Which PostgreSQL failures are "the database is out of reach" (a 503) and which are bugs or rules (not). */
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isConnectionLoss } from './postgres.server.ts';
import { isStorageUnavailable } from './storage-errors.server.ts';

const coded = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });
/** As Drizzle wraps a driver error: the SQL in the message, the driver's error as the cause. */
const wrapped = (cause: Error): Error => new Error('Failed query: select 1', { cause });

describe('a lost PostgreSQL', () => {
  it('is told from its codes and messages, also inside the error Drizzle wraps', () => {
    for (const error of [
      coded('57P01', 'terminating connection due to administrator command'),
      coded('57P03', 'the database system is starting up'),
      coded('08006'),
      coded('53300', 'sorry, too many clients already'),
      coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      wrapped(coded('57P01')),
      wrapped(new Error('Connection terminated unexpectedly')),
    ]) {
      expect(isConnectionLoss(error), error.message).toBe(true);
    }
  });

  it('is not a broken rule or a bug: a unique violation, a missing table, a syntax error, a cancelled statement', () => {
    for (const error of [coded('23505'), coded('42P01'), coded('42601'), wrapped(coded('23503')), new Error('Cannot read properties of undefined')]) {
      expect(isConnectionLoss(error), error.message).toBe(false);
    }
  });

  it('is answered as storage unavailable (503), as a full disk is on SQLite', () => {
    expect(isStorageUnavailable(new DatabaseUnavailableError(new Error('Connection terminated unexpectedly')))).toBe(true);
    expect(isStorageUnavailable(wrapped(coded('57P01')))).toBe(true);
    expect(isStorageUnavailable(wrapped(coded('23505')))).toBe(false);
    expect(isStorageUnavailable(new Error('Connection terminated unexpectedly'))).toBe(false);
  });
});
