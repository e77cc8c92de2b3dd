/**
 * A user's own notification choices (issue 15): the optional kinds switched on or off on
 * /account, the private calendar feed (create, revoke, re-create; only the token's hash is
 * stored), the one-click unsubscribe behind an e-mail's secret link, and the calendar files the
 * feed and the "add to calendar" download serve. Every change is audited.
 */
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { assignmentEnrolments, assignments, notificationOptOuts, notificationTokens, users } from '../../../db/schema/index.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { now as clockNow } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { dayKey } from '../../platform/dates.ts';
import { bestEffortWrite } from '../../platform/storage-errors.server.ts';
import { audit } from '../audit/audit.server.ts';
import type { Role } from '../users/roles.ts';
import { calendarFeedPath, MANDATORY_KINDS, optionalKindsFor } from './account.ts';
import { assignmentCalendar, calendarFeed } from './calendar.ts';
import { siteLink } from './links.ts';
import type { NotificationKind, OptionalKind } from './model.ts';
import { readNotificationSettings } from './settings.server.ts';
import { loadCalendarUser } from './snapshot.server.ts';
import { hashToken, issueToken, revokeTokens, tokenUser } from './tokens.server.ts';
import { changes, first } from '../../platform/query.ts';

/** The signed-in user making a change, and from where (what the audit row names). */
export interface AccountCaller {
  actor: { id: number; email: string; role: Role };
  ip: string | null;
}

export interface NotificationAccount {
  /** The optional kinds of the user's role; `disabledByAdmin`: switched off for everyone in the settings. */
  optional: { kind: OptionalKind; on: boolean; disabledByAdmin: boolean }[];
  mandatory: { kind: NotificationKind; disabledByAdmin: boolean }[];
  /** The live calendar feed, without its address (shown once, when created); null when there is none. */
  calendar: { createdAt: Date; usedAt: Date | null } | null;
}

export async function loadNotificationAccount(db: Db, user: { id: number; role: Role }): Promise<NotificationAccount> {
  const settings = await readNotificationSettings(db);
  const disabled = new Set<string>(settings.disabledKinds);
  const { off, feed } = await db.read(async (q) => ({
    off: new Set((await q.select({ kind: notificationOptOuts.kind }).from(notificationOptOuts).where(eq(notificationOptOuts.userId, user.id))).map((r) => r.kind)),
    feed: first(
      await q
        .select({ createdAt: notificationTokens.createdAt, usedAt: notificationTokens.usedAt })
        .from(notificationTokens)
        .where(and(eq(notificationTokens.userId, user.id), eq(notificationTokens.purpose, 'calendar'))),
    ),
  }));
  return {
    optional: optionalKindsFor(user.role).map((kind) => ({ kind, on: !off.has(kind), disabledByAdmin: disabled.has(kind) })),
    mandatory: MANDATORY_KINDS.map((kind) => ({ kind, disabledByAdmin: disabled.has(kind) })),
    calendar: feed ?? null,
  };
}

/** Adds opt-outs (once each: the primary key makes a repeat a no-op); returns the kinds newly switched off. */
async function addOptOuts(tx: Tx, userId: number, kinds: readonly OptionalKind[], at: Date): Promise<OptionalKind[]> {
  const added: OptionalKind[] = [];
  for (const kind of kinds) {
    const changed = changes(await tx.insert(notificationOptOuts).values({ userId, kind, createdAt: at }).onConflictDoNothing());
    if (changed === 1) added.push(kind);
  }
  return added;
}

/**
 * The account page's form: the optional kinds of the caller's role that stay on; the others
 * of the role are switched off. Kinds of other roles are left as they are. Audited when anything changed.
 */
export async function saveNotificationChoices(db: Db, caller: AccountCaller, on: readonly string[]): Promise<{ off: OptionalKind[]; on: OptionalKind[] }> {
  const applicable = optionalKindsFor(caller.actor.role);
  const wanted = applicable.filter((kind) => on.includes(kind));
  const unwanted = applicable.filter((kind) => !on.includes(kind));
  const at = clockNow();
  return db.write(async (tx) => {
    const switchedOff = await addOptOuts(tx, caller.actor.id, unwanted, at);
    const switchedOn =
      wanted.length === 0
        ? []
        : (
            await tx
              .delete(notificationOptOuts)
              .where(and(eq(notificationOptOuts.userId, caller.actor.id), inArray(notificationOptOuts.kind, wanted)))
              .returning({ kind: notificationOptOuts.kind })
          ).map((r) => r.kind as OptionalKind);
    if (switchedOff.length > 0 || switchedOn.length > 0) {
      await audit(
        tx,
        {
          actor: caller.actor,
          action: 'notification.preferences_saved',
          target: { type: 'user', id: caller.actor.id },
          details: { off: switchedOff, on: switchedOn },
          ip: caller.ip,
        },
        at,
      );
    }
    return { off: unwanted, on: wanted };
  });
}

