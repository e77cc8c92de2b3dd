/**
 * What each learner is told, as pure functions of a snapshot and "today" (a local working day).
 *
 * Catch-up rule. Every notice has a window of days, [from, until], and a key that does not
 * depend on the day it is sent. A run on any working day in the window produces the notice; the
 * outbox keeps one row per key, so the first run in the window sends it and every later run,
 * the same day or after downtime, produces the same key and sends nothing new. Concretely:
 *
 * - Advance notices (due in 7 and 1 days, certificate expiring in 30 and 7 days) must never be
 *   late: when the exact day is not a working day they move to the last working day before it
 *   (due Sunday 2026-12-20: the 7-day notice on Friday 12-11, the 1-day notice on Friday
 *   12-18). Each stays due until the day before the next step's send day, the last until the
 *   deadline itself; the text always counts the days from the day it is sent. So a server that
 *   was down on 12-11 sends the 7-day notice on Monday 12-14 as "due in 6 days", and one that
 *   was down from 12-11 to 12-18 sends only the 1-day notice. A superseded step is not sent.
 * - Follow-ups (overdue on the first day after the due date, then every 7 days, at most 4) must
 *   never be early: they move to the next working day, and each stays due until the next one
 *   starts (the 4th for a week). After downtime only the current step is sent, so there are
 *   never more than 4.
 * - One-off notices (new assignment, renewal window opened, the check-in opening) go out on the
 *   first working day on or after their day and stay due for CATCH_UP_DAYS, no longer than they
 *   are useful (until the due date, the renewal deadline, the end of the month). A required
 *   policy version stays due until it is acknowledged: one message per version, never stale.
 */
import type { AssignmentSnapshot, LearnerSnapshot, NotificationEvent, NotificationSnapshot } from './model.ts';
import { makeEvent } from './model.ts';
import { addDays, daysBetween, lastDayOfMonth, monthOf, workingDayOnOrAfter, workingDayOnOrBefore } from './working-days.ts';

/** How long a one-off notice can still be caught up after downtime. */
export const CATCH_UP_DAYS = 14;
export const DUE_STEPS = [7, 1] as const;
export const EXPIRY_STEPS = [30, 7] as const;
export const OVERDUE_MAX = 4;
export const OVERDUE_EVERY_DAYS = 7;

interface Window<S> {
  step: S;
  from: string;
  until: string;
}

const minDay = (a: string, b: string): string => (a < b ? a : b);
const within = (today: string, window: { from: string; until: string }): boolean => window.from <= today && today <= window.until;

/**
 * The windows of advance notices before `deadline` (steps in days, largest first). A step whose
 * send day is on or before `startedOn` is dropped: what started then already said the date.
 */
export function advanceWindows<S extends number>(deadline: string, steps: readonly S[], startedOn: string | null): Window<S>[] {
  const sendDays = steps.map((step) => workingDayOnOrBefore(addDays(deadline, -step)));
  const windows: Window<S>[] = [];
  steps.forEach((step, i) => {
    const from = sendDays[i]!;
    const next = sendDays[i + 1];
    const until = next === undefined ? deadline : minDay(addDays(next, -1), deadline);
    if (startedOn !== null && from <= startedOn) return;
    if (from > until) return;
    windows.push({ step, from, until });
  });
  return windows;
}

/** The windows of the overdue follow-ups: day 1 after the due date, then weekly, OVERDUE_MAX in all. */
export function overdueWindows(dueOn: string): Window<number>[] {
  const sendDays = Array.from({ length: OVERDUE_MAX }, (_, i) => workingDayOnOrAfter(addDays(dueOn, 1 + OVERDUE_EVERY_DAYS * i)));
  return sendDays.map((from, i) => {
    const next = sendDays[i + 1];
    return { step: i + 1, from, until: next === undefined ? addDays(from, OVERDUE_EVERY_DAYS - 1) : addDays(next, -1) };
  });
}

/** The window of a one-off notice of `day`: from its first working day, for CATCH_UP_DAYS, never past `lastUseful`. */
export function oneOffWindow(day: string, lastUseful: string | null): { from: string; until: string } {
  const from = workingDayOnOrAfter(day);
  const stale = addDays(from, CATCH_UP_DAYS - 1);
  return { from, until: lastUseful === null ? stale : minDay(stale, lastUseful) };
}

