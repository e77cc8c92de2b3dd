/**
 * Parses and validates a users CSV (columns email,name,department,role) without touching
 * the database. Every problem is reported with its line, so an admin can fix the file in
 * one pass; the importer writes nothing unless this returns no problems.
 */
import { parse } from 'csv-parse/sync';
import { ROLES, type Role } from '../../db/schema.ts';
import { decodeCsv, type CsvEncoding } from './csv-decode.ts';
import { isValidEmail, normalizeEmail } from './email.ts';
import { hasInvisibleCharacters, normalizeName } from './text.ts';

export const USERS_CSV_COLUMNS = ['email', 'name', 'department', 'role'] as const;
export const USERS_CSV_MAX_BYTES = 5 * 1024 * 1024;
export const USERS_CSV_MAX_ROWS = 50_000;
const MAX_NAME = 100;
const MAX_DEPARTMENT = 100;

export interface UserRow {
  /** Line of the file the record ends on (1-based, header is line 1). */
  line: number;
  email: string;
  name: string;
  department: string;
  role: Role;
}

export type ProblemCode =
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
  | 'invisible_characters'
  | 'missing_name'
  | 'name_too_long'
  | 'missing_department'
  | 'department_too_long'
  | 'unknown_role'
  | 'duplicate_in_file'
  | 'already_exists'
  | 'cannot_demote_self'
  | 'last_admin';

export interface RowProblem {
  /** 0 for problems with the file as a whole. */
  line: number;
  code: ProblemCode;
  /** The offending value or a short detail, for the message. */
  detail: string;
}

export interface ParsedUsersCsv {
  rows: UserRow[];
  problems: RowProblem[];
}

/** An uploaded file as bytes: size limit, then UTF-8 or Shift_JIS (src/lib/csv-decode.ts), then the rows. */
export function parseUsersCsvFile(bytes: Uint8Array): ParsedUsersCsv & { encoding: CsvEncoding | null } {
  if (bytes.byteLength > USERS_CSV_MAX_BYTES) {
    return { rows: [], problems: [{ line: 0, code: 'file_too_large', detail: `${USERS_CSV_MAX_BYTES} bytes` }], encoding: null };
  }
  const decoded = decodeCsv(bytes);
  if (!decoded.ok) return { rows: [], problems: [{ line: decoded.line, code: decoded.reason, detail: '' }], encoding: null };
  return { ...parseUsersCsv(decoded.text), encoding: decoded.encoding };
}

