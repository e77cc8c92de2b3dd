/**
 * The worker thread of the browser's CSV imports (started by src/features/users/import-runner.server.ts):
 * decodes, validates, stages and writes each import on its own connection, so the server's
 * event loop keeps answering while a 50,000-row file is read. One job at a time, so imports
 * never race each other. The built server loads this file from source by path (Node strips
 * the types, as for the CLI), not from the bundle.
 */
import { parentPort } from 'node:worker_threads';
import { openDatabase, type Db } from '../../platform/db.server.ts';
import { openPostgres } from '../../platform/postgres.server.ts';
import { importInquiriesCsv } from '../programme/helpdesk.server.ts';
import type { ImportDatabase, ImportJob } from './import-runner.server.ts';
import { importUsersCsv } from './import.server.ts';
import { installClockFile } from '../../platform/clock.server.ts';
import { getConfig } from '../../platform/config.server.ts';

// A worker has its own copy of every module, the clock too: it follows the server's (MANABI_CLOCK_FILE in tests).
installClockFile(getConfig().clockFile);

const connections = new Map<string, Db>();

/**
 * The worker's own handle, kept between jobs; the server opened and migrated the database before
 * it sent the job. On PostgreSQL a pool of two with the server's timeouts, but a longer statement
 * timeout: an import's set-based statements over 50,000 rows are meant to be long.
 */
function open(database: ImportDatabase): Db {
  const key = 'file' in database ? `file:${database.file}` : `pg:${database.postgresUrl}`;
  let db = connections.get(key);
  if (db) return db;
  if ('file' in database) db = openDatabase(database.file, { migrate: false });
  else {
    const settings = getConfig().postgres;
    db = openPostgres(
      {
        url: database.postgresUrl,
        poolSize: 2,
        connectTimeoutMs: settings?.connectTimeoutMs ?? 10_000,
        idleTimeoutMs: settings?.idleTimeoutMs ?? 30_000,
        statementTimeoutMs: settings?.statementTimeoutMs === 0 ? 0 : Math.max(settings?.statementTimeoutMs ?? 0, 300_000),
      },
      { migrate: false },
    );
  }
  connections.set(key, db);
  return db;
}

parentPort!.on('message', async ({ id, job }: { id: number; job: ImportJob }) => {
  try {
    const db = open(job.database);
    const report = job.kind === 'users' ? await importUsersCsv(db, job.bytes, job.options) : await importInquiriesCsv(db, job.bytes, job.options);
    parentPort!.postMessage({ id, report });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
