/**
 * The rules every change of roles or activation obeys. The role form, deactivation, the
 * browser import and the CLI import all ask `adminRuleViolation`: an admin cannot demote or
 * deactivate themselves (another admin must), and no change may leave zero active admins
 * (then /admin is closed to everyone and only a shell can help). The CLI has no "self" but
 * the same floor. Call it inside the write transaction, so the count it checks is the one
 * the change commits against (two admins demoting each other at once: the second is refused).
 */
import { and, eq, sql } from 'drizzle-orm';
import { users } from '../../../db/schema/index.ts';
import type { Role } from './roles.ts';
import type { Tx } from '../../platform/db.server.ts';
import { first } from '../../platform/query.ts';

export type AdminRuleViolation = 'cannot_demote_self' | 'cannot_deactivate_self' | 'last_admin';

/** What a change does to the admins, worked out by the caller (one user, or a whole import). */
export interface AdminEffect {
  /** The acting admin's own account after the change, when the change touches it; null otherwise and for the CLI. */
  self: { role: Role; active: boolean } | null;
  /** Active admins the change demotes or deactivates. */
  removed: number;
  /** Accounts the change makes active admins: new, promoted or reactivated. */
  added: number;
}

export async function adminRuleViolation(tx: Tx, effect: AdminEffect): Promise<AdminRuleViolation | null> {
  if (effect.self && effect.self.role !== 'admin') return 'cannot_demote_self';
  if (effect.self && !effect.self.active) return 'cannot_deactivate_self';
  if (effect.removed > 0 && (await countActiveAdmins(tx)) - effect.removed + effect.added < 1) return 'last_admin';
  return null;
}

/** The effect of changing one user's role or activation (the role form, deactivation). */
export function userChangeEffect(actorId: number | null, user: { id: number; role: Role; active: boolean }, change: { role?: Role; active?: boolean }): AdminEffect {
  const role = change.role ?? user.role;
  const active = change.active ?? user.active;
  const wasAdmin = user.active && user.role === 'admin';
  const isAdmin = active && role === 'admin';
  return {
    self: user.id === actorId ? { role, active } : null,
    removed: wasAdmin && !isAdmin ? 1 : 0,
    added: !wasAdmin && isAdmin ? 1 : 0,
  };
}

export async function countActiveAdmins(tx: Tx): Promise<number> {
  return (
    first(
      await tx
        .select({ n: sql<number>`count(*)` })
        .from(users)
        .where(and(eq(users.role, 'admin'), eq(users.active, true))),
    )?.n ?? 0
  );
}
