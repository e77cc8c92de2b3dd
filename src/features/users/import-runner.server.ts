/**
 * Runs CSV imports in a worker thread (src/features/users/import-worker.server.ts) and answers their
 * reports: decoding, parsing and validating 50,000 rows on the event loop took seconds, and
 * /healthz answered in 5.5 s meanwhile. The worker writes with its own connection in one short
 * transaction (the rows are staged in a TEMP table first), so an import stays all or nothing. One worker, started on the first import and kept (loading the database code takes
 * about a second), idle without holding the process open.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HelpdeskImportOptions, HelpdeskImportReport } from '../programme/helpdesk.server.ts';
import type { ImportOptions, ImportReport } from './import.server.ts';
import { databaseFileOf, type Db } from '../../platform/db.server.ts';
import { poolOf } from '../../platform/postgres.server.ts';

/** From the project root, where the server runs (like db/migrations): the bundle in dist/ has no copy of it. */
const WORKER_FILE = path.resolve('src/features/users/import-worker.server.ts');

/** Where the worker writes: the server's SQLite file, or its PostgreSQL database (the worker opens a small pool of its own). */
export type ImportDatabase = { file: string } | { postgresUrl: string };

/** The address of the database behind a handle, as the worker opens it (synchronous, like databaseFileOf: it runs no query). */
export function importDatabaseOf(database: Db): ImportDatabase {
  const url = database.dialect === 'postgres' ? poolOf(database)?.options.connectionString : undefined;
  return url ? { postgresUrl: url } : { file: databaseFileOf(database) };
}

export type ImportJob =
  | { kind: 'users'; database: ImportDatabase; bytes: Uint8Array; options: Omit<ImportOptions, 'onProgress'> }
  | { kind: 'helpdesk'; database: ImportDatabase; bytes: Uint8Array; options: HelpdeskImportOptions };

type Report = ImportReport | HelpdeskImportReport;
interface Pending {
  resolve: (report: Report) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function importWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_FILE);
  const failAll = (error: Error): void => {
    if (worker === started) worker = null;
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };
  started.on('message', ({ id, report, error }: { id: number; report?: Report; error?: string }) => {
    const job = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) started.unref();
    if (error !== undefined) job?.reject(new Error(`import failed: ${error}`));
    else job?.resolve(report!);
  });
  started.on('error', failAll);
  started.on('exit', (code) => failAll(new Error(`the import worker stopped (exit code ${code})`)));
  worker = started;
  return started;
}

export function runImport(job: Extract<ImportJob, { kind: 'users' }>): Promise<ImportReport>;
export function runImport(job: Extract<ImportJob, { kind: 'helpdesk' }>): Promise<HelpdeskImportReport>;
export function runImport(job: ImportJob): Promise<Report> {
  return new Promise((resolve, reject) => {
    const target = importWorker();
    const id = nextId++;
    pending.set(id, { resolve, reject });
    // Held open while a job runs, so a script awaiting the report is not cut short.
    target.ref();
    // The upload's bytes move to the worker instead of being copied (unless they share a buffer, as small Buffers do).
    const own = job.bytes.byteOffset === 0 && job.bytes.byteLength === job.bytes.buffer.byteLength;
    const bytes = own ? job.bytes : new Uint8Array(job.bytes);
    target.postMessage({ id, job: { ...job, bytes } }, [bytes.buffer as ArrayBuffer]);
  });
}
