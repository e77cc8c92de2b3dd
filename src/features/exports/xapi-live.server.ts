/** The statements a push sends: every learning record now, with the running build's curriculum. */
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { xapiStatements } from './xapi-export.server.ts';
import { getPolicyCatalog } from '../policies/catalog.server.ts';
import { resumeInterruptedJobs, startPushJob, type PushJob, type StatementSource } from './xapi-jobs.server.ts';
import type { AuditCaller } from '../audit/audit.server.ts';

function liveStatements(db: Db): StatementSource {
  return async () => xapiStatements(db, await getCatalog(), { siteUrl: getConfig().siteUrl }, await getPolicyCatalog());
}

/** An admin's push of every statement to the configured LRS; null when XAPI_ENDPOINT is not set. */
export async function pushAllStatements(db: Db, caller: AuditCaller): Promise<{ job: PushJob; started: boolean } | null> {
  const { xapi } = getConfig();
  if (!xapi) return null;
  return startPushJob(db, xapi, caller, liveStatements(db));
}

let resumed: Promise<void> | null = null;

/** Once per process, at its first request: pushes a stopped server left running go on (tried again after a failure). */
export async function resumeXapiPushes(db: Db): Promise<void> {
  resumed ??= resumeInterruptedJobs(db, getConfig().xapi, liveStatements(db)).then(
    () => undefined,
    (error: unknown) => {
      resumed = null;
      throw error;
    },
  );
  return resumed;
}
