/**
 * `read` and `write` on one better-sqlite3 connection, for synchronous and asynchronous callbacks
 * (issue 18). One FIFO lock per connection (async-lock.ts): a write holds it from `BEGIN IMMEDIATE`
 * to `COMMIT`/`ROLLBACK`, across the callback's awaits, so no other request's statement runs inside
 * its transaction on the shared connection; a read waits while a write is open, so it never sees
 * uncommitted rows, and an asynchronous read holds the lock until it settles. A synchronous callback
 * on a free lock runs at once, as cheaply as before: no promise is awaited, no queue is touched.
 *
 * Inside a write's callback (an AsyncLocalStorage context): `db.read` runs in that transaction (it
 * sees the write's own rows), and `db.write` is refused with NestedWriteError, since the inner write
 * would wait for the lock its caller holds (a deadlock); pass `tx` to a helper instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { AsyncLock } from './async-lock.ts';

/** A `db.write` called inside another `db.write`'s callback on the same connection. */
export class NestedWriteError extends Error {
  constructor() {
    super('db.write was called inside a db.write callback: it would wait for the transaction that calls it. Pass `tx` to a helper that takes `tx: Tx` instead.');
    this.name = 'NestedWriteError';
  }
}

export interface SqliteAccess<Q> {
  read<T>(work: (q: Q) => T | PromiseLike<T>): Promise<T>;
  write<T>(work: (tx: Q) => T | PromiseLike<T>): Promise<T>;
  /** One transaction around several writes; each `write` inside is a savepoint of it (DataAccess.unit). */
  unit<T>(work: () => PromiseLike<T>): Promise<T>;
  /** Runs `work` holding the lock (reads and writes of others wait); for the platform's own tools. */
  exclusive<T>(work: () => T | PromiseLike<T>): Promise<T>;
  lock: AsyncLock;
}

/** Which write's callback the current code runs in (per connection, while that write is open). */
interface WriteScope {
  owner: object;
  open: boolean;
  /** A unit's scope: a `write` inside it becomes a savepoint instead of being refused. */
  unit: boolean;
  /** A unit's write is open (another `write` beside it is refused, as inside any write). */
  nested: boolean;
  /**
   * A unit's write failed and took more than its own rows with it (its savepoint could not be
   * undone, or SQLite ended the whole transaction, as on a full disk): the unit keeps nothing and
   * rejects with this error, however its callback goes on.
   */
  broken?: { error: unknown };
}
const writeScope = new AsyncLocalStorage<WriteScope>();

/**
 * One lock per database file in this process, shared by every connection to it. A write that awaits
 * holds `BEGIN IMMEDIATE` across turns of the event loop; a second connection of the same process
 * would then run its own `BEGIN IMMEDIATE` and wait in better-sqlite3's busy handler, which blocks
 * the thread, so the first write could never finish (both time out). Waiting on the shared lock
 * instead keeps what synchronous callbacks gave: one transaction at a time per file in a process.
 */
const fileLocks = new Map<string, AsyncLock>();

function lockOf(sqlite: Database.Database): AsyncLock {
  if (sqlite.memory || sqlite.name === '') return new AsyncLock();
  const key = path.resolve(sqlite.name);
  let lock = fileLocks.get(key);
  if (!lock) {
    lock = new AsyncLock();
    fileLocks.set(key, lock);
  }
  return lock;
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Runs `work` with the lock already held and releases it when `work` has settled: synchronously for
 * a plain value or a throw, after settling for a promise. `done` runs first (commit or rollback).
 */
function settleHolding<T>(lock: AsyncLock, work: () => T | PromiseLike<T>, done: (failed: boolean, error?: unknown) => void): Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = work();
  } catch (error) {
    return finish(lock, done, true, error) as Promise<T>;
  }
  if (!isThenable(result)) {
    try {
      done(false);
    } catch (error) {
      return finish(lock, done, true, error) as Promise<T>;
    }
    lock.release();
    return Promise.resolve(result);
  }
  return Promise.resolve(result).then(
    (value) => {
      try {
        done(false);
      } catch (error) {
        return finish(lock, done, true, error) as Promise<T>;
      }
      lock.release();
      return value;
    },
    (error: unknown) => finish(lock, done, true, error) as Promise<T>,
  );
}

function finish(lock: AsyncLock, done: (failed: boolean, error?: unknown) => void, failed: boolean, error: unknown): Promise<never> {
  try {
    done(failed, error);
  } catch {
    // The first error is the one worth reporting (a failed rollback after it says less).
  } finally {
    lock.release();
  }
  return Promise.reject(error);
}

