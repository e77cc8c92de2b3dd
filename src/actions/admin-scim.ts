/**
 * SCIM bearer tokens in /admin/settings (issue 19): make one (shown once on the page after the
 * redirect) and revoke one. Each calls one function of src/features/scim/tokens.server.ts, which
 * writes the change with its audit row.
 */
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { createScimToken, MAX_TOKEN_LABEL_LENGTH, revokeScimToken } from '../features/scim/tokens.server.ts';
import { nameField } from '../platform/input/text.ts';
import { defineAction } from './define.ts';
import { Id } from './fields.ts';
import { requireAdminCaller } from './guard.ts';

export const adminScim = {
  createScimToken: defineAction({
    accept: 'form',
    input: z.strictObject({ label: nameField('name', MAX_TOKEN_LABEL_LENGTH) }),
    handler: async ({ label }, context) => {
      const caller = requireAdminCaller(context);
      const { token } = await createScimToken(context.locals.db, label, caller);
      return { label, token };
    },
  }),

  revokeScimToken: defineAction({
    accept: 'form',
    input: z.strictObject({ tokenId: Id }),
    handler: async ({ tokenId }, context) => {
      if (!(await revokeScimToken(context.locals.db, tokenId, requireAdminCaller(context)))) throw new ActionError({ code: 'NOT_FOUND', message: 'No such token.' });
      return { tokenId };
    },
  }),
};
