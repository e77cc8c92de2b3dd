/**
 * One run of the day: every trigger, then the admin's switches, the users' opt-outs and the
 * outbox, then one digest per person. Pure: the outbox is asked through two callbacks, so a
 * dry run, a test and the real sender plan the same way.
 */
import { learnerEvents } from './learner-triggers.ts';
import type { NotificationEvent, NotificationKind, NotificationSnapshot, OptionalKind, Recipient } from './model.ts';
import { idempotencyKey, isOptionalKind, NOTIFICATION_KINDS } from './model.ts';
import { adminEvents, championEvents, DEFAULT_DIGEST_WEEKDAY } from './team-triggers.ts';
import { isLocalDay, isWorkingDay } from './working-days.ts';

export interface PlanOptions {
  /** The champions' digest weekday, 1 (Monday) to 5 (Friday). */
  weeklyDigestWeekday?: number;
  /** Kinds the admin switched off for everyone (mandatory kinds can only be switched off here). */
  disabledKinds?: readonly NotificationKind[];
  /** The outbox already holds this event (queued or sent): never produce it again. */
  alreadyQueued?: (eventKey: string) => boolean;
  /** The outbox already holds today's e-mail for this user: what is left waits for the next working day. */
  mailedToday?: (userId: string) => boolean;
}

export interface DigestSection {
  kind: NotificationKind;
  events: NotificationEvent[];
}

/** The one e-mail of one person on one day. */
export interface Digest {
  /** `user:digest:email:day`; the Message-ID is derived from it. */
  key: string;
  day: string;
  recipient: Recipient;
  /** In NOTIFICATION_KINDS order (most urgent first), none empty. */
  sections: DigestSection[];
  /** The keys the outbox records with this e-mail, in the same transaction. */
  eventKeys: string[];
  /** The optional kinds in it: they get List-Unsubscribe headers. */
  optionalKinds: OptionalKind[];
}

const KIND_ORDER = new Map<NotificationKind, number>(NOTIFICATION_KINDS.map((kind, i) => [kind, i]));

/** A person's opt-outs as one set: a user who is learner, champion and admin at once opted out if any of the roles says so. */
function optOutsByUser(snapshot: NotificationSnapshot): Map<string, Set<OptionalKind>> {
  const byUser = new Map<string, Set<OptionalKind>>();
  for (const person of [...snapshot.learners, ...snapshot.champions, ...snapshot.admins]) {
    const set = byUser.get(person.userId) ?? new Set<OptionalKind>();
    for (const kind of person.optOut) set.add(kind);
    byUser.set(person.userId, set);
  }
  return byUser;
}

/**
 * Every event due today, before the outbox: none on a day that is not a working day; none of a
 * kind the admin switched off; none of an optional kind the recipient opted out of. Each key
 * once, in a fixed order (recipient, kind, key), so two runs of the same day agree.
 */
export function collectEvents(snapshot: NotificationSnapshot, today: string, options: PlanOptions = {}): NotificationEvent[] {
  if (!isLocalDay(today)) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${JSON.stringify(today)}`);
  if (!isWorkingDay(today)) return [];
  const weekday = options.weeklyDigestWeekday ?? DEFAULT_DIGEST_WEEKDAY;
  const all = [
    ...snapshot.learners.flatMap((learner) => learnerEvents(learner, snapshot.checkIn, today)),
    ...snapshot.champions.flatMap((champion) => championEvents(champion, today, weekday)),
    ...snapshot.admins.flatMap((admin) => adminEvents(admin, today)),
  ];
  const disabled = new Set(options.disabledKinds ?? []);
  const optOuts = optOutsByUser(snapshot);
  const byKey = new Map<string, NotificationEvent>();
  for (const event of all) {
    const kind = event.data.kind;
    if (disabled.has(kind)) continue;
    if (isOptionalKind(kind) && optOuts.get(event.recipient.userId)?.has(kind)) continue;
    if (!byKey.has(event.key)) byKey.set(event.key, event);
  }
  return [...byKey.values()].sort(
    (a, b) => compare(a.recipient.userId, b.recipient.userId) || KIND_ORDER.get(a.data.kind)! - KIND_ORDER.get(b.data.kind)! || compare(a.key, b.key),
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The day's e-mails: at most one per person, with everything due for them that the outbox does not hold yet. */
export function planDigests(snapshot: NotificationSnapshot, today: string, options: PlanOptions = {}): Digest[] {
  const alreadyQueued = options.alreadyQueued ?? ((): boolean => false);
  const mailedToday = options.mailedToday ?? ((): boolean => false);
  const byUser = new Map<string, NotificationEvent[]>();
  for (const event of collectEvents(snapshot, today, options)) {
    if (alreadyQueued(event.key) || mailedToday(event.recipient.userId)) continue;
    const list = byUser.get(event.recipient.userId) ?? [];
    list.push(event);
    byUser.set(event.recipient.userId, list);
  }
  return [...byUser.entries()].map(([userId, events]) => {
    const sections: DigestSection[] = [];
    for (const event of events) {
      const last = sections.at(-1);
      if (last && last.kind === event.data.kind) last.events.push(event);
      else sections.push({ kind: event.data.kind, events: [event] });
    }
    return {
      key: idempotencyKey(userId, 'digest', 'email', today),
      day: today,
      recipient: events[0]!.recipient,
      sections,
      eventKeys: events.map((event) => event.key),
      optionalKinds: sections.map((section) => section.kind).filter(isOptionalKind),
    };
  });
}
