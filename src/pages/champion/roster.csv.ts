/** The department roster as CSV: champions get their own department only (403 otherwise); admins any. */
import type { APIRoute } from 'astro';
import { z } from 'astro/zod';
import { getCatalog } from '../../features/curriculum/catalog.server.ts';
import { audit } from '../../features/audit/audit.server.ts';
import { getDb } from '../../platform/db.server.ts';
import { csvStream, userProgressHeader, userProgressRows } from '../../features/exports/csv.server.ts';
import { clientIp } from '../../platform/http/request.server.ts';

export const GET: APIRoute = async (context) => {
  const user = context.locals.user;
  if (!user || (user.role !== 'champion' && user.role !== 'admin')) return new Response(null, { status: 403 });
  const db = getDb();
  const requested = z.coerce.number().int().positive().safeParse(context.url.searchParams.get('department') ?? undefined);
  const departmentId = requested.success ? requested.data : user.departmentId;
  if (departmentId === null || (user.role !== 'admin' && departmentId !== user.departmentId)) {
    audit(db, { actor: user, action: 'access.denied', target: { type: 'department', id: departmentId ?? 'none' }, details: { route: '/champion/roster.csv' }, ip: clientIp(context) });
    return new Response('Forbidden', { status: 403 });
  }
  audit(db, { actor: user, action: 'export.downloaded', target: { type: 'roster', id: departmentId }, ip: clientIp(context) });
  const catalog = await getCatalog();
  const bom = context.url.searchParams.get('bom') === '1';
  return new Response(csvStream(userProgressHeader(catalog), userProgressRows(db, catalog, departmentId), bom), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="manabi-roster-${departmentId}.csv"` },
  });
};
