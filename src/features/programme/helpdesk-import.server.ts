/** The browser's help-desk CSV import: run by the import worker on the server's database file. */
import { databasePath } from '../../platform/db.server.ts';
import { runImport } from '../users/import-runner.server.ts';
import type { HelpdeskImportOptions, HelpdeskImportReport } from './helpdesk.server.ts';

export function importInquiries(bytes: Uint8Array, options: HelpdeskImportOptions): Promise<HelpdeskImportReport> {
  // The file getDb() opened: the worker writes with its own connection to it.
  return runImport({ kind: 'helpdesk', databaseFile: databasePath(), bytes, options });
}
