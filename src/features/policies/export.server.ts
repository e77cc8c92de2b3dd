/**
 * Policy acknowledgements for the exports: CSV rows (one per acknowledgement, every version) and
 * xAPI statements ("accepted" a policy version). The caller passes the policy catalog, so these
 * run outside Astro too (tests, tools); null names the policies by their ids.
 */
import { readPages, type Db } from '../../platform/db.server.ts';
import { buildStatement, type XapiContext } from '../exports/xapi.ts';
import type { KeyedStatement } from '../exports/xapi-export.server.ts';
import type { PolicyCatalog } from './policies.ts';
import type { Locale } from '../../platform/i18n/locales.ts';

export const POLICY_EXPORT_HEADER = ['email', 'name', 'department', 'policy_id', 'policy_title', 'version', 'current_version', 'is_current', 'acknowledged_at', 'reading_language'];

interface Row {
  email: string;
  name: string;
  department: string | null;
  actor: string;
  policy: string;
  version: number;
  locale: string;
  at: number;
}

function acknowledgementRows(db: Db, pageSize?: number): AsyncGenerator<Row> {
  return readPages<Row>(
    db,
    `select t.rowid rid, u.email email, u.display_name name, d.name department, u.public_id actor, t.policy_id policy, t.version version, t.locale locale, t.acknowledged_at at
     from policy_acknowledgements t join users u on u.id = t.user_id left join departments d on d.id = u.department_id where true`,
    [],
    pageSize,
  );
}

export async function* policyAcknowledgementCsvRows(db: Db, catalog: PolicyCatalog | null): AsyncGenerator<unknown[]> {
  for await (const row of acknowledgementRows(db)) {
    const policy = catalog?.policy(row.policy) ?? null;
    const title = policy ? (policy.text.ja ?? policy.text.en)!.title : '';
    yield [
      row.email,
      row.name,
      row.department ?? '',
      row.policy,
      title,
      row.version,
      policy?.version ?? '',
      policy ? (policy.version === row.version ? 'yes' : 'no') : '',
      new Date(row.at).toISOString(),
      row.locale,
    ];
  }
}

/** One "accepted" statement per acknowledgement; the activity is the policy's version, so each version is its own record. */
export async function* policyStatements(db: Db, catalog: PolicyCatalog | null, ctx: XapiContext): AsyncGenerator<KeyedStatement> {
  for await (const row of acknowledgementRows(db, 5000)) {
    const policy = catalog?.policy(row.policy) ?? null;
    const name = (locale: Locale): string | undefined => {
      const title = policy?.text[locale]?.title;
      if (!title) return undefined;
      return locale === 'ja' ? `${title}（第${row.version}版）` : `${title} (version ${row.version})`;
    };
    const recordKey = `policy-accepted:${row.actor}:${row.policy}:${row.version}`;
    yield {
      recordKey,
      statement: buildStatement(ctx, {
        recordKey,
        actorId: row.actor,
        verb: 'accepted',
        activity: {
          type: 'document',
          path: `policy/${row.policy}/version/${row.version}`,
          name: policy ? { ja: name('ja'), en: name('en') } : { en: `${row.policy} (version ${row.version})` },
        },
        at: new Date(row.at),
      }),
    };
  }
}