/** A new feed address for the caller (the old one, if any, stops answering at once). The URL is returned once and never stored. */
export async function createCalendarFeed(db: Db, caller: AccountCaller, siteUrl: string): Promise<{ url: string; replaced: boolean }> {
  const token = await db.write(async (tx) => {
    const replaced = first(
      await tx
        .select({ hash: notificationTokens.tokenHash })
        .from(notificationTokens)
        .where(and(eq(notificationTokens.userId, caller.actor.id), eq(notificationTokens.purpose, 'calendar'))),
    );
    const value = await issueToken(tx, 'calendar', caller.actor.id);
    await audit(tx, {
      actor: caller.actor,
      action: 'notification.calendar_created',
      target: { type: 'user', id: caller.actor.id },
      details: { replaced: Boolean(replaced) },
      ip: caller.ip,
    });
    return { value, replaced: Boolean(replaced) };
  });
  return { url: siteLink(siteUrl, calendarFeedPath(token.value)), replaced: token.replaced };
}

/** Revokes the caller's feed; false when there was none (nothing audited then). */
export async function revokeCalendarFeed(db: Db, caller: AccountCaller): Promise<boolean> {
  return db.write(async (tx) => {
    const had = first(
      await tx
        .select({ hash: notificationTokens.tokenHash })
        .from(notificationTokens)
        .where(and(eq(notificationTokens.userId, caller.actor.id), eq(notificationTokens.purpose, 'calendar'))),
    );
    if (!had) return false;
    await revokeTokens(tx, 'calendar', caller.actor.id);
    await audit(tx, { actor: caller.actor, action: 'notification.calendar_revoked', target: { type: 'user', id: caller.actor.id }, ip: caller.ip });
    return true;
  });
}

/** "Last used" is a date on /account: one write a minute is enough, however often a calendar polls. */
const USED_AT_GRANULARITY_MS = 60_000;

function markUsed(db: Db, token: string, at: Date): Promise<void> {
  const hash = hashToken(token);
  return bestEffortWrite('notification.token_used', () =>
    db.write(
      async (tx) =>
        await tx
          .update(notificationTokens)
          .set({ usedAt: at })
          .where(
            and(eq(notificationTokens.tokenHash, hash), or(isNull(notificationTokens.usedAt), lt(notificationTokens.usedAt, new Date(at.getTime() - USED_AT_GRANULARITY_MS)))),
          ),
    ),
  );
}

/** The user behind a token if they may still be served: active and not erased. */
async function liveUser(db: Db, userId: number, activeOnly: boolean): Promise<{ id: number; email: string; locale: Locale } | null> {
  const row = await db.read(async (q) =>
    first(await q.select({ id: users.id, email: users.email, locale: users.locale, active: users.active, erasedAt: users.erasedAt }).from(users).where(eq(users.id, userId))),
  );
  if (!row || row.erasedAt !== null || (activeOnly && !row.active)) return null;
  return { id: row.id, email: row.email, locale: row.locale };
}

export interface CalendarContext {
  siteUrl: string;
  timeZone: string;
}

/** The private feed behind a token, or null (malformed, unknown, revoked; the user deactivated or erased). Marks the token used. */
export async function loadCalendarFeed(db: Db, token: string, context: CalendarContext): Promise<string | null> {
  const userId = await tokenUser(db, 'calendar', token);
  if (userId === null || (await liveUser(db, userId, true)) === null) return null;
  const at = clockNow();
  const user = await loadCalendarUser(db, userId, dayKey(at, context.timeZone));
  if (user === null) return null;
  await markUsed(db, token, at);
  return calendarFeed(user, { siteUrl: context.siteUrl, now: at });
}

