/**
 * Parses a help-desk inquiries CSV (columns month,department,count) without touching the
 * database; every bad row is reported with its line. An empty department means "not
 * attributed to a department".
 */
import { parse } from 'csv-parse/sync';
import { decodeCsv, type CsvEncoding } from '../../platform/input/csv-decode.ts';
import type { ImportProblem } from '../users/import-problems.ts';
import { normalizeName } from '../../platform/input/text.ts';
import { MONTH_PATTERN } from '../../platform/dates.ts';

export const HELPDESK_COLUMNS = ['month', 'department', 'count'] as const;
export const HELPDESK_CSV_MAX_BYTES = 1024 * 1024;
export const HELPDESK_CSV_MAX_ROWS = 10_000;

export interface HelpdeskRow {
  line: number;
  month: string;
  department: string | null;
  count: number;
}

/** Rendered in the reader's language by src/features/users/import-problems.ts. */
export type HelpdeskProblem = ImportProblem;

const FILE_TOO_LARGE: HelpdeskProblem = { line: 0, code: 'file_too_large', params: { megabytes: HELPDESK_CSV_MAX_BYTES / 1024 / 1024 } };

/** An uploaded file as bytes: size limit, then UTF-8 or Shift_JIS (src/platform/input/csv-decode.ts), then the rows. */
export function parseHelpdeskCsvFile(bytes: Uint8Array): { rows: HelpdeskRow[]; problems: HelpdeskProblem[]; encoding: CsvEncoding | null } {
  if (bytes.byteLength > HELPDESK_CSV_MAX_BYTES) {
    return { rows: [], problems: [FILE_TOO_LARGE], encoding: null };
  }
  const decoded = decodeCsv(bytes);
  if (!decoded.ok) return { rows: [], problems: [{ line: decoded.line, code: decoded.reason }], encoding: null };
  return { ...parseHelpdeskCsv(decoded.text), encoding: decoded.encoding };
}

export function parseHelpdeskCsv(text: string): { rows: HelpdeskRow[]; problems: HelpdeskProblem[] } {
  if (Buffer.byteLength(text, 'utf8') > HELPDESK_CSV_MAX_BYTES) {
    return { rows: [], problems: [FILE_TOO_LARGE] };
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    return { rows: [], problems: [{ line: (error as { lines?: number }).lines ?? 0, code: 'malformed_csv', params: { detail: (error as Error).message } }] };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 0, code: 'empty_file' }] };
  if (body.length > HELPDESK_CSV_MAX_ROWS) return { rows: [], problems: [{ line: 0, code: 'too_many_rows', params: { max: HELPDESK_CSV_MAX_ROWS } }] };
  const columns = header.record.map((c) => c.toLowerCase());
  if (columns.join(',') !== HELPDESK_COLUMNS.join(',')) {
    return { rows: [], problems: [{ line: header.info.lines, code: 'bad_header', params: { expected: HELPDESK_COLUMNS.join(',') } }] };
  }
  const rows: HelpdeskRow[] = [];
  const problems: HelpdeskProblem[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of body) {
    const line = info.lines;
    const [month = '', department = '', count = ''] = record;
    const before = problems.length;
    if (record.length !== 3) problems.push({ line, code: 'wrong_field_count', params: { found: record.length, expected: 3 } });
    else {
      if (!MONTH_PATTERN.test(month)) problems.push({ line, code: 'bad_month', params: { value: month } });
      if (!/^\d{1,7}$/.test(count)) problems.push({ line, code: 'bad_count', params: { value: count } });
      if ([...department].length > 100) problems.push({ line, code: 'department_too_long', params: { max: 100 } });
      // One department however it is written (ＩＴ = IT), as the lookup matches it.
      const key = `${month}|${normalizeName(department).toLowerCase()}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, line);
      else if (department) problems.push({ line, code: 'duplicate_month', params: { month, department, first } });
      else problems.push({ line, code: 'duplicate_month_company', params: { month, first } });
    }
    if (problems.length === before) rows.push({ line, month, department: department || null, count: Number(count) });
  }
  return { rows, problems };
}
