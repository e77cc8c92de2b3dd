/** The browser's help-desk CSV import: run by the import worker on the server's database file, or in-process on PostgreSQL. */
import { getConfig } from '../../platform/config.server.ts';
import { databasePath, getDb } from '../../platform/db.server.ts';
import { runImport } from '../users/import-runner.server.ts';
import { type HelpdeskImportOptions, type HelpdeskImportReport, importInquiriesCsv } from './helpdesk.server.ts';

export function importInquiries(bytes: Uint8Array, options: HelpdeskImportOptions): Promise<HelpdeskImportReport> {
  // The worker opens the SQLite file; on PostgreSQL the import is a few statements on the pool.
  if (getConfig().postgres !== null) return importInquiriesCsv(getDb(), bytes, options);
  // The file getDb() opened: the worker writes with its own connection to it.
  return runImport({ kind: 'helpdesk', database: { file: databasePath() }, bytes, options });
}
