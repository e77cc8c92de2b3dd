/**
 * Admin actions on exports: the xAPI push (src/features/exports/xapi-jobs.server.ts starts the
 * job and writes its audit row together).
 */
import { ActionError } from 'astro:actions';
import { defineAction } from './define.ts';
import { z } from 'astro/zod';
import { pushAllStatements } from '../features/exports/xapi-live.server.ts';
import { requireAdminCaller } from './guard.ts';

export const adminExports = {
  pushXapi: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => {
      const caller = requireAdminCaller(context);
      const pushed = await pushAllStatements(context.locals.db, caller);
      if (!pushed) throw new ActionError({ code: 'BAD_REQUEST', message: 'XAPI_ENDPOINT is not set' });
      // In the background: the answer comes at once, the page shows the job's progress.
      return { jobId: pushed.job.id, started: pushed.started };
    },
  }),
};
