import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { departments, users } from '../../db/schema.ts';
import { importUsersCsv } from '../../src/lib/server/users-import.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';

const header = 'email,name,department,role\n';
/** The importer takes the file's bytes, as uploaded or read from disk. */
const bytes = (text: string): Buffer => Buffer.from(text);

describe('users import (real SQLite)', () => {
  let t: TempDb;
  beforeEach(() => (t = tempDb()));
  afterEach(() => t.cleanup());

  const snapshot = () => ({
    users: t.db.select().from(users).all(),
    departments: t.db.select().from(departments).all(),
  });

  it('imports every row and creates missing departments', () => {
    const report = importUsersCsv(t.db, bytes(`${header}a@example.com,A,営業部,learner\nb@example.com,B,新規事業部,champion\n`));
    expect(report).toMatchObject({ ok: true, created: 2, updated: 0, departmentsCreated: ['営業部', '新規事業部'] });
    expect(t.db.select().from(users).all().map((u) => [u.email, u.role])).toEqual([
      ['a@example.com', 'learner'],
      ['b@example.com', 'champion'],
    ]);
  });

  it('imports nothing when one row is bad, and names the row', async () => {
    await addUser(t.db, { email: 'existing@example.com' });
    const before = snapshot();
    const report = importUsersCsv(
      t.db,
      bytes(`${header}a@example.com,A,新しい部,learner\nbroken,B,営業部,learner\nc@example.com,C,別の部,learner\n`),
    );
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ line: 3, code: 'bad_email', detail: 'broken' }]);
    expect(snapshot()).toEqual(before);
  });

  it('refuses emails that are already users, unless asked to update them', async () => {
    await addUser(t.db, { email: 'a@example.com', role: 'learner' });
    const csv = bytes(`${header}A@example.com,Renamed,人事部,champion\n`);
    const refused = importUsersCsv(t.db, csv);
    expect(refused.problems[0]).toMatchObject({ line: 2, code: 'already_exists' });
    const updated = importUsersCsv(t.db, csv, { update: true });
    expect(updated).toMatchObject({ ok: true, created: 0, updated: 1 });
    expect(t.db.select().from(users).all()[0]).toMatchObject({ displayName: 'Renamed', role: 'champion' });
  });

  it('reports progress on large files', () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `u${i}@example.com,User ${i},部${i % 7},learner`).join('\n');
    const seen: number[] = [];
    const report = importUsersCsv(t.db, bytes(`${header}${rows}\n`), { onProgress: (done) => seen.push(done) });
    expect(report.created).toBe(2500);
    expect(seen).toEqual([1000, 2000, 2500]);
    expect(t.db.select().from(departments).all()).toHaveLength(7);
  });
});
