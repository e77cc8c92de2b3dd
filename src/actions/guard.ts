/** Authorization helpers for action handlers: every handler checks its own caller. */
import { ActionError, type ActionAPIContext } from 'astro:actions';
import type { Catalog, CourseNode } from '../features/curriculum/catalog.ts';
import { computeProgress } from '../features/progress/progress.ts';
import type { DbExecutor } from '../platform/db.server.ts';
import { loadLearnerRecord } from '../features/progress/progress.server.ts';
import type { SessionUser } from '../features/auth/session.server.ts';
import { clientIp } from '../platform/http/request.server.ts';

export function requireUser(context: ActionAPIContext): SessionUser {
  const user = context.locals.user;
  if (!user) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Sign-in required.' });
  return user;
}

/** Refuses work on a course whose prerequisites are not complete: locked means locked, not just a hidden button. */
export function requireUnlocked(db: DbExecutor, catalog: Catalog, userId: number, course: CourseNode): void {
  const progress = computeProgress(catalog, loadLearnerRecord(db, userId));
  if (progress.course(course.id)?.lock) {
    throw new ActionError({ code: 'FORBIDDEN', message: 'This course is locked until its prerequisites are complete.' });
  }
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
