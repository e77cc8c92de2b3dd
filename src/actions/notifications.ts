/**
 * Admin actions on notifications (`/_actions/admin.<name>`): resend, resend all failed, a test
 * e-mail to yourself, and the notification settings. Webhook fields are named `…Secret…` so a
 * refused form never keeps them for the redirect (src/platform/http/form-input.ts).
 */
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { defineAction } from './define.ts';
import { Id, OptionalId } from './fields.ts';
import { requireAdminCaller } from './guard.ts';
import { getConfig } from '../platform/config.server.ts';
import { type WebhookChange, webhookChange } from '../features/notifications/admin.ts';
import { queueTestEmail, resendAllFailed, resendNotification } from '../features/notifications/admin.server.ts';
import { queueTestPost, saveDepartmentChannels, saveNotificationSettings } from '../features/notifications/admin-settings.server.ts';
import { NOTIFICATION_KINDS } from '../features/notifications/model.ts';

/** At most this many departments in one post (the form lists them all). */
const MAX_DEPARTMENTS = 2000;

/** A webhook field as a change; a bad one refuses the whole form, naming the field (`<problem>@<field>`). */
function change(form: FormData, field: string, removeField: string): WebhookChange {
  const raw = form.get(field);
  const result = webhookChange(typeof raw === 'string' ? raw : null, form.get(removeField) === '1');
  if ('problem' in result) throw new ActionError({ code: 'BAD_REQUEST', message: `${result.problem}@${field}` });
  return result;
}

const SettingsForm = z.strictObject({
  sendHour: z.coerce.number().int().min(0).max(23),
  digestWeekday: z.coerce.number().int().min(1).max(5),
  disabledKinds: z.array(z.enum(NOTIFICATION_KINDS)).max(NOTIFICATION_KINDS.length),
});

export const adminNotifications = {
  resendNotification: defineAction({
    accept: 'form',
    input: z.strictObject({ outboxId: Id }),
    handler: async ({ outboxId }, context) => {
      const caller = requireAdminCaller(context);
      await resendNotification(context.locals.db, outboxId, caller);
      return { outboxId };
    },
  }),

  resendAllFailed: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => {
      const caller = requireAdminCaller(context);
      return resendAllFailed(context.locals.db, caller);
    },
  }),

  sendTestEmail: defineAction({
    accept: 'form',
    input: z.strictObject({}),
    handler: async (_input, context) => {
      const caller = requireAdminCaller(context);
      const { actor } = caller;
      const { siteUrl, timeZone } = getConfig();
      const admin = { id: actor.id, name: actor.displayName, email: actor.email, locale: context.locals.locale ?? actor.locale };
      const { outboxId } = await queueTestEmail(context.locals.db, admin, caller, { siteUrl, timeZone });
      return { outboxId, email: actor.email };
    },
  }),

  sendTestPost: defineAction({
    accept: 'form',
    input: z.strictObject({ channel: z.enum(['teams', 'slack']), departmentId: OptionalId }),
    handler: async ({ channel, departmentId }, context) => {
      const caller = requireAdminCaller(context);
      const { siteUrl, timeZone } = getConfig();
      const locale = context.locals.locale ?? caller.actor.locale;
      const programmeName = context.locals.t('notify.admin.recipient.programme');
      const queued = await queueTestPost(context.locals.db, { channel, departmentId: departmentId ?? null }, { locale, programmeName }, caller, { siteUrl, timeZone });
      return { ...queued, channel };
    },
  }),

  saveNotificationSettings: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const caller = requireAdminCaller(context);
      const known = new Set(['sendHour', 'digestWeekday', 'disabledKinds', 'teamsSecret', 'slackSecret', 'removeTeams', 'removeSlack']);
      if ([...form.keys()].some((key) => !known.has(key))) throw new ActionError({ code: 'BAD_REQUEST', message: 'unknown_field' });
      const parsed = SettingsForm.safeParse({ sendHour: form.get('sendHour'), digestWeekday: form.get('digestWeekday'), disabledKinds: form.getAll('disabledKinds') });
      if (!parsed.success) throw new ActionError({ code: 'BAD_REQUEST', message: 'notify.admin.error.invalid' });
      const programmeTeams = change(form, 'teamsSecret', 'removeTeams');
      const programmeSlack = change(form, 'slackSecret', 'removeSlack');
      await saveNotificationSettings(context.locals.db, { ...parsed.data, programmeTeams, programmeSlack }, caller);
      return { saved: 'settings' };
    },
  }),

  saveDepartmentChannels: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const caller = requireAdminCaller(context);
      const ids = form.getAll('departmentId').map((v) => Id.safeParse(v));
      if (ids.length > MAX_DEPARTMENTS || ids.some((r) => !r.success)) throw new ActionError({ code: 'BAD_REQUEST', message: 'notify.admin.error.invalid' });
      const departmentIds = [...new Set(ids.map((r) => r.data!))];
      const allowed = new Set(['departmentId', ...departmentIds.flatMap((id) => [`teamsSecret.${id}`, `slackSecret.${id}`, `removeTeams.${id}`, `removeSlack.${id}`])]);
      if ([...form.keys()].some((key) => !allowed.has(key))) throw new ActionError({ code: 'BAD_REQUEST', message: 'unknown_field' });
      // Every field is checked before anything is written: one bad URL saves nothing.
      const input = departmentIds.map((departmentId) => ({
        departmentId,
        teams: change(form, `teamsSecret.${departmentId}`, `removeTeams.${departmentId}`),
        slack: change(form, `slackSecret.${departmentId}`, `removeSlack.${departmentId}`),
      }));
      const changed = await saveDepartmentChannels(context.locals.db, input, caller);
      return { saved: 'departments', changed };
    },
  }),
};
