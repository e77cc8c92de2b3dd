/**
 * A user's private calendar feed (issue 15): no session (calendar servers fetch it), the secret
 * in the address, looked up by its hash. An unknown, malformed or revoked token, or a deactivated
 * or erased user, gets the same bare 404.
 */
import type { APIRoute } from 'astro';
import { loadCalendarFeed } from '../../features/notifications/account.server.ts';
import { getConfig } from '../../platform/config.server.ts';

export const GET: APIRoute = async (context) => {
  const { siteUrl, timeZone } = getConfig();
  const body = await loadCalendarFeed(context.locals.db, context.params.token ?? '', { siteUrl, timeZone });
  if (body === null)
    return new Response('Not found.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-robots-tag': 'noindex' } });
  return new Response(body, {
    headers: { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'private, no-store', 'x-robots-tag': 'noindex' },
  });
};
