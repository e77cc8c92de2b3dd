/**
 * Parses and validates a users CSV (columns email,name,department,role, and optionally manager:
 * the line manager's e-mail) without touching the database. Every problem is reported with its
 * line, so an admin can fix the file in one pass; the importer writes nothing unless this
 * returns no problems.
 */
import { parse } from 'csv-parse/sync';
import { ROLES, type Role } from './roles.ts';
import { decodeCsv, type CsvEncoding } from '../../platform/input/csv-decode.ts';
import { isValidEmail, normalizeEmail } from '../../platform/input/email.ts';
import type { ImportProblem, ImportProblemCode } from './import-problems.ts';
import { hasInvisibleCharacters, normalizeDisplayName, normalizeName } from '../../platform/input/text.ts';

export const USERS_CSV_COLUMNS = ['email', 'name', 'department', 'role'] as const;
/** Columns a file may have besides: without `manager`, nobody's line manager changes; an empty cell clears it. */
export const USERS_CSV_OPTIONAL_COLUMNS = ['manager'] as const;
export const USERS_CSV_MAX_BYTES = 5 * 1024 * 1024;
export const USERS_CSV_MAX_ROWS = 50_000;
const EXPECTED = `${USERS_CSV_COLUMNS.join(',')}[,${USERS_CSV_OPTIONAL_COLUMNS.join(',')}]`;
const KNOWN_COLUMNS = [...USERS_CSV_COLUMNS, ...USERS_CSV_OPTIONAL_COLUMNS] as const;
const FILE_TOO_LARGE: RowProblem = { line: 0, code: 'file_too_large', params: { megabytes: USERS_CSV_MAX_BYTES / 1024 / 1024 } };
const MAX_NAME = 100;
const MAX_DEPARTMENT = 100;

/** One valid row of a users file, normalised as stored. */
export interface UsersCsvRow {
  /** Line of the file the record ends on (1-based, header is line 1). */
  line: number;
  email: string;
  name: string;
  department: string;
  role: Role;
  /** The line manager's e-mail (normalised); null to clear it; undefined when the file has no manager column (leave it). */
  manager?: string | null;
}

/** What can be wrong with a users file (rendered by src/features/users/import-problems.ts). */
export type ProblemCode = Extract<
  ImportProblemCode,
  | 'file_too_large'
  | 'too_many_rows'
  | 'malformed_csv'
  | 'missing_columns'
  | 'unknown_columns'
  | 'empty_file'
  | 'no_rows'
  | 'unknown_encoding'
  | 'replacement_character'
  | 'wrong_field_count'
  | 'bad_email'
  | 'invisible_name'
  | 'invisible_department'
  | 'missing_name'
  | 'name_too_long'
  | 'missing_department'
  | 'department_too_long'
  | 'unknown_role'
  | 'duplicate_in_file'
  | 'already_exists'
  | 'cannot_demote_self'
  | 'last_admin'
  | 'bad_manager_email'
  | 'manager_self'
  | 'unknown_manager'
  | 'inactive_manager'
  | 'manager_cycle'
>;

export type RowProblem = ImportProblem<ProblemCode>;

export interface ParsedUsersCsv {
  rows: UsersCsvRow[];
  problems: RowProblem[];
  /** Every well-formed address the file lists, its problem rows too: a manager named there is not "unknown". */
  listed?: Set<string>;
}

/** An uploaded file as bytes: size limit, then UTF-8 or Shift_JIS (src/platform/input/csv-decode.ts), then the rows. */
export function parseUsersCsvFile(bytes: Uint8Array): ParsedUsersCsv & { encoding: CsvEncoding | null } {
  if (bytes.byteLength > USERS_CSV_MAX_BYTES) {
    return { rows: [], problems: [FILE_TOO_LARGE], encoding: null };
  }
  const decoded = decodeCsv(bytes);
  if (!decoded.ok) return { rows: [], problems: [{ line: decoded.line, code: decoded.reason }], encoding: null };
  return { ...parseUsersCsv(decoded.text), encoding: decoded.encoding };
}

