/** Policy actions: acknowledge the current version of a policy, for the session user only. */
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { ContentId } from '../features/curriculum/schemas.ts';
import { acknowledgePolicy } from '../features/policies/acknowledgements.server.ts';
import { defineAction } from './define.ts';
import { requireUser } from './guard.ts';

export const policy = {
  acknowledge: defineAction({
    accept: 'form',
    // No user field: the acknowledgement is always the session user's.
    input: z.strictObject({ policyId: ContentId.max(100), version: z.coerce.number().int().min(1).max(10_000) }),
    handler: async ({ policyId, version }, context) => {
      const user = requireUser(context);
      const result = await acknowledgePolicy(context.locals.db, user, { policyId, version, locale: context.locals.locale });
      if (result.status === 'not_found') throw new ActionError({ code: 'NOT_FOUND', message: 'No such policy.' });
      if (result.status === 'not_applicable') throw new ActionError({ code: 'FORBIDDEN', message: 'policies.notForYou' });
      if (result.status === 'outdated') throw new ActionError({ code: 'CONFLICT', message: 'policies.outdated' });
      return { policyId: result.policyId, version: result.version, created: result.created };
    },
  }),
};
