/**
 * The programme's standing data, made current when a connection is opened: the default
 * assignments exist and enrolments match the users (also after changes made by the CLI).
 */
import type { Db } from '../../platform/db.server.ts';
import { logger } from '../../platform/log.server.ts';
import { isStorageUnavailable, storageErrorCode } from '../../platform/storage-errors.server.ts';
import { ensureDefaultAssignments, syncEnrolments } from './assignments.server.ts';

export async function prepareProgramme(db: Db): Promise<void> {
  await db.write(async (tx) => {
    await ensureDefaultAssignments(tx);
    await syncEnrolments(tx);
  });
}

let prepared = false;

/**
 * `prepareProgramme` once per server process, on the connection `open` gives (the server's
 * shared one), before the first request is served. A connection that cannot be opened is
 * tried again on the next request; a failed preparation is logged, not repeated, and pages keep
 * working (as when getDb() prepared it).
 */
export async function prepareProgrammeOnce(open: () => Db): Promise<void> {
  if (prepared) return;
  let db: Db;
  try {
    db = open();
  } catch {
    // Not logged here: whatever needs the database next reports it (the roll-up check, the page).
    return;
  }
  prepared = true;
  try {
    await prepareProgramme(db);
  } catch (error) {
    logProblem(error);
  }
}

function logProblem(error: unknown): void {
  if (isStorageUnavailable(error)) logger.warn({ code: storageErrorCode(error) }, 'programme preparation skipped: storage unavailable');
  else logger.error({ err: error }, 'programme preparation failed');
}
