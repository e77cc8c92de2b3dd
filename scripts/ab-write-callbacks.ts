/**
 * In-process A/B of the write path (issue 18): lesson completions (completeOpenLesson, the hot
 * write) through today's `db.write` (lock, manual BEGIN IMMEDIATE/COMMIT, sync-or-async callback)
 * against the previous one (Drizzle's `connection.transaction(fn, { behavior: 'immediate' })`), on
 * one real SQLite file, in alternating blocks of fresh completions. Prints the ratio new/old.
 * Usage: node scripts/ab-write-callbacks.ts [blocks=20] [usersPerBlock=20] [new-first]
 */
import { completeOpenLesson } from '../src/features/progress/progress.server.ts';
import { rawDrizzle, type Db, type Tx } from '../src/platform/db.server.ts';
import { shippedCatalog } from '../tests/helpers/catalog.ts';
import { addUser, tempDb } from '../tests/helpers/db.ts';

const blocks = Number(process.argv[2] ?? 20);
const usersPerBlock = Number(process.argv[3] ?? 20);
// Which variant runs first in each pair (to see that the order does not decide the ratio).
const [even, odd] = process.argv[4] === 'new-first' ? (['new', 'old'] as const) : (['old', 'new'] as const);
const t = tempDb();
const catalog = shippedCatalog();
const lessons = catalog.tiers[0]!.courses.flatMap((course) => course.lessons);

/** The previous implementation of read/write, over the same connection and prepared statements. */
function previous(db: Db): Db {
  const connection = rawDrizzle(db);
  const settle = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    ...db,
    prepared: db.prepared,
    read: <T>(work: (q: Tx) => T | PromiseLike<T>) => settle(() => work(connection)) as Promise<T>,
    write: <T>(work: (tx: Tx) => T | PromiseLike<T>) => settle(() => connection.transaction((tx) => work(tx), { behavior: 'immediate' })) as Promise<T>,
  };
}

const variants: Record<'old' | 'new', Db> = { old: previous(t.db), new: t.db };
const totals = { old: 0, new: 0 };
const counts = { old: 0, new: 0 };
try {
  // A warm-up block on each, not counted.
  for (let block = -2; block < blocks; block++) {
    const name = (block + 2) % 2 === 0 ? even : odd;
    const db = variants[name];
    const users: number[] = [];
    for (let i = 0; i < usersPerBlock; i++) users.push(await addUser(t.db, { email: `ab${block + 2}-${i}@example.jp` }));
    const started = performance.now();
    for (const lesson of lessons) {
      for (const id of users) await completeOpenLesson(db, catalog, { id, displayName: 'AB' }, lesson, 'Asia/Tokyo');
    }
    const elapsed = performance.now() - started;
    if (block >= 0) {
      totals[name] += elapsed;
      counts[name] += users.length * lessons.length;
    }
  }
  const perOld = (totals.old / counts.old) * 1000;
  const perNew = (totals.new / counts.new) * 1000;
  console.log(
    `completions: old ${counts.old} in ${totals.old.toFixed(0)} ms (${perOld.toFixed(1)} µs each), new ${counts.new} in ${totals.new.toFixed(0)} ms (${perNew.toFixed(1)} µs each)`,
  );
  console.log(`ratio new/old: ${(perNew / perOld).toFixed(3)}`);
} finally {
  t.cleanup();
}
