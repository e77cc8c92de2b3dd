/** A signed-in user's own notification choices on /account: optional kinds on/off, the private calendar feed. */
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { type AccountCaller, createCalendarFeed, revokeCalendarFeed, saveNotificationChoices } from '../features/notifications/account.server.ts';
import { OPTIONAL_KINDS } from '../features/notifications/model.ts';
import { getConfig } from '../platform/config.server.ts';
import { clientIp } from '../platform/http/request.server.ts';
import { defineAction } from './define.ts';
import { requireUser } from './guard.ts';

const Ticked = z.literal('on').optional();

function caller(context: ActionAPIContext): AccountCaller {
  return { actor: requireUser(context), ip: clientIp(context) };
}

export const notificationAccount = {
  save: defineAction({
    accept: 'form',
    // One checkbox per optional kind, named after it: a ticked box sends `on`, an unticked one nothing (switched off).
    input: z.strictObject({ 'check-in': Ticked, 'champion-weekly': Ticked, 'admin-monthly': Ticked }),
    handler: async (input, context) =>
      saveNotificationChoices(
        context.locals.db,
        caller(context),
        OPTIONAL_KINDS.filter((kind) => input[kind] === 'on'),
      ),
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