export function parseUsersCsv(text: string): ParsedUsersCsv {
  const problems: RowProblem[] = [];
  if (Buffer.byteLength(text, 'utf8') > USERS_CSV_MAX_BYTES) {
    return { rows: [], problems: [FILE_TOO_LARGE] };
  }

  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as { lines: number }).lines : 0;
    return { rows: [], problems: [{ line, code: 'malformed_csv', params: { detail: (error as Error).message } }] };
  }

  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 0, code: 'empty_file' }] };
  if (body.length > USERS_CSV_MAX_ROWS) {
    return { rows: [], problems: [{ line: 0, code: 'too_many_rows', params: { max: USERS_CSV_MAX_ROWS } }] };
  }

  const columns = header.record.map((c) => c.toLowerCase());
  const missing = USERS_CSV_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(KNOWN_COLUMNS as readonly string[]).includes(c));
  if (missing.length > 0) problems.push({ line: header.info.lines, code: 'missing_columns', params: { columns: missing.join(', '), expected: EXPECTED } });
  if (unknown.length > 0) problems.push({ line: header.info.lines, code: 'unknown_columns', params: { columns: unknown.join(', '), expected: EXPECTED } });
  if (problems.length > 0) return { rows: [], problems };
  if (body.length === 0) return { rows: [], problems: [{ line: 0, code: 'no_rows' }] };

  const index = Object.fromEntries(KNOWN_COLUMNS.map((c) => [c, columns.indexOf(c)])) as Record<(typeof KNOWN_COLUMNS)[number], number>;
  const rows: UsersCsvRow[] = [];
  const firstLineByEmail = new Map<string, number>();
  const listed = new Set<string>();

  for (const { record, info } of body) {
    const line = info.lines;
    if (record.length !== columns.length) {
      problems.push({ line, code: 'wrong_field_count', params: { found: record.length, expected: columns.length } });
      continue;
    }
    const email = record[index.email] ?? '';
    const name = record[index.name] ?? '';
    const department = record[index.department] ?? '';
    const role = (record[index.role] ?? '').toLowerCase();
    const manager = index.manager < 0 ? undefined : (record[index.manager] ?? '');
    const before = problems.length;

    if (!isValidEmail(email)) problems.push({ line, code: 'bad_email', params: { value: email } });
    if (hasInvisibleCharacters(name)) problems.push({ line, code: 'invisible_name' });
    if (hasInvisibleCharacters(department)) problems.push({ line, code: 'invisible_department' });
    if (name.length === 0) problems.push({ line, code: 'missing_name' });
    else if ([...name].length > MAX_NAME) problems.push({ line, code: 'name_too_long', params: { max: MAX_NAME } });
    if (department.length === 0) problems.push({ line, code: 'missing_department' });
    else if ([...department].length > MAX_DEPARTMENT) problems.push({ line, code: 'department_too_long', params: { max: MAX_DEPARTMENT } });
    if (!(ROLES as readonly string[]).includes(role)) problems.push({ line, code: 'unknown_role', params: { value: role } });
    if (manager && !isValidEmail(manager)) problems.push({ line, code: 'bad_manager_email', params: { value: manager } });
    else if (manager && isValidEmail(email) && normalizeEmail(manager) === normalizeEmail(email))
      problems.push({ line, code: 'manager_self', params: { email: normalizeEmail(email) } });

    if (isValidEmail(email)) {
      const key = normalizeEmail(email);
      listed.add(key);
      const first = firstLineByEmail.get(key);
      if (first !== undefined) problems.push({ line, code: 'duplicate_in_file', params: { email: key, first } });
      else firstLineByEmail.set(key, line);
    }
    // Stored as the forms store them (src/platform/input/text.ts): the name as given, the department NFKC.
    if (problems.length === before) {
      const row: UsersCsvRow = { line, email: normalizeEmail(email), name: normalizeDisplayName(name), department: normalizeName(department), role: role as Role };
      if (manager !== undefined) row.manager = manager === '' ? null : normalizeEmail(manager);
      rows.push(row);
    }
  }
  return { rows, problems, listed };
}