export function parseUsersCsv(text: string): ParsedUsersCsv {
  const problems: RowProblem[] = [];
  if (Buffer.byteLength(text, 'utf8') > USERS_CSV_MAX_BYTES) {
    return { rows: [], problems: [{ line: 0, code: 'file_too_large', detail: `${USERS_CSV_MAX_BYTES} bytes` }] };
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
    return { rows: [], problems: [{ line, code: 'malformed_csv', detail: (error as Error).message }] };
  }

  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 0, code: 'empty_file', detail: '' }] };
  if (body.length > USERS_CSV_MAX_ROWS) {
    return { rows: [], problems: [{ line: 0, code: 'too_many_rows', detail: String(USERS_CSV_MAX_ROWS) }] };
  }

  const columns = header.record.map((c) => c.toLowerCase());
  const missing = USERS_CSV_COLUMNS.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(USERS_CSV_COLUMNS as readonly string[]).includes(c));
  if (missing.length > 0) problems.push({ line: header.info.lines, code: 'missing_columns', detail: missing.join(', ') });
  if (unknown.length > 0) problems.push({ line: header.info.lines, code: 'unknown_columns', detail: unknown.join(', ') });
  if (problems.length > 0) return { rows: [], problems };
  if (body.length === 0) return { rows: [], problems: [{ line: 0, code: 'no_rows', detail: '' }] };

  const index = Object.fromEntries(USERS_CSV_COLUMNS.map((c) => [c, columns.indexOf(c)])) as Record<
    (typeof USERS_CSV_COLUMNS)[number],
    number
  >;
  const rows: UserRow[] = [];
  const firstLineByEmail = new Map<string, number>();

  for (const { record, info } of body) {
    const line = info.lines;
    if (record.length !== columns.length) {
      problems.push({ line, code: 'wrong_field_count', detail: `${record.length}/${columns.length}` });
      continue;
    }
    const email = record[index.email] ?? '';
    const name = record[index.name] ?? '';
    const department = record[index.department] ?? '';
    const role = (record[index.role] ?? '').toLowerCase();
    const before = problems.length;

    if (!isValidEmail(email)) problems.push({ line, code: 'bad_email', detail: email });
    if (hasInvisibleCharacters(name)) problems.push({ line, code: 'invisible_characters', detail: 'name' });
    if (hasInvisibleCharacters(department)) problems.push({ line, code: 'invisible_characters', detail: 'department' });
    if (name.length === 0) problems.push({ line, code: 'missing_name', detail: '' });
    else if ([...name].length > MAX_NAME) problems.push({ line, code: 'name_too_long', detail: String(MAX_NAME) });
    if (department.length === 0) problems.push({ line, code: 'missing_department', detail: '' });
    else if ([...department].length > MAX_DEPARTMENT)
      problems.push({ line, code: 'department_too_long', detail: String(MAX_DEPARTMENT) });
    if (!(ROLES as readonly string[]).includes(role)) problems.push({ line, code: 'unknown_role', detail: role });

    if (isValidEmail(email)) {
      const key = normalizeEmail(email);
      const first = firstLineByEmail.get(key);
      if (first !== undefined) problems.push({ line, code: 'duplicate_in_file', detail: `${key} is already on line ${first}` });
      else firstLineByEmail.set(key, line);
    }
    // Stored as every name is: NFKC, white space collapsed (src/lib/text.ts).
    if (problems.length === before) rows.push({ line, email: normalizeEmail(email), name: normalizeName(name), department: normalizeName(department), role: role as Role });
  }
  return { rows, problems };
}

const MESSAGES: Record<ProblemCode, (detail: string) => string> = {
  file_too_large: (d) => `the file is larger than ${d}`,
  too_many_rows: (d) => `the file has more than ${d} rows; split it`,
  malformed_csv: (d) => `the file is not valid CSV: ${d}`,
  missing_columns: (d) => `missing column(s): ${d} (expected email,name,department,role)`,
  unknown_columns: (d) => `unknown column(s): ${d} (expected email,name,department,role)`,
  empty_file: () => 'the file is empty',
  no_rows: () => 'the file has a header but no rows: nothing to import',
  unknown_encoding: () => 'cannot be read as UTF-8 or as Shift_JIS (CP932); save the file as "CSV UTF-8" and try again',
  replacement_character: () => 'contains U+FFFD (�), a character already lost by an earlier conversion; fix the name in the source file',
  wrong_field_count: (d) => `wrong number of fields (${d})`,
  bad_email: (d) => `bad email "${d}"`,
  invisible_characters: (d) => `${d} contains invisible or control characters (such as zero-width spaces or text-direction marks)`,
  missing_name: () => 'name is empty',
  name_too_long: (d) => `name is longer than ${d} characters`,
  missing_department: () => 'department is empty',
  department_too_long: (d) => `department is longer than ${d} characters`,
  unknown_role: (d) => `unknown role "${d}" (use learner, champion or admin)`,
  duplicate_in_file: (d) => `duplicate: ${d}`,
  already_exists: (d) => `duplicate: ${d} is already a user (use --update to change existing users)`,
  cannot_demote_self: () => 'you cannot take away your own admin role; another admin must do that',
  last_admin: () => 'this would leave no active admin, and nobody could open the admin pages any more',
};

export function formatProblem(problem: RowProblem): string {
  const where = problem.line > 0 ? `line ${problem.line}` : 'file';
  return `${where}: ${MESSAGES[problem.code](problem.detail)}`;
}
