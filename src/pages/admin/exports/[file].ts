/** CSV and xAPI downloads for admins (the middleware refuses anyone else); each download is audited. */
import type { APIRoute } from 'astro';
import { getCatalog } from '../../../features/curriculum/catalog.server.ts';
import { audit } from '../../../features/audit/audit.server.ts';
import { getConfig } from '../../../platform/config.server.ts';
import { getDb } from '../../../platform/db.server.ts';
import { EXPORT_NAMES, exportCsv, type ExportName } from '../../../features/exports/csv.server.ts';
import { KPI_EXPORT_MAX_MONTHS, kpiExportRange } from '../../../features/kpi/kpi-export.server.ts';
import { clientIp } from '../../../platform/http/request.server.ts';
import { xapiStatements } from '../../../features/exports/xapi-export.server.ts';

export const GET: APIRoute = async (context) => {
  const user = context.locals.user;
  if (!user || user.role !== 'admin') return new Response(null, { status: 403 });
  const file = context.params.file ?? '';
  const db = getDb();
  const catalog = await getCatalog();
  const stamp = new Date().toISOString().slice(0, 10);
  if (file === 'xapi.json') {
    audit(db, { actor: user, action: 'export.downloaded', target: { type: 'export', id: 'xapi' }, ip: clientIp(context) });
    const statements = xapiStatements(db, catalog, { siteUrl: getConfig().siteUrl });
    const encoder = new TextEncoder();
    let first = true;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // A few hundred statements per pull keeps memory flat for large exports.
        for (let i = 0; i < 500; i++) {
          const next = statements.next();
          if (next.done) {
            controller.enqueue(encoder.encode(first ? '[]' : '\n]'));
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(`${first ? '[\n' : ',\n'}${JSON.stringify(next.value.statement)}`));
          first = false;
        }
      },
    });
    return new Response(body, {
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="manabi-xapi-${stamp}.json"` },
    });
  }
  const name = file.replace(/\.csv$/, '') as ExportName;
  if (!file.endsWith('.csv') || !EXPORT_NAMES.includes(name)) return new Response(null, { status: 404 });
  const bom = context.url.searchParams.get('bom') === '1';
  const { timeZone } = getConfig();
  // Only the KPI export reads ?from=&to= (the other exports are not by month).
  const range = name === 'kpis' ? kpiExportRange(context.url.searchParams, timeZone) : { from: '', to: '' };
  if (!range) return new Response(`Give from and to as YYYY-MM, at most ${KPI_EXPORT_MAX_MONTHS} months apart.`, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const details = name === 'kpis' ? { bom, ...range } : { bom };
  audit(db, { actor: user, action: 'export.downloaded', target: { type: 'export', id: name }, details, ip: clientIp(context) });
  return new Response(await exportCsv(db, catalog, name, { bom, kpis: { ...range, timeZone } }), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="manabi-${name}-${stamp}.csv"` },
  });
};
