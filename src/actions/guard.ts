/** Authorization helpers for action handlers: every handler checks its own caller. */
import { ActionError, type ActionAPIContext } from 'astro:actions';
import type { Role } from '../../db/schema.ts';
import type { Catalog, CourseNode } from '../lib/content/catalog.ts';
import { computeProgress } from '../lib/progress.ts';
import { adminRuleViolation, userChangeEffect } from '../lib/server/admin-rules.ts';
import type { DbExecutor } from '../lib/server/db.ts';
import { loadLearnerRecord } from '../lib/server/progress.ts';
import type { SessionUser } from '../lib/server/session.ts';

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

export function requireAdmin(context: ActionAPIContext): SessionUser {
  const user = requireUser(context);
  if (user.role !== 'admin') throw new ActionError({ code: 'FORBIDDEN', message: 'Admins only.' });
  return user;
}

/** Refuses a role or activation change that breaks src/lib/server/admin-rules.ts; call inside the write transaction. */
export function requireAdminRules(
  db: DbExecutor,
  actorId: number,
  user: { id: number; role: Role; active: boolean },
  change: { role?: Role; active?: boolean },
): void {
  const violation = adminRuleViolation(db, userChangeEffect(actorId, user, change));
  if (violation) throw new ActionError({ code: 'BAD_REQUEST', message: violation });
}
