/** "Add to calendar" (issue 15): one of the signed-in learner's own assignments with an open due date as an .ics file; anything else is 404. */
import type { APIRoute } from 'astro';
import { loadAssignmentCalendar } from '../../../features/notifications/account.server.ts';
import { getConfig } from '../../../platform/config.server.ts';
import { parseId } from '../../../platform/input/id.ts';

export const GET: APIRoute = async (context) => {
  const user = context.locals.user;
  const id = parseId(context.params.id);
  if (!user || id === null) return new Response('Not found.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const { siteUrl, timeZone } = getConfig();
  const body = await loadAssignmentCalendar(context.locals.db, user.id, id, { siteUrl, timeZone });
  if (body === null) return new Response('Not found.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return new Response(body, {
    headers: { 'content-type': 'text/calendar; charset=utf-8', 'content-disposition': `attachment; filename="manabi-due-${id}.ics"` },
  });
};
