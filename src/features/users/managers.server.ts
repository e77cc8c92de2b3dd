/**
 * Line managers set by an admin on a user's page (issue 19 item 4; SCIM's enterprise `manager`
 * and the users CSV's `manager` column are the other two ways, and the last write wins). The
 * manager is named by e-mail; refused when nobody has it (or only an erased person), when it is
 * the user themself, when the manager is deactivated, or when the change would close a
 * reporting cycle. One write with its audit row (before/after manager).
 */
import { eq, sql } from 'drizzle-orm';
import { users } from '../../../db/schema/index.ts';
import { audit, type AuditCaller } from '../audit/audit.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { normalizeEmail } from '../../platform/input/email.ts';
import { chainText, MAX_CHAIN, reportingCycle } from './managers.ts';
import { first, rows as queryRows, jsonIds } from '../../platform/query.ts';

export type ManagerRefusal = 'not_found' | 'erased' | 'manager_unknown' | 'manager_self' | 'manager_inactive' | 'manager_cycle';

/** A refusal with what its message names: the e-mail asked for, or the cycle's chain of e-mails. */
export type SetManagerResult = { ok: true; changed: boolean } | { ok: false; error: ManagerRefusal; detail: string };

/** Someone as a reporting line names them. */
export interface PersonRef {
  id: number;
  email: string;
  displayName: string;
}

/** The user's manager (null for none, or one since erased) and how many active people report to them. */
export async function reportingLineOf(q: Tx, userId: number): Promise<{ manager: PersonRef | null; directReports: number }> {
  const manager =
    first(
      await queryRows<PersonRef | undefined>(
        q,
        sql`select m.id, m.email, m.display_name "displayName" from users u join users m on m.id = u.manager_id where u.id = ${userId} and m.erased_at is null`,
      ),
    ) ?? null;
  const directReports = first(await queryRows<{ n: number }>(q, sql`select count(*) n from users where manager_id = ${userId} and active and erased_at is null`))?.n ?? 0;
  return { manager, directReports };
}

async function managerIdOf(tx: Tx, userId: number): Promise<number | null> {
  return first(await tx.select({ managerId: users.managerId }).from(users).where(eq(users.id, userId)))?.managerId ?? null;
}

/** Sets (or, with null, clears) the user's line manager by the manager's e-mail. */
export async function setUserManager(db: Db, caller: AuditCaller, userId: number, managerEmail: string | null): Promise<SetManagerResult> {
  return db.write(async (tx): Promise<SetManagerResult> => {
    const user = first(await tx.select().from(users).where(eq(users.id, userId)));
    if (!user) return { ok: false, error: 'not_found', detail: '' };
    if (user.erasedAt) return { ok: false, error: 'erased', detail: '' };
    let manager: PersonRef | null = null;
    if (managerEmail !== null) {
      const email = normalizeEmail(managerEmail);
      const found = first(
        await tx
          .select({ id: users.id, email: users.email, displayName: users.displayName, active: users.active, erasedAt: users.erasedAt })
          .from(users)
          .where(sql`lower(${users.email}) = ${email}`),
      );
      // An erased person is no one now: as unknown as an address nobody has.
      if (!found || found.erasedAt) return { ok: false, error: 'manager_unknown', detail: email };
      if (found.id === userId) return { ok: false, error: 'manager_self', detail: email };
      if (!found.active) return { ok: false, error: 'manager_inactive', detail: found.email };
      // The walk reportingCycle makes, read first (its managerOf is synchronous): the same steps, the same stops.
      const managerOf = new Map<number, number | null>();
      let current: number | null = found.id;
      for (let steps = 0; current !== null && steps < MAX_CHAIN && current !== userId && !managerOf.has(current); steps++) {
        const next: number | null = await managerIdOf(tx, current);
        managerOf.set(current, next);
        current = next;
      }
      const cycle = reportingCycle(userId, found.id, (id) => managerOf.get(id) ?? null);
      if (cycle) return { ok: false, error: 'manager_cycle', detail: chainText(await emailsOf(tx, cycle)) };
      manager = found;
    }
    const before = user.managerId === null ? null : (first(await tx.select({ email: users.email }).from(users).where(eq(users.id, user.managerId)))?.email ?? null);
    if ((manager?.id ?? null) === user.managerId) return { ok: true, changed: false };
    await tx
      .update(users)
      .set({ managerId: manager?.id ?? null, updatedAt: clockNow() })
      .where(eq(users.id, userId));
    await audit(tx, {
      actor: caller.actor,
      action: 'user.updated',
      target: { type: 'user', id: userId },
      details: { before: { manager: before }, after: { manager: manager?.email ?? null } },
      ip: caller.ip,
    });
    return { ok: true, changed: true };
  });
}

/** The chain's people by e-mail, in order (a walk of at most MAX_CHAIN steps). */
async function emailsOf(tx: Tx, ids: number[]): Promise<string[]> {
  const json = JSON.stringify([...new Set(ids)]);
  const rows = await queryRows<{ id: number; email: string }>(tx, sql`select id, email from users where id in (${jsonIds(tx, json)})`);
  const byId = new Map(rows.map((r) => [r.id, r.email]));
  return ids.map((id) => byId.get(id) ?? `#${id}`);
}
