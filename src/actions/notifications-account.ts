/** A signed-in user's own notification choices on /account: optional kinds on/off, the private calendar feed. */
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { type AccountCaller, createCalendarFeed, revokeCalendarFeed, saveNotificationChoices } from '../features/notifications/account.server.ts';
import { OPTIONAL_KINDS } from '../features/notifications/model.ts';
import { getConfig } from '../platform/config.server.ts';
import { clientIp } from '../platform/http/request.server.ts';
import { defineAction } from './define.ts';
import { requireUser } from './guard.ts';

function caller(context: ActionAPIContext): AccountCaller {
  return { actor: requireUser(context), ip: clientIp(context) };
}

export const notificationAccount = {
  save: defineAction({
    accept: 'form',
    // The boxes left ticked; an unticked box sends nothing, so an empty list switches every optional kind of the role off.
    input: z.strictObject({ on: z.array(z.enum(OPTIONAL_KINDS)).max(OPTIONAL_KINDS.length).optional() }),
    handler: async ({ on }, context) => saveNotificationChoices(context.locals.db, caller(context), on ?? []),
  }),

  createFeed: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => createCalendarFeed(context.locals.db, caller(context), getConfig().siteUrl),
  }),

  revokeFeed: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => ({ revoked: await revokeCalendarFeed(context.locals.db, caller(context)) }),
  }),
};
