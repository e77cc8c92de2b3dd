/**
 * Parses a help-desk inquiries CSV (columns month,department,count) without touching the
 * database; every bad row is reported with its line. An empty department means "not
 * attributed to a department".
 */
import { parse } from 'csv-parse/sync';
import { decodeCsv, type CsvEncoding } from './csv-decode.ts';

export const HELPDESK_COLUMNS = ['month', 'department', 'count'] as const;
export const HELPDESK_CSV_MAX_BYTES = 1024 * 1024;
export const HELPDESK_CSV_MAX_ROWS = 10_000;

export interface HelpdeskRow {
  line: number;
  month: string;
  department: string | null;
  count: number;
}

export interface HelpdeskProblem {
  line: number;
  message: string;
}

/** An uploaded file as bytes: size limit, then UTF-8 or Shift_JIS (src/lib/csv-decode.ts), then the rows. */
export function parseHelpdeskCsvFile(bytes: Uint8Array): { rows: HelpdeskRow[]; problems: HelpdeskProblem[]; encoding: CsvEncoding | null } {
  if (bytes.byteLength > HELPDESK_CSV_MAX_BYTES) {
    return { rows: [], problems: [{ line: 0, message: `the file is larger than ${HELPDESK_CSV_MAX_BYTES} bytes` }], encoding: null };
  }
  const decoded = decodeCsv(bytes);
  if (!decoded.ok) {
    const message =
      decoded.reason === 'replacement_character'
        ? 'contains U+FFFD (�), a character already lost by an earlier conversion'
        : 'cannot be read as UTF-8 or as Shift_JIS (CP932); save the file as "CSV UTF-8" and try again';
    return { rows: [], problems: [{ line: decoded.line, message }], encoding: null };
  }
  return { ...parseHelpdeskCsv(decoded.text), encoding: decoded.encoding };
}

export function parseHelpdeskCsv(text: string): { rows: HelpdeskRow[]; problems: HelpdeskProblem[] } {
  if (Buffer.byteLength(text, 'utf8') > HELPDESK_CSV_MAX_BYTES) {
    return { rows: [], problems: [{ line: 0, message: `the file is larger than ${HELPDESK_CSV_MAX_BYTES} bytes` }] };
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    return { rows: [], problems: [{ line: (error as { lines?: number }).lines ?? 0, message: `not valid CSV: ${(error as Error).message}` }] };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 0, message: 'the file is empty' }] };
  if (body.length > HELPDESK_CSV_MAX_ROWS) return { rows: [], problems: [{ line: 0, message: `more than ${HELPDESK_CSV_MAX_ROWS} rows` }] };
  const columns = header.record.map((c) => c.toLowerCase());
  if (columns.join(',') !== HELPDESK_COLUMNS.join(',')) {
    return { rows: [], problems: [{ line: header.info.lines, message: 'the header must be exactly: month,department,count' }] };
  }
  const rows: HelpdeskRow[] = [];
  const problems: HelpdeskProblem[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of body) {
    const line = info.lines;
    const [month = '', department = '', count = ''] = record;
    const before = problems.length;
    if (record.length !== 3) problems.push({ line, message: `wrong number of fields (${record.length}/3)` });
    else {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) problems.push({ line, message: `month "${month}" is not YYYY-MM` });
      if (!/^\d{1,7}$/.test(count)) problems.push({ line, message: `count "${count}" is not a whole number from 0` });
      if ([...department].length > 100) problems.push({ line, message: 'department is longer than 100 characters' });
      const key = `${month}|${department.toLowerCase()}`;
      const first = seen.get(key);
      if (first !== undefined) problems.push({ line, message: `duplicate: ${month} ${department || '(no department)'} is already on line ${first}` });
      else seen.set(key, line);
    }
    if (problems.length === before) rows.push({ line, month, department: department || null, count: Number(count) });
  }
  return { rows, problems };
}
