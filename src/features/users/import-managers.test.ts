/**
 * The users CSV's optional manager column (issue 19 item 4), parsed and imported on a real SQLite
 * file with the real migrations: order-independent within the file, people already in Manabi,
 * unknown, self, deactivated and cyclic managers refused as problem lines (nothing written), no
 * column leaves lines alone, an empty cell clears one, every change audited before/after.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, users } from '../../../db/schema/index.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { rawDrizzle } from '../../platform/db.server.ts';
import { importUsersCsv } from './import.server.ts';
import { parseUsersCsv } from './users-csv.ts';
import { first } from '../../platform/query.ts';

const HEADER = 'email,name,department,role,manager\n';
const bytes = (text: string): Buffer => Buffer.from(text);

describe('users CSV: the manager column, parsed', () => {
  it('is optional: without it a row has no manager key; an empty cell is null; an address is normalised', () => {
    expect(parseUsersCsv('email,name,department,role\na@example.com,A,Sales,learner\n').rows[0]).not.toHaveProperty('manager');
    const { rows, problems } = parseUsersCsv(`Manager,email,name,department,role\nBoss@Example.COM,a@example.com,A,Sales,learner\n,b@example.com,B,Sales,learner\n`);
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.manager)).toEqual(['boss@example.com', null]);
  });

  it('refuses a malformed manager address and a person as their own manager', () => {
    const { rows, problems } = parseUsersCsv(`${HEADER}a@example.com,A,Sales,learner,not-an-address\nb@example.com,B,Sales,learner,B@example.com\n`);
    expect(rows).toEqual([]);
    expect(problems).toEqual([
      { line: 2, code: 'bad_manager_email', params: { value: 'not-an-address' } },
      { line: 3, code: 'manager_self', params: { email: 'b@example.com' } },
    ]);
  });

  it('still refuses a column it does not know', () => {
    expect(parseUsersCsv('email,name,department,role,boss\na@example.com,A,Sales,learner,x\n').problems[0]).toMatchObject({ code: 'unknown_columns' });
  });
});

describe('users CSV: the manager column, imported (real SQLite)', () => {
  let t: TempDb;
  beforeEach(async () => (t = tempDb()));
  afterEach(() => t.cleanup());

  const q = () => rawDrizzle(t.db);
  const managerOf = async (email: string): Promise<string | null> => {
    const row = first(await q().select({ managerId: users.managerId }).from(users).where(eq(users.email, email)));
    if (!row?.managerId) return null;
    return first(await q().select({ email: users.email }).from(users).where(eq(users.id, row.managerId)))!.email;
  };
  const snapshot = async () => ({ users: await q().select().from(users), audit: await q().select().from(auditLog) });

  it('takes managers from anywhere in the file, in any order, and from people already in Manabi', async () => {
    await addUser(t.db, { email: 'ceo@example.com' });
    const report = await importUsersCsv(
      t.db,
      bytes(`${HEADER}rep@example.com,Rep,Sales,learner,boss@example.com\nboss@example.com,Boss,Sales,learner,ceo@example.com\nfree@example.com,Free,Sales,learner,\n`),
    );
    expect(report).toMatchObject({ ok: true, created: 3, problems: [] });
    expect([await managerOf('rep@example.com'), await managerOf('boss@example.com'), await managerOf('free@example.com')]).toEqual(['boss@example.com', 'ceo@example.com', null]);
    const changes = (
      await q()
        .select({ details: auditLog.details })
        .from(auditLog)
        .where(and(eq(auditLog.action, 'user.updated')))
    ).map((r) => r.details);
    expect(changes).toEqual([
      { via: 'import', line: 2, before: { manager: null }, after: { manager: 'boss@example.com' } },
      { via: 'import', line: 3, before: { manager: null }, after: { manager: 'ceo@example.com' } },
    ]);
    const summary = first(await q().select({ details: auditLog.details }).from(auditLog).where(eq(auditLog.action, 'users.imported')))!.details;
    expect(summary).toMatchObject({ created: 3, managersChanged: 2 });
  });

  it('refuses unknown, deactivated and cyclic managers, each on its line, and writes nothing', async () => {
    await addUser(t.db, { email: 'gone@example.com' });
    await q().update(users).set({ active: false }).where(eq(users.email, 'gone@example.com'));
    const before = await snapshot();
    const report = await importUsersCsv(
      t.db,
      bytes(
        `${HEADER}a@example.com,A,Sales,learner,b@example.com\nb@example.com,B,Sales,learner,a@example.com\n` +
          `c@example.com,C,Sales,learner,nobody@example.com\nd@example.com,D,Sales,learner,gone@example.com\nok@example.com,OK,Sales,learner,\n`,
      ),
    );
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { line: 2, code: 'manager_cycle', params: { chain: 'a@example.com → b@example.com → a@example.com' } },
      { line: 3, code: 'manager_cycle', params: { chain: 'b@example.com → a@example.com → b@example.com' } },
      { line: 4, code: 'unknown_manager', params: { email: 'nobody@example.com' } },
      { line: 5, code: 'inactive_manager', params: { email: 'gone@example.com' } },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('finds a cycle through people already in Manabi, and does not call a manager on a problem line unknown', async () => {
    const top = await addUser(t.db, { email: 'top@example.com' });
    const mid = await addUser(t.db, { email: 'mid@example.com' });
    await q().update(users).set({ managerId: top }).where(eq(users.id, mid));
    // top → (file) → new → mid → top: the database's own line closes the loop.
    const before = await snapshot();
    const report = await importUsersCsv(
      t.db,
      bytes(
        `${HEADER}new@example.com,New,Sales,learner,mid@example.com\ntop@example.com,Top,Sales,learner,new@example.com\nx@example.com,,Sales,learner,\ny@example.com,Y,Sales,learner,x@example.com\n`,
      ),
      { update: true },
    );
    expect(report.problems).toEqual([
      { line: 2, code: 'manager_cycle', params: { chain: 'new@example.com → mid@example.com → top@example.com → new@example.com' } },
      { line: 3, code: 'manager_cycle', params: { chain: 'top@example.com → new@example.com → mid@example.com → top@example.com' } },
      { line: 4, code: 'missing_name' },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('leaves lines alone without the column, clears one for an empty cell, and counts a manager change as an update', async () => {
    const boss = await addUser(t.db, { email: 'boss@example.com', name: 'Boss', department: 'Sales' });
    await addUser(t.db, { email: 'rep@example.com', name: 'Rep', department: 'Sales' });
    await addUser(t.db, { email: 'rep2@example.com', name: 'Rep2', department: 'Sales' });
    await q().update(users).set({ managerId: boss }).where(eq(users.email, 'rep@example.com'));
    const untouched = await importUsersCsv(t.db, bytes('email,name,department,role\nrep@example.com,Rep,Sales,learner\n'), { update: true });
    expect(untouched).toMatchObject({ ok: true, updated: 0, unchanged: 1 });
    expect(await managerOf('rep@example.com')).toBe('boss@example.com');
    const moved = await importUsersCsv(t.db, bytes(`${HEADER}rep@example.com,Rep,Sales,learner,\nrep2@example.com,Rep2,Sales,learner,boss@example.com\n`), { update: true });
    expect(moved).toMatchObject({ ok: true, updated: 2, unchanged: 0 });
    expect([await managerOf('rep@example.com'), await managerOf('rep2@example.com')]).toEqual([null, 'boss@example.com']);
    const again = await importUsersCsv(t.db, bytes(`${HEADER}rep@example.com,Rep,Sales,learner,\nrep2@example.com,Rep2,Sales,learner,BOSS@example.com\n`), { update: true });
    expect(again).toMatchObject({ ok: true, updated: 0, unchanged: 2 });
  });
});
