/** The signed-in learner's own transcript as CSV (`?bom=1` for Excel); always the session's user. */
import type { APIRoute } from 'astro';
import { ownTranscriptCsv } from '../../features/transcript/transcript.server.ts';

export const GET: APIRoute = async (context) => {
  const user = context.locals.user;
  if (!user) return new Response(null, { status: 401 });
  const download = await ownTranscriptCsv(context.locals.db, user.id, context.locals.locale, context.url.searchParams.get('bom') === '1');
  if (!download) return new Response(null, { status: 404 });
  return new Response(download.body, {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${download.fileName}"` },
  });
};
