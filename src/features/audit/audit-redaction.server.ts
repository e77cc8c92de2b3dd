/**
 * The one controlled exception to the append-only audit log: when a person's personal data is
 * erased (src/features/users/erasure.server.ts), the rows that name them get their address and
 * name replaced, in `actor_label` and `details` only; who did what to which id, when and from
 * where stays as it was.
 *
 * How: inside the erasure's write transaction, the `audit_log_no_update` trigger is dropped,
 * the matching rows are updated, and the trigger is created again from the very SQL it had
 * (read from sqlite_master first, so the guard comes back exactly as the migrations wrote it).
 * SQLite's DDL is transactional: no other connection ever sees the log without its guard (the
 * write lock is held throughout, readers see the state before or after), and a failure or a
 * crash half-way rolls everything back, the trigger included. On PostgreSQL the same guard is
 * disabled and enabled again inside the transaction (its DDL is transactional too). The DELETE,
 * REPLACE and TRUNCATE guards are never touched. Nothing else calls this; an UPDATE from anywhere else is still aborted.
 */
import { eq, or, sql, type SQL } from 'drizzle-orm';
import { auditLog, selectedTables } from '../../../db/schema/index.ts';
import type { Tx } from '../../platform/db.server.ts';
import { redactJson, redactText, valuesUnder, type Redaction } from '../users/erasure.ts';
import { exec, first, rows } from '../../platform/query.ts';

const UPDATE_GUARD = 'audit_log_no_update';

/** The keys under which audit rows about a user record their address and name (src/features/users, src/features/auth). */
const PERSONAL_KEYS = new Set(['email', 'name', 'displayName']);

/**
 * What the log itself remembers of the person: the addresses they acted under (an address can
 * change with single sign-on) and the addresses and names recorded about them.
 */
export async function personalValuesInAuditLog(tx: Tx, userId: number): Promise<{ emails: string[]; names: string[] }> {
  const rows = await tx
    .select({ actorUserId: auditLog.actorUserId, actorLabel: auditLog.actorLabel, details: auditLog.details })
    .from(auditLog)
    .where(or(eq(auditLog.actorUserId, userId), sql`${auditLog.targetType} = 'user' and ${auditLog.targetId} = ${String(userId)}`));
  const emails = new Set<string>();
  const names = new Set<string>();
  for (const row of rows) {
    if (row.actorUserId === userId && row.actorLabel) emails.add(row.actorLabel);
    for (const value of valuesUnder(row.details, PERSONAL_KEYS)) (value.includes('@') ? emails : names).add(value);
  }
  return { emails: [...emails], names: [...names] };
}

/** A needle as it appears in the stored JSON text too (quotes and backslashes escaped). */
function storedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return json === value ? [value] : [value, json];
}

/**
 * Replaces the person's addresses, names and identifiers in every row they acted in, every row
 * about them, and every other row whose label or details contain one of them. Call inside the
 * erasure's `db.write`. Returns how many rows changed.
 */
export async function redactAuditLog(tx: Tx, userId: number, redaction: Redaction): Promise<number> {
  const needles = [...redaction.emails, ...redaction.names, ...redaction.identifiers].filter((n) => n.trim() !== '').flatMap(storedForms);
  // SQLite's instr, PostgreSQL's strpos (details is json there: compared as its text).
  const onPostgres = selectedTables() === 'postgres';
  const contains = (column: SQL): SQL[] =>
    needles.map((needle) => (onPostgres ? sql`strpos(lower(cast(${column} as text)), lower(${needle})) > 0` : sql`instr(lower(${column}), lower(${needle})) > 0`));
  const candidates = await tx
    .select({ id: auditLog.id, actorUserId: auditLog.actorUserId, actorLabel: auditLog.actorLabel, details: auditLog.details })
    .from(auditLog)
    .where(
      or(
        eq(auditLog.actorUserId, userId),
        sql`${auditLog.targetType} = 'user' and ${auditLog.targetId} = ${String(userId)}`,
        ...contains(sql`${auditLog.actorLabel}`),
        ...contains(sql`${auditLog.details}`),
      ),
    );
  const changes = candidates.flatMap((row) => {
    // The actor's label is always their address at the time, whatever it was.
    const actorLabel = row.actorUserId === userId ? redaction.email : row.actorLabel === null ? null : redactText(row.actorLabel, redaction);
    const details = row.details === null ? null : (redactJson(row.details, redaction) as Record<string, unknown>);
    const changed = actorLabel !== row.actorLabel || JSON.stringify(details) !== JSON.stringify(row.details);
    return changed ? [{ id: row.id, actorLabel, details }] : [];
  });
  if (changes.length === 0) return 0;

  if (onPostgres) {
    // PostgreSQL: the guard switched off for this transaction only. ALTER TABLE holds the table's
    // exclusive lock until commit, so no other session sees the log unguarded (its writes wait).
    const guard = first(
      await rows<{ name: string } | undefined>(
        tx,
        sql`select tgname as name from pg_trigger where tgrelid = 'audit_log'::regclass and tgname = ${UPDATE_GUARD} and tgenabled <> 'D'`,
      ),
    );
    if (!guard) throw new Error(`The audit log has no ${UPDATE_GUARD} trigger; run the migrations.`);
    await exec(tx, sql.raw(`alter table audit_log disable trigger ${UPDATE_GUARD}`));
    for (const change of changes) await tx.update(auditLog).set({ actorLabel: change.actorLabel, details: change.details }).where(eq(auditLog.id, change.id));
    await exec(tx, sql.raw(`alter table audit_log enable trigger ${UPDATE_GUARD}`));
    return changes.length;
  }
  const guard = first(await rows<{ sql: string } | undefined>(tx, sql`select sql from sqlite_master where type = 'trigger' and name = ${UPDATE_GUARD}`));
  // Without its guard the log is not what the migrations made: refuse rather than redact blindly.
  if (!guard?.sql) throw new Error(`The audit log has no ${UPDATE_GUARD} trigger; run the migrations.`);
  await exec(tx, sql.raw(`drop trigger ${UPDATE_GUARD}`));
  for (const change of changes) {
    await tx.update(auditLog).set({ actorLabel: change.actorLabel, details: change.details }).where(eq(auditLog.id, change.id));
  }
  await exec(tx, sql.raw(guard.sql));
  return changes.length;
}
