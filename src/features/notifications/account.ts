/**
 * What a user may decide about their notifications (pure): which optional kinds apply to their
 * role, and the kinds an unsubscribe link names. Every other kind is mandatory training
 * communication: only the admin can switch it off, for everyone.
 */
import type { Role } from '../users/roles.ts';
import { NOTIFICATION_KINDS, type NotificationKind, OPTIONAL_KINDS, type OptionalKind, isOptionalKind } from './model.ts';

/** The optional kinds a user of this role receives: the check-in for all, the weekly digest for champions, the monthly summary for admins. */
export function optionalKindsFor(role: Role): OptionalKind[] {
  return OPTIONAL_KINDS.filter((kind) => kind === 'check-in' || (kind === 'champion-weekly' && role === 'champion') || (kind === 'admin-monthly' && role === 'admin'));
}

/** The kinds nobody can switch off for themselves (learners' deadlines, policies). */
export const MANDATORY_KINDS: NotificationKind[] = NOTIFICATION_KINDS.filter((kind) => !isOptionalKind(kind));

/** `?kinds=a,b` as optional kinds, in OPTIONAL_KINDS order, once each; anything else (a mandatory kind, a typo) is dropped. */
export function parseKindsParam(value: string | null): OptionalKind[] {
  if (value === null) return [];
  const named = new Set(value.slice(0, 200).split(','));
  return OPTIONAL_KINDS.filter((kind) => named.has(kind));
}

/** The private feed's path (the token is its only authority). */
export function calendarFeedPath(token: string): string {
  return `/calendar/${token}.ics`;
}

/** The "add to calendar" download of one assignment (behind the session). */
export function assignmentCalendarPath(assignmentId: number): string {
  return `/calendar/assignment/${assignmentId}.ics`;
}
