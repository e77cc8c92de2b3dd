/** The statements a push sends: every learning record now, with the running build's curriculum. */
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { xapiStatements } from './xapi-export.server.ts';
import { resumeInterruptedJobs, type StatementSource } from './xapi-jobs.server.ts';

export function liveStatements(db: Db): StatementSource {
  return async () => xapiStatements(db, await getCatalog(), { siteUrl: getConfig().siteUrl });
}

let resumed = false;

/** Once per process, at its first request: pushes a stopped server left running go on. */
export function resumeXapiPushes(db: Db): void {
  if (resumed) return;
  resumeInterruptedJobs(db, getConfig().xapi, liveStatements(db));
  resumed = true;
}
