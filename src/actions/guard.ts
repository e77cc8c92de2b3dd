/** Authorization helpers for action handlers: every handler checks its own caller. */
import { ActionError, type ActionAPIContext } from 'astro:actions';
import type { SessionUser } from '../features/auth/session.server.ts';
import { clientIp } from '../platform/http/request.server.ts';

export function requireUser(context: ActionAPIContext): SessionUser {
  const user = context.locals.user;
  if (!user) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Sign-in required.' });
  return user;
}

/** The answer to work on a locked course (the rule: src/features/progress/progress.server.ts `courseLocked`). */
export function courseLockedError(): ActionError {
  return new ActionError({ code: 'FORBIDDEN', message: 'This course is locked until its prerequisites are complete.' });
}

/** Who does an admin change and from where: what a feature writes into the audit row. */
export interface AdminCaller {
  actor: SessionUser;
  ip: string | null;
}

/** The admin behind this action (refused otherwise), with the address for the audit row. */
export function requireAdminCaller(context: ActionAPIContext): AdminCaller {
  return { actor: requireAdmin(context), ip: clientIp(context) };
}

export function requireAdmin(context: ActionAPIContext): SessionUser {
  const user = requireUser(context);
  if (user.role !== 'admin') throw new ActionError({ code: 'FORBIDDEN', message: 'Admins only.' });
  return user;
}
