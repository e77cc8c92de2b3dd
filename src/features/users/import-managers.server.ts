/**
 * The users CSV's optional `manager` column, checked against the file and the database together
 * (src/features/users/import.server.ts calls this before staging, and again inside its write
 * transaction, where the answer is the one the import commits against). A manager may be anyone
 * already in Manabi or anywhere in the same file, in any order; refused when nobody has the
 * address (or only an erased person), when the manager is deactivated, or when the lines after
 * the import would make a reporting cycle (within the file, or through people already in Manabi).
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db.server.ts';
import { rows as queryRows } from '../../platform/query.ts';
import { normalizeEmail } from '../../platform/input/email.ts';
import { chainText, reportingCycle } from './managers.ts';
import type { RowProblem, UsersCsvRow } from './users-csv.ts';

/** Where a row's manager is: a user already in Manabi (their id) or a row of the file (its line); both null to clear. */
export interface ManagerChoice {
  line: number;
  managerId: number | null;
  managerLine: number | null;
}

/** Someone already in Manabi, as the manager check needs them (`active` and `erased` are 0/1 on SQLite, booleans on PostgreSQL). */
export interface Person {
  id: number;
  email: string;
  managerId: number | null;
  active: number | boolean;
  erased: number | boolean;
}

/** Everyone in Manabi with their reporting line, read in the caller's transaction. */
export async function readPeople(q: Tx): Promise<Person[]> {
  return queryRows<Person>(q, sql`select id, email, manager_id "managerId", active, erased_at is not null erased from users`);
}

export function checkManagers(
  people: readonly Person[],
  rows: readonly UsersCsvRow[],
  listed: ReadonlySet<string> = new Set(),
): { problems: RowProblem[]; choices: ManagerChoice[] } {
  const managed = rows.filter((row) => row.manager !== undefined);
  if (managed.length === 0) return { problems: [], choices: [] };
  const byEmail = new Map<string, Person>();
  const emailById = new Map<number, string>();
  for (const person of people) {
    const email = normalizeEmail(person.email);
    emailById.set(person.id, email);
    if (!person.erased) byEmail.set(email, person);
  }
  const inFile = new Map(rows.map((row) => [row.email, row]));
  // The reporting line after the import: the file's own where it says, the database's elsewhere.
  const managerOf = (email: string): string | null => {
    const row = inFile.get(email);
    if (row && row.manager !== undefined) return row.manager;
    const managerId = byEmail.get(email)?.managerId ?? null;
    return managerId === null ? null : (emailById.get(managerId) ?? null);
  };

  const problems: RowProblem[] = [];
  const choices: ManagerChoice[] = [];
  for (const row of managed) {
    const manager = row.manager ?? null;
    if (manager === null) {
      choices.push({ line: row.line, managerId: null, managerLine: null });
      continue;
    }
    const fileRow = inFile.get(manager);
    const existing = byEmail.get(manager);
    if (!fileRow && !existing) {
      // Named on a line with its own problem: that line's message says what to fix.
      if (!listed.has(manager)) problems.push({ line: row.line, code: 'unknown_manager', params: { email: manager } });
      continue;
    }
    // The import never reactivates anyone: a deactivated manager stays deactivated, in the file or not.
    if (existing && !existing.active) {
      problems.push({ line: row.line, code: 'inactive_manager', params: { email: manager } });
      continue;
    }
    const cycle = reportingCycle(row.email, manager, managerOf);
    if (cycle) {
      problems.push({ line: row.line, code: 'manager_cycle', params: { chain: chainText(cycle) } });
      continue;
    }
    choices.push({ line: row.line, managerId: fileRow ? null : existing!.id, managerLine: fileRow ? fileRow.line : null });
  }
  return { problems, choices };
}
