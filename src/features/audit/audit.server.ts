/**
 * The audit log: sign-ins, failed sign-ins, denials, admin changes and exports, with who,
 * what, when (UTC) and from where. Append-only (database triggers refuse UPDATE/DELETE).
 * Never pass a password, token or secret in `details`.
 */
import { auditLog } from '../../../db/schema/index.ts';
import type { Tx } from '../../platform/db.server.ts';
import { now as clockNow } from '../../platform/clock.ts';

export type AuditAction =
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.sign_out'
  | 'auth.link_used'
  | 'access.denied'
  | 'user.created'
  | 'user.updated'
  /** A role change asked for (by the provider's groups) and not applied under the admin rules. */
  | 'user.role_change_refused'
  | 'user.deactivated'
  | 'user.reactivated'
  /** A person's personal data erased (src/features/users/erasure.server.ts); names the public id only. */
  | 'user.erase'
  | 'user.password_set'
  | 'users.imported'
  | 'user.login_link_created'
  | 'assignment.created'
  | 'assignment.deleted'
  | 'wave.created'
  | 'wave.updated'
  | 'wave.deleted'
  | 'helpdesk.saved'
  | 'helpdesk.imported'
  | 'baseline.saved'
  /** Issue 15, /admin/notifications: a message queued again, the admin's test e-mail, the settings and a department's channel (hosts only, never a webhook's path). */
  | 'notification.resent'
  | 'notification.test_queued'
  | 'notification.settings_saved'
  | 'notification.channel_saved'
  | 'export.downloaded'
  | 'xapi.pushed'
  /** Issue 15: a user's own notification choices (kinds on/off, the calendar feed, a one-click unsubscribe). */
  | 'notification.preferences_saved'
  | 'notification.calendar_created'
  | 'notification.calendar_revoked'
  | 'notification.unsubscribed'
  /** A notification e-mail or channel post delivered / given up after its last try (issue 15): ids and kinds only. */
  | 'notification.sent'
  | 'notification.failed'
  /** Issue 19: SCIM bearer tokens made and revoked, and the groups the identity provider pushes (user changes by SCIM use the user.* actions, actor `scim`). */
  | 'scim.token_created'
  | 'scim.token_revoked'
  | 'scim.group_created'
  | 'scim.group_updated'
  | 'scim.group_deleted';

export interface AuditInput {
  actor: { id: number; email: string } | null;
  /** Used when there is no actor, e.g. the email a failed sign-in tried. */
  actorLabel?: string;
  action: AuditAction;
  target?: { type: string; id: string | number } | null;
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

/** Who makes a change and from where (an admin action's caller): what the audit row names. */
export interface AuditCaller {
  actor: { id: number; email: string };
  ip: string | null;
}

const SECRET_KEYS = /password|secret|token|hash/i;

/** Appends one row; call inside `db.write`, in the transaction of the change it records. */
export async function audit(tx: Tx, input: AuditInput, now = clockNow()): Promise<void> {
  const details = input.details ? Object.fromEntries(Object.entries(input.details).filter(([key]) => !SECRET_KEYS.test(key))) : null;
  await tx.insert(auditLog).values({
    at: now,
    actorUserId: input.actor?.id ?? null,
    actorLabel: input.actor?.email ?? input.actorLabel?.slice(0, 254) ?? null,
    action: input.action,
    targetType: input.target?.type ?? null,
    targetId: input.target ? String(input.target.id) : null,
    details,
    ip: input.ip ?? null,
  });
}
