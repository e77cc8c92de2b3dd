/**
 * The admin's downloads (`/admin/exports/<file>`): the CSV exports and every xAPI statement as
 * one JSON array, both streamed; each download is audited before it starts. And the exports
 * page's data: the xAPI push's state.
 */
import { audit, type AuditCaller } from '../audit/audit.server.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getPolicyCatalog } from '../policies/catalog.server.ts';
import { KPI_EXPORT_MAX_MONTHS, kpiExportRange } from '../kpi/kpi-export.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { EXPORT_NAMES, exportCsv, type ExportName } from './csv.server.ts';
import { evidenceDownload } from './evidence.server.ts';
import { xapiStatements, type KeyedStatement } from './xapi-export.server.ts';
import { countDeliveredTo, latestJob, type PushJob } from './xapi-jobs.server.ts';
import { listDepartments, type Department } from '../users/users-admin.server.ts';
import { now } from '../../platform/clock.ts';
import { dayKey } from '../../platform/dates.ts';

export type Download = { status: 200; body: ReadableStream<Uint8Array>; contentType: string; fileName: string } | { status: 400; message: string } | { status: 404 };

/** Statements as a JSON array, a few hundred per pull so memory stays flat for large exports. */
export function statementsJson(statements: AsyncIterator<KeyedStatement>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (let i = 0; i < 500; i++) {
        const next = await statements.next();
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
}

export async function exportDownload(db: Db, caller: AuditCaller, file: string, params: URLSearchParams): Promise<Download> {
  const [catalog, policies] = await Promise.all([getCatalog(), getPolicyCatalog()]);
  const { siteUrl, timeZone } = getConfig();
  const stamp = now().toISOString().slice(0, 10);
  if (file === 'xapi.json') {
    await db.write(async (tx) => await audit(tx, { actor: caller.actor, action: 'export.downloaded', target: { type: 'export', id: 'xapi' }, ip: caller.ip }));
    const body = statementsJson(xapiStatements(db, catalog, { siteUrl }, policies));
    return { status: 200, body, contentType: 'application/json; charset=utf-8', fileName: `manabi-xapi-${stamp}.json` };
  }
  if (file === 'evidence.csv') {
    const evidence = await evidenceDownload(db, caller, params, { catalog, policies, timeZone });
    return evidence.status === 400 ? evidence : { ...evidence, contentType: 'text/csv; charset=utf-8' };
  }
  const name = file.replace(/\.csv$/, '') as ExportName;
  if (!file.endsWith('.csv') || !EXPORT_NAMES.includes(name)) return { status: 404 };
  const bom = params.get('bom') === '1';
  // Only the KPI export reads ?from=&to= (the other exports are not by month).
  const range = name === 'kpis' ? kpiExportRange(params, timeZone) : { from: '', to: '' };
  if (!range) return { status: 400, message: `Give from and to as YYYY-MM, at most ${KPI_EXPORT_MAX_MONTHS} months apart.` };
  const details = name === 'kpis' ? { bom, ...range } : { bom };
  await db.write(async (tx) => await audit(tx, { actor: caller.actor, action: 'export.downloaded', target: { type: 'export', id: name }, details, ip: caller.ip }));
  const body = await exportCsv(db, catalog, name, { bom, kpis: { ...range, timeZone }, policies });
  return { status: 200, body, contentType: 'text/csv; charset=utf-8', fileName: `manabi-${name}-${stamp}.csv` };
}

export interface ExportsPage {
  endpoint: string | null;
  delivered: number;
  job: PushJob | null;
  /** For the evidence export's form: the departments, and today in the app's zone (its default day). */
  departments: Department[];
  today: string;
}

/** The exports page: the configured LRS (if any), what it received, and the latest push; the evidence form's choices. */
export async function loadExportsPage(db: Db): Promise<ExportsPage> {
  const { xapi, timeZone } = getConfig();
  const evidence = { departments: await listDepartments(db), today: dayKey(now(), timeZone) };
  if (!xapi) return { endpoint: null, delivered: 0, job: null, ...evidence };
  return { endpoint: xapi.endpoint, delivered: await countDeliveredTo(db, xapi.endpoint), job: await latestJob(db, xapi.endpoint), ...evidence };
}