function assignmentEvents(learner: LearnerSnapshot, assignment: AssignmentSnapshot, today: string): NotificationEvent[] {
  if (assignment.completed) return [];
  const { tier, dueOn } = assignment;
  const events: NotificationEvent[] = [];
  if (within(today, oneOffWindow(assignment.assignedOn, dueOn))) {
    events.push(makeEvent(learner, assignment.id, assignment.assignedOn, { kind: 'assignment-new', tier, dueOn }));
  }
  if (dueOn === null) return events;
  const soon = advanceWindows(dueOn, DUE_STEPS, assignment.assignedOn).find((w) => within(today, w));
  if (soon) {
    const data = { kind: 'due-soon', tier, dueOn, step: soon.step, daysLeft: daysBetween(today, dueOn) } as const;
    events.push(makeEvent(learner, assignment.id, `${dueOn}/d${soon.step}`, data));
  }
  const late = overdueWindows(dueOn).find((w) => within(today, w));
  if (late) {
    const data = { kind: 'overdue', tier, dueOn, step: late.step, daysOverdue: daysBetween(dueOn, today) } as const;
    events.push(makeEvent(learner, assignment.id, `${dueOn}/o${late.step}`, data));
  }
  return events;
}

/** Only the newest certificate of each tier can expire: an older one was renewed. */
function certificateEvents(learner: LearnerSnapshot, today: string): NotificationEvent[] {
  const newest = new Map<string, LearnerSnapshot['certificates'][number]>();
  for (const certificate of learner.certificates) {
    const current = newest.get(certificate.tier.id);
    if (!current || certificate.validUntil > current.validUntil) newest.set(certificate.tier.id, certificate);
  }
  const events: NotificationEvent[] = [];
  for (const certificate of newest.values()) {
    const window = advanceWindows(certificate.validUntil, EXPIRY_STEPS, null).find((w) => within(today, w));
    if (!window) continue;
    const daysLeft = daysBetween(today, certificate.validUntil);
    const data = { kind: 'certificate-expiring', tier: certificate.tier, validUntil: certificate.validUntil, step: window.step, daysLeft } as const;
    events.push(makeEvent(learner, certificate.id, `${certificate.validUntil}/e${window.step}`, data));
  }
  return events;
}

function renewalEvents(learner: LearnerSnapshot, today: string): NotificationEvent[] {
  return learner.renewals
    .filter((renewal) => !renewal.completed && within(today, oneOffWindow(renewal.openedOn, renewal.renewBy)))
    .map((renewal) => makeEvent(learner, renewal.tier.id, `cycle-${renewal.cycle}`, { kind: 'renewal-opened', tier: renewal.tier, renewBy: renewal.renewBy }));
}

function policyEvents(learner: LearnerSnapshot, today: string): NotificationEvent[] {
  return learner.policies
    .filter((policy) => policy.required && policy.applies)
    .filter((policy) => policy.acknowledgedVersion === null || policy.acknowledgedVersion < policy.version)
    .filter((policy) => workingDayOnOrAfter(policy.effectiveOn) <= today)
    .map((policy) => makeEvent(learner, policy.id, `v${policy.version}`, { kind: 'policy', policyId: policy.id, title: policy.title, version: policy.version }));
}

function checkInEvents(learner: LearnerSnapshot, checkIn: NotificationSnapshot['checkIn'], today: string): NotificationEvent[] {
  if (checkIn === null || learner.checkInSubmitted || monthOf(today) !== checkIn.month) return [];
  if (!within(today, oneOffWindow(checkIn.opensOn, lastDayOfMonth(checkIn.month)))) return [];
  return [makeEvent(learner, 'monthly', checkIn.month, { kind: 'check-in', month: checkIn.month })];
}

/** Everything due for one learner today (a working day), before opt-outs and the outbox are applied. */
export function learnerEvents(learner: LearnerSnapshot, checkIn: NotificationSnapshot['checkIn'], today: string): NotificationEvent[] {
  return [
    ...learner.assignments.flatMap((assignment) => assignmentEvents(learner, assignment, today)),
    ...certificateEvents(learner, today),
    ...renewalEvents(learner, today),
    ...policyEvents(learner, today),
    ...checkInEvents(learner, checkIn, today),
  ];
}
