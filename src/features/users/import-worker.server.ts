/**
 * The worker thread of the browser's CSV imports (started by src/features/users/import-runner.server.ts):
 * decodes, validates, stages and writes each import on its own connection, so the server's
 * event loop keeps answering while a 50,000-row file is read. One job at a time, so imports
 * never race each other. The built server loads this file from source by path (Node strips
 * the types, as for the CLI), not from the bundle.
 */
import { parentPort } from 'node:worker_threads';
import { openDatabase, type Db } from '../../platform/db.server.ts';
import { importInquiriesCsv } from '../programme/helpdesk.server.ts';
import type { ImportJob } from './import-runner.server.ts';
import { importUsersCsv } from './import.server.ts';
import { installClockFile } from '../../platform/clock.server.ts';
import { getConfig } from '../../platform/config.server.ts';

// A worker has its own copy of every module, the clock too: it follows the server's (MANABI_CLOCK_FILE in tests).
installClockFile(getConfig().clockFile);

const connections = new Map<string, Db>();

parentPort!.on('message', async ({ id, job }: { id: number; job: ImportJob }) => {
  try {
    let db = connections.get(job.databaseFile);
    // The server opened and migrated the file before it sent the job.
    if (!db) connections.set(job.databaseFile, (db = openDatabase(job.databaseFile, { migrate: false })));
    const report = job.kind === 'users' ? await importUsersCsv(db, job.bytes, job.options) : await importInquiriesCsv(db, job.bytes, job.options);
    parentPort!.postMessage({ id, report });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