/**
 * The "add to calendar" address per assigned tier: one of the user's assignments of the tier.
 * Several assignments of one tier are one duty (its earliest due date), so any of them names it.
 */
export async function assignmentCalendarIds(db: Db, userId: number): Promise<Map<string, number>> {
  const rows = await db.read(
    async (q) =>
      await q
        .select({ tierId: assignments.tierId, id: sql<number>`min(${assignments.id})` })
        .from(assignmentEnrolments)
        .innerJoin(assignments, eq(assignments.id, assignmentEnrolments.assignmentId))
        .where(eq(assignmentEnrolments.userId, userId))
        .groupBy(assignments.tierId),
  );
  return new Map(rows.map((r) => [r.tierId, r.id]));
}

/**
 * "Add to calendar" for one of the user's own assignments with an open due date: the feed's
 * event of that tier's duty (the same UID, so adding both never shows it twice); null when the
 * assignment is not the user's, is complete or has no due date.
 */
export async function loadAssignmentCalendar(db: Db, userId: number, assignmentId: number, context: CalendarContext): Promise<string | null> {
  const own = await db.read(async (q) =>
    first(
      await q
        .select({ tierId: assignments.tierId })
        .from(assignmentEnrolments)
        .innerJoin(assignments, eq(assignments.id, assignmentEnrolments.assignmentId))
        .where(and(eq(assignmentEnrolments.userId, userId), eq(assignmentEnrolments.assignmentId, assignmentId))),
    ),
  );
  if (!own) return null;
  const at = clockNow();
  const user = await loadCalendarUser(db, userId, dayKey(at, context.timeZone));
  const duty = user?.assignments.find((a) => a.tier.id === own.tierId);
  return user && duty ? assignmentCalendar(user, duty.id, { siteUrl: context.siteUrl, now: at }) : null;
}

export interface UnsubscribeView {
  locale: Locale;
  /** The optional kinds the link names. */
  kinds: OptionalKind[];
  /** Those of them already switched off. */
  off: OptionalKind[];
}

async function unsubscribeUser(db: Db, token: string): Promise<{ id: number; email: string; locale: Locale } | null> {
  const userId = await tokenUser(db, 'unsubscribe', token);
  // A deactivated user's request is still honoured (it only ever stops mail); an erased one's is gone.
  return userId === null ? null : liveUser(db, userId, false);
}

async function optedOut(q: Tx, userId: number, kinds: readonly OptionalKind[]): Promise<OptionalKind[]> {
  if (kinds.length === 0) return [];
  const off = new Set(
    (
      await q
        .select({ kind: notificationOptOuts.kind })
        .from(notificationOptOuts)
        .where(and(eq(notificationOptOuts.userId, userId), inArray(notificationOptOuts.kind, [...kinds])))
    ).map((r) => r.kind),
  );
  return kinds.filter((kind) => off.has(kind));
}

/** The confirm page of an unsubscribe link (changes nothing: link scanners follow GETs); null for an unknown token. */
export async function loadUnsubscribePage(db: Db, token: string, kinds: OptionalKind[]): Promise<UnsubscribeView | null> {
  const user = await unsubscribeUser(db, token);
  if (user === null) return null;
  const off = await db.read(async (q) => await optedOut(q, user.id, kinds));
  return { locale: user.locale, kinds, off };
}

/**
 * The one-click unsubscribe (RFC 8058) and the confirm page's button: switches the named optional
 * kinds off, once (a repeat changes nothing and audits nothing), and marks the token used. Null
 * for an unknown token.
 */
export async function unsubscribe(db: Db, token: string, kinds: OptionalKind[], ip: string | null): Promise<UnsubscribeView | null> {
  const user = await unsubscribeUser(db, token);
  if (user === null) return null;
  const at = clockNow();
  const hash = hashToken(token);
  const off = await db.write(async (tx) => {
    const added = await addOptOuts(tx, user.id, kinds, at);
    await tx.update(notificationTokens).set({ usedAt: at }).where(eq(notificationTokens.tokenHash, hash));
    if (added.length > 0) {
      await audit(tx, { actor: { id: user.id, email: user.email }, action: 'notification.unsubscribed', target: { type: 'user', id: user.id }, details: { kinds: added }, ip }, at);
    }
    return await optedOut(tx, user.id, kinds);
  });
  return { locale: user.locale, kinds, off };
}
