import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { departments, users } from '../../../db/schema/index.ts';
import { importUsersCsv } from './import.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { rawDrizzle } from '../../platform/db.server.ts';

const header = 'email,name,department,role\n';
/** The importer takes the file's bytes, as uploaded or read from disk. */
const bytes = (text: string): Buffer => Buffer.from(text);

describe('users import (real SQLite; on PostgreSQL in integration-pg)', () => {
  let t: TempDb;
  beforeEach(async () => (t = tempDb()));
  afterEach(() => t.cleanup());

  const snapshot = async () => ({
    users: await rawDrizzle(t.db).select().from(users),
    departments: await rawDrizzle(t.db).select().from(departments),
  });

  it('imports every row and creates missing departments', async () => {
    const report = await importUsersCsv(t.db, bytes(`${header}a@example.com,A,営業部,learner\nb@example.com,B,新規事業部,champion\n`));
    expect(report).toMatchObject({ ok: true, created: 2, updated: 0, departmentsCreated: ['営業部', '新規事業部'] });
    expect((await rawDrizzle(t.db).select().from(users)).map((u) => [u.email, u.role])).toEqual([
      ['a@example.com', 'learner'],
      ['b@example.com', 'champion'],
    ]);
  });

  it('imports nothing when one row is bad, and names the row', async () => {
    await addUser(t.db, { email: 'existing@example.com' });
    const before = await snapshot();
    const report = await importUsersCsv(t.db, bytes(`${header}a@example.com,A,新しい部,learner\nbroken,B,営業部,learner\nc@example.com,C,別の部,learner\n`));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ line: 3, code: 'bad_email', params: { value: 'broken' } }]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses emails that are already users, unless asked to update them', async () => {
    await addUser(t.db, { email: 'a@example.com', role: 'learner' });
    const csv = bytes(`${header}A@example.com,Renamed,人事部,champion\n`);
    const refused = await importUsersCsv(t.db, csv);
    expect(refused.problems[0]).toMatchObject({ line: 2, code: 'already_exists' });
    const updated = await importUsersCsv(t.db, csv, { update: true });
    expect(updated).toMatchObject({ ok: true, created: 0, updated: 1 });
    expect((await rawDrizzle(t.db).select().from(users))[0]).toMatchObject({ displayName: 'Renamed', role: 'champion' });
  });

  it('reports progress on large files', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `u${i}@example.com,User ${i},部${i % 7},learner`).join('\n');
    const seen: number[] = [];
    const report = await importUsersCsv(t.db, bytes(`${header}${rows}\n`), { onProgress: (done) => seen.push(done) });
    expect(report.created).toBe(2500);
    expect(seen).toEqual([1000, 2000, 2500]);
    expect(await rawDrizzle(t.db).select().from(departments)).toHaveLength(7);
  });

  describe('compares every email through the one normaliser (src/platform/input/email.ts)', () => {
    /** A row written before emails were normalised: stored in full width, which SQL's lower() leaves alone. */
    const legacy = async (email: string): Promise<number> => {
      const [row] = await rawDrizzle(t.db)
        .insert(users)
        .values({ publicId: `legacy-${email}`, email, displayName: 'Legacy', role: 'learner' })
        .returning({ id: users.id });
      return row!.id;
    };

    it('a full-width twin of an existing user, and a plain twin of a full-width row stored before the fix, are existing users', async () => {
      await addUser(t.db, { email: 'learner@example.com' });
      await legacy('ｏｌｄ@example.com');
      const before = await snapshot();
      const report = await importUsersCsv(t.db, bytes(`${header}ｌｅａｒｎｅｒ@example.com,Twin,営業部,learner\nOLD@example.com,Old,営業部,learner\n`));
      expect(report.problems).toEqual([
        { line: 2, code: 'already_exists', params: { email: 'learner@example.com' } },
        { line: 3, code: 'already_exists', params: { email: 'old@example.com' } },
      ]);
      expect(await snapshot()).toEqual(before);
    });

    it('updates the full-width row stored before the fix instead of adding a second account', async () => {
      const id = await legacy('ｏｌｄ@example.com');
      const report = await importUsersCsv(t.db, bytes(`${header}old@example.com,Renamed,営業部,champion\n`), { update: true });
      expect(report).toMatchObject({ ok: true, created: 0, updated: 1 });
      expect((await rawDrizzle(t.db).select().from(users)).map((u) => [u.id, u.displayName, u.role])).toEqual([[id, 'Renamed', 'champion']]);
    });

    it("reports existing users together with the file's own problems, in one pass", async () => {
      await addUser(t.db, { email: 'learner@example.com' });
      const report = await importUsersCsv(
        t.db,
        bytes(`${header}ｌｅａｒｎｅｒ@example.com,Twin,営業部,learner\nfine@example.com,\u200b,営業部,learner\nfine@ｅｘａｍｐｌｅ.com,Fine,営業部,learner\n`),
      );
      expect(report.problems.map((p) => [p.line, p.code])).toEqual([
        [2, 'already_exists'],
        [3, 'invisible_name'],
        [4, 'duplicate_in_file'],
      ]);
    });

    it('a full-width duplicate inside the file is a duplicate', async () => {
      const report = await importUsersCsv(t.db, bytes(`${header}a@example.com,A,営業部,learner\nＡ@ｅｘａｍｐｌｅ.com,A2,営業部,learner\n`));
      expect(report.problems).toEqual([{ line: 3, code: 'duplicate_in_file', params: { email: 'a@example.com', first: 2 } }]);
    });
  });
});
