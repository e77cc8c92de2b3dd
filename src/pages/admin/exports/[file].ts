/** CSV and xAPI downloads for admins (the middleware refuses anyone else); each download is audited. */
import type { APIRoute } from 'astro';
import { exportDownload } from '../../../features/exports/downloads.server.ts';
import { clientIp } from '../../../platform/http/request.server.ts';

export const GET: APIRoute = async (context) => {
  const user = context.locals.user;
  if (!user || user.role !== 'admin') return new Response(null, { status: 403 });
  const download = await exportDownload(context.locals.db, { actor: user, ip: clientIp(context) }, context.params.file ?? '', context.url.searchParams);
  if (download.status === 404) return new Response(null, { status: 404 });
  if (download.status === 400) return new Response(download.message, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return new Response(download.body, {
    headers: { 'content-type': download.contentType, 'content-disposition': `attachment; filename="${download.fileName}"` },
  });
};
