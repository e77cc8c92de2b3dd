/** Any user's transcript as CSV for admins (the middleware refuses anyone else); audited as an export. */
import type { APIRoute } from 'astro';
import { userTranscriptCsv } from '../../../../../features/transcript/transcript.server.ts';
import { clientIp } from '../../../../../platform/http/request.server.ts';

export const GET: APIRoute = async (context) => {
  const user = context.locals.user;
  if (user?.role !== 'admin') return new Response(null, { status: 403 });
  const bom = context.url.searchParams.get('bom') === '1';
  const download = await userTranscriptCsv(context.locals.db, { actor: user, ip: clientIp(context) }, context.params.user, context.locals.locale, bom);
  if (!download) return new Response(null, { status: 404 });
  return new Response(download.body, {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${download.fileName}"` },
  });
};
