/** The department roster as CSV: champions get their own department only (403 otherwise); admins any. */
import type { APIRoute } from 'astro';
import { getCatalog } from '../../features/curriculum/catalog.server.ts';
import { authorizeRosterDownload } from '../../features/kpi/champion-page.server.ts';
import { csvStream, userProgressHeader, userProgressRows } from '../../features/exports/csv.server.ts';
import { clientIp } from '../../platform/http/request.server.ts';

export const GET: APIRoute = async (context) => {
  const user = context.locals.user;
  if (!user || (user.role !== 'champion' && user.role !== 'admin')) return new Response(null, { status: 403 });
  const db = context.locals.db;
  const departmentId = await authorizeRosterDownload(db, user, context.url.searchParams.get('department'), clientIp(context));
  if (departmentId === null) return new Response('Forbidden', { status: 403 });
  const catalog = await getCatalog();
  const bom = context.url.searchParams.get('bom') === '1';
  return new Response(csvStream(userProgressHeader(catalog), userProgressRows(db, catalog, departmentId), bom), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="manabi-roster-${departmentId}.csv"` },
  });
};