/**
 * `read`/`write` on `sqlite`. `tx` is the handle write callbacks get (Drizzle's transaction
 * object, whose `tx.transaction(…)` makes a savepoint); `q` the one read callbacks get.
 */
export function sqliteAccess<Q>(sqlite: Database.Database, q: Q, tx: Q): SqliteAccess<Q> {
  const lock = lockOf(sqlite);
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  const savepoint = sqlite.prepare('SAVEPOINT manabi_unit_write');
  const release = sqlite.prepare('RELEASE manabi_unit_write');
  const rollbackTo = sqlite.prepare('ROLLBACK TO manabi_unit_write');
  // Keyed by the file's lock: a read on another connection inside this write does not wait for it.
  const owner = lock;
  const openScope = (): WriteScope | null => {
    const scope = writeScope.getStore();
    return scope !== undefined && scope.owner === owner && scope.open ? scope : null;
  };
  const inWrite = (): boolean => openScope() !== null;

  const runWrite = <T>(work: (tx: Q) => T | PromiseLike<T>, unit = false): Promise<T> => {
    try {
      begin.run();
    } catch (error) {
      lock.release();
      return Promise.reject(error);
    }
    const scope: WriteScope = { owner, open: true, unit, nested: false };
    return settleHolding(
      lock,
      () => writeScope.run(scope, work, tx),
      (failed) => {
        scope.open = false;
        // SQLite rolls some failures back by itself (a full disk): then there is nothing to end, and a unit kept nothing.
        if (!sqlite.inTransaction) {
          if (!failed && scope.broken) throw scope.broken.error;
          return;
        }
        if (failed) rollback.run();
        else if (scope.broken) {
          rollback.run();
          throw scope.broken.error;
        } else commit.run();
      },
    );
  };
  const noop = (): void => undefined;
  const held = { release: noop } as AsyncLock;

  // A write inside a unit: a savepoint, so a rejected write undoes only its own rows, as its own transaction would have.
  const runNested = <T>(unitScope: WriteScope, work: (tx: Q) => T | PromiseLike<T>): Promise<T> => {
    // Outside a transaction SAVEPOINT would begin a new one, which the unit would then commit half.
    if (unitScope.broken) return Promise.reject(unitScope.broken.error);
    try {
      savepoint.run();
    } catch (error) {
      return Promise.reject(error);
    }
    unitScope.nested = true;
    const scope: WriteScope = { owner, open: true, unit: false, nested: false };
    return settleHolding(
      held,
      () => writeScope.run(scope, work, tx),
      (failed, error) => {
        scope.open = false;
        unitScope.nested = false;
        // A failure SQLite rolled back by itself (a full disk) ended the unit's transaction too: the unit's end reports it.
        if (!sqlite.inTransaction) {
          unitScope.broken ??= { error: error ?? new Error('The transaction of this unit ended during one of its writes.') };
          return;
        }
        if (!failed) {
          release.run();
          return;
        }
        try {
          rollbackTo.run();
          release.run();
        } catch (undo) {
          unitScope.broken ??= { error: undo };
          throw undo;
        }
      },
    );
  };

  return {
    lock,
    write<T>(work: (tx: Q) => T | PromiseLike<T>): Promise<T> {
      const open = openScope();
      if (open?.unit && !open.nested) return runNested(open, work);
      if (open) return Promise.reject(new NestedWriteError());
      if (lock.tryAcquire()) return runWrite(work);
      return lock.acquire().then(() => runWrite(work));
    },
    unit<T>(work: () => PromiseLike<T>): Promise<T> {
      if (inWrite()) return Promise.reject(new NestedWriteError());
      if (lock.tryAcquire()) return runWrite(work, true);
      return lock.acquire().then(() => runWrite(work, true));
    },
    read<T>(work: (q: Q) => T | PromiseLike<T>): Promise<T> {
      // Inside a write: part of that transaction (the lock is already this write's).
      if (inWrite()) {
        try {
          return Promise.resolve(work(q));
        } catch (error) {
          return Promise.reject(error);
        }
      }
      if (lock.tryAcquire()) return settleHolding(lock, () => work(q), noop);
      return lock.acquire().then(() => settleHolding(lock, () => work(q), noop));
    },
    exclusive<T>(work: () => T | PromiseLike<T>): Promise<T> {
      // Inside a write the lock is already this write's: run as before, in its transaction.
      if (inWrite()) return settleHolding(held, work, noop);
      if (lock.tryAcquire()) return settleHolding(lock, work, noop);
      return lock.acquire().then(() => settleHolding(lock, work, noop));
    },
  };
}
