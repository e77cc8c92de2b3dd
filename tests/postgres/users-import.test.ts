/**
 * The users CSV import across instances (issue 18): two pools on one PostgreSQL database stand
 * for two Manabi instances. Imports take turns under an advisory lock, so two files naming the
 * same person give one user and one clear refusal; a person created elsewhere mid-import (the
 * role form, SCIM: no advisory lock) makes the import look again, not fail with a stack trace.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departments, users } from '../../db/schema/index.ts';
import { IMPORT_LOCK, type ImportReport, importUsersCsv } from '../../src/features/users/import.server.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { rows } from '../../src/platform/query.ts';
import type { Db } from '../../src/platform/db.server.ts';
import { openInstances, type PostgresCluster, startPostgres } from '../helpers/postgres.ts';

const ROUNDS = 5;
const header = 'email,name,department,role\n';
const csv = (lines: string[]): Buffer => Buffer.from(`${header}${lines.join('\n')}\n`);

let cluster: PostgresCluster;
let a: Db;
let b: Db;

beforeAll(async () => {
  cluster = await startPostgres();
  [a, b] = await openInstances(cluster, 4);
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await cluster?.stop();
});

const usersWith = async (emails: string[]): Promise<string[]> =>
  (await rawDrizzle(a).select({ email: users.email }).from(users).where(inArray(users.email, emails))).map((u) => u.email).sort();

/** Waits (at most 10 s) until some other session waits for a lock of this type; the number waiting. */
async function waitForBlocked(client: pg.Client, locktype: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (let polls = 0; polls < 500 && Date.now() < deadline; polls++) {
    const locks = await client.query<{ n: number }>('select count(*)::int as n from pg_locks where not granted and locktype = $1 and pid <> pg_backend_pid()', [locktype]);
    if (locks.rows[0]!.n > 0) return locks.rows[0]!.n;
    await new Promise((r) => setTimeout(r, 20));
  }
  return 0;
}

const departmentCount = async (name: string): Promise<number> => (await rawDrizzle(a).select().from(departments).where(eq(departments.name, name))).length;

describe('users CSV import on two instances', () => {
  it('two files naming the same person at once: one imports, the other is refused and writes nothing', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const shared = `shared${round}@example.co.jp`;
      const onlyA = `a${round}@example.co.jp`;
      const onlyB = `b${round}@example.co.jp`;
      const dept = `共通部${round}`;
      const [fromA, fromB] = await Promise.all([
        importUsersCsv(a, csv([`${onlyA},A,${dept},learner`, `${shared},S,${dept},learner`])),
        importUsersCsv(b, csv([`${shared},S,${dept},champion`, `${onlyB},B,${dept},learner`])),
      ]);
      const reports: ImportReport[] = [fromA, fromB];
      expect(reports.filter((r) => r.ok)).toHaveLength(1);
      const refused = reports.find((r) => !r.ok)!;
      expect(refused.problems).toEqual([expect.objectContaining({ code: 'already_exists', params: { email: shared } })]);
      expect(refused.created).toBe(0);
      const winnerOnly = fromA.ok ? onlyA : onlyB;
      expect(await usersWith([shared, onlyA, onlyB])).toEqual([shared, winnerOnly].sort());
      expect(await departmentCount(dept)).toBe(1);
    }
  });

  it('two files with different people and the same new department at once: both import, the department once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dept = `新設部${round}`;
      const people = Array.from({ length: 40 }, (_, i) => `p${round}-${i}@example.co.jp`);
      const [fromA, fromB] = await Promise.all([
        importUsersCsv(a, csv(people.slice(0, 20).map((e) => `${e},P,${dept},learner`))),
        importUsersCsv(b, csv(people.slice(20).map((e) => `${e},P,${dept},learner`))),
      ]);
      expect([fromA, fromB].map((r) => [r.ok, r.created])).toEqual([
        [true, 20],
        [true, 20],
      ]);
      expect(await usersWith(people)).toEqual([...people].sort());
      expect(await departmentCount(dept)).toBe(1);
      const inDept = await rows<{ n: number }>(rawDrizzle(a), sql`select count(*)::int as n from users u join departments d on d.id = u.department_id where d.name = ${dept}`);
      expect(inDept[0]?.n).toBe(40);
    }
  });

  it('imports take turns: one waits while another instance holds the import lock', async () => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      await client.query('select pg_advisory_lock(cast($1 as bigint))', [IMPORT_LOCK]);
      const importing = importUsersCsv(b, csv(['turn@example.co.jp,T,順番部,learner']));
      expect(await waitForBlocked(client, 'advisory'), 'the import should wait for the lock').toBeGreaterThan(0);
      expect(await usersWith(['turn@example.co.jp'])).toEqual([]);
      await client.query('select pg_advisory_unlock(cast($1 as bigint))', [IMPORT_LOCK]);
      expect(await importing).toMatchObject({ ok: true, created: 1 });
    } finally {
      await client.end();
    }
  });

  it('six overlapping files at once (a chain of shared people): no error, each person once, refused files write nothing', async () => {
    const person = (i: number): string => `chain${i}@example.co.jp`;
    const files = Array.from({ length: 6 }, (_, i) => [person(i), person(i + 1)]);
    const reports = await Promise.all(files.map((people, i) => importUsersCsv(i % 2 ? a : b, csv(people.map((e) => `${e},C,連鎖部,learner`)))));
    const imported = files.filter((_, i) => reports[i]!.ok).flat();
    for (const report of reports) {
      if (report.ok) expect(report.created).toBe(2);
      else expect(report.problems.every((p) => p.code === 'already_exists')).toBe(true);
    }
    expect(reports.some((r) => r.ok)).toBe(true);
    expect(new Set(imported).size).toBe(imported.length);
    expect(await usersWith(files.flat())).toEqual([...new Set(imported)].sort());
    expect(await departmentCount('連鎖部')).toBe(1);
  });

  it('a person committed by another path while the import waits: the import looks again and refuses that line, writing nothing', async () => {
    const racer = 'racer@example.co.jp';
    const others = ['calm1@example.co.jp', 'calm2@example.co.jp'];
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      await client.query('begin');
      // Uncommitted: the import's check cannot see it, and its insert of the same address waits on the unique index.
      await client.query(`insert into users (public_id, email, display_name, role) values ('racer-public', $1, 'Racer', 'learner')`, [racer]);
      const importing = importUsersCsv(a, csv([`${others[0]},C,静穏部,learner`, `${racer},R,静穏部,learner`, `${others[1]},C,静穏部,learner`]));
      const waiting = await waitForBlocked(client, 'transactionid');
      expect(waiting, 'the import should wait on the uncommitted row').toBeGreaterThan(0);
      await client.query('commit');
      const report = await importing;
      expect(report.ok).toBe(false);
      expect(report.created).toBe(0);
      expect(report.problems).toEqual([{ line: 3, code: 'already_exists', params: { email: racer } }]);
      expect(await usersWith([racer, ...others])).toEqual([racer]);
      expect(await departmentCount('静穏部')).toBe(0);
    } finally {
      await client.end();
    }
  });
});
