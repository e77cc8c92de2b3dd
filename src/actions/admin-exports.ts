/**
 * Admin actions on exports: the xAPI push.
 * Every handler checks the admin role itself and writes the audit log.
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { audit } from '../features/audit/audit.server.ts';
import { getDb } from '../platform/db.server.ts';
import { clientIp } from '../platform/http/request.server.ts';
import { getConfig } from '../platform/config.server.ts';
import { startPushJob } from '../features/exports/xapi-jobs.server.ts';
import { liveStatements } from '../features/exports/xapi-live.server.ts';
import { requireAdmin } from './guard.ts';

export const adminExports = {
  pushXapi: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => {
      const actor = requireAdmin(context);
      const db = getDb();
      const { xapi } = getConfig();
      if (!xapi) throw new ActionError({ code: 'BAD_REQUEST', message: 'XAPI_ENDPOINT is not set' });
      // In the background: the answer comes at once, the page shows the job's progress.
      const { job, started } = startPushJob(db, xapi, actor.id, liveStatements(db));
      audit(db, { actor, action: 'xapi.pushed', details: { jobId: job.id, started, endpoint: job.endpoint }, ip: clientIp(context) });
      return { jobId: job.id, started };
    },
  }),
};
