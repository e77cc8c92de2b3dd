/**
 * "Erase personal data" (a data-subject request): one write transaction that deactivates the
 * user for good, ends their sessions and unused sign-in links, replaces their name with a
 * pseudonym and their email with a placeholder (src/features/users/erasure.ts), clears their
 * password and single sign-on identity (a later sign-in at the provider creates a new person,
 * never re-links), puts the pseudonym on their certificates, clears the free text they wrote,
 * deletes their notification messages (outbox rows and their events), secret links and
 * opt-outs, redacts the audit log (src/features/audit/audit-redaction.server.ts) and appends one
 * `user.erase` row naming the admin and the public id only. Every training record stays under
 * the user's id, so every KPI and evidence figure stays as it was.
 *
 * Then the database file is compacted (src/platform/db.server.ts `compactDatabase`) so that the
 * old bytes are gone from the file, its free pages and its write-ahead log, not only from the rows.
 */
import { and, eq, isNull } from 'drizzle-orm';
import {
  certificates,
  checkins,
  lessonFeedback,
  loginTokens,
  notificationOptOuts,
  notificationOutbox,
  notificationTokens,
  practiceAnswers,
  users,
} from '../../../db/schema/index.ts';
import { audit, type AuditCaller } from '../audit/audit.server.ts';
import { personalValuesInAuditLog, redactAuditLog } from '../audit/audit-redaction.server.ts';
import { deleteUserSessions } from '../auth/session.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { compactDatabase, withSecureDelete, type Db, type Tx } from '../../platform/db.server.ts';
import { logger } from '../../platform/log.server.ts';
import { normalizeEmail } from '../../platform/input/email.ts';
import { adminRuleViolation, userChangeEffect } from './admin-rules.server.ts';
import { ERASED_TEXT, erasedDisplayName, erasedEmail, type Redaction } from './erasure.ts';
import { getUser } from './users-admin.server.ts';
import type { Refused } from './user-changes.server.ts';
import { refreshPeople } from '../kpi/dept-rollups.server.ts';
import { first } from '../../platform/query.ts';

export type ErasureRefusal = 'not_found' | 'cannot_erase_self' | 'last_admin' | 'already_erased' | 'confirmation_mismatch';

/**
 * Erases the user's personal data when `confirmation` is their current email (typed by the
 * admin, as a deliberate step); refused for oneself, the last active admin, an erased user, or
 * a confirmation that does not match — then nothing changes.
 */
export async function eraseUserPersonalData(db: Db, caller: AuditCaller, userId: number, confirmation: string): Promise<{ ok: true; publicId: string } | Refused<ErasureRefusal>> {
  const result = await withSecureDelete(db, () => db.write(async (tx) => await erase(tx, caller, userId, confirmation)));
  if (!result.ok) return result;
  try {
    const compacted = await compactDatabase(db);
    if (!compacted.walEmptied) logger.warn({ userId }, 'erasure: the write-ahead log could not be emptied yet (a reader was busy); it is on the next checkpoint');
  } catch (error) {
    // The erasure is committed; the rows no longer hold the data. Say so loudly: the file still may.
    logger.error(
      { err: error, userId },
      'erasure: compacting the database failed; the old bytes may remain in the file: run `npm run db:compact` (server stopped) before the next backup',
    );
  }
  return result;
}

async function erase(tx: Tx, caller: AuditCaller, userId: number, confirmation: string): Promise<{ ok: true; publicId: string } | Refused<ErasureRefusal>> {
  const user = await getUser(tx, userId);
  if (!user) return { ok: false, error: 'not_found' };
  if (user.id === caller.actor.id) return { ok: false, error: 'cannot_erase_self' };
  if (user.erasedAt !== null) return { ok: false, error: 'already_erased' };
  if (normalizeEmail(confirmation) !== normalizeEmail(user.email)) return { ok: false, error: 'confirmation_mismatch' };
  const violation = await adminRuleViolation(tx, userChangeEffect(caller.actor.id, user, { active: false }));
  if (violation) return { ok: false, error: violation === 'last_admin' ? 'last_admin' : 'cannot_erase_self' };

  const at = clockNow();
  const name = erasedDisplayName(user.publicId);
  const email = erasedEmail(user.publicId);
  // Every name the person went by: now, on their certificates (the name at issue), in the log.
  const logged = await personalValuesInAuditLog(tx, userId);
  const heldNames = await tx.select({ name: certificates.holderName }).from(certificates).where(eq(certificates.userId, userId));
  const redaction: Redaction = {
    emails: unique([user.email, ...logged.emails]),
    names: unique([user.displayName, ...heldNames.map((c) => c.name), ...logged.names]),
    identifiers: user.oidcSubject ? [user.oidcSubject] : [],
    email,
    name,
  };

  await tx
    .update(users)
    .set({
      active: false,
      displayName: name,
      email,
      passwordHash: null,
      oidcIssuer: null,
      oidcSubject: null,
      externalId: null,
      givenName: null,
      familyName: null,
      managerId: null,
      erasedAt: at,
      updatedAt: at,
    })
    .where(eq(users.id, userId));
  await deleteUserSessions(tx, userId);
  await refreshPeople(tx, [userId]);
  await tx.delete(loginTokens).where(and(eq(loginTokens.userId, userId), isNull(loginTokens.usedAt)));
  await tx.update(certificates).set({ holderName: name }).where(eq(certificates.userId, userId));
  // Free text may say anything about anyone and is no evidence of training: cleared. The
  // rating, the hours and the fact of the practice stay (README, "Retention and erasure").
  await tx.update(lessonFeedback).set({ comment: null }).where(eq(lessonFeedback.userId, userId));
  await tx.update(checkins).set({ tasks: null }).where(eq(checkins.userId, userId));
  await tx.update(practiceAnswers).set({ answer: ERASED_TEXT }).where(eq(practiceAnswers.userId, userId));
  // Messages hold the address, name and what they were told (their events go with them); the
  // secret links and the opt-outs are no use to anyone any more.
  await tx.delete(notificationOutbox).where(eq(notificationOutbox.userId, userId));
  await tx.delete(notificationTokens).where(eq(notificationTokens.userId, userId));
  await tx.delete(notificationOptOuts).where(eq(notificationOptOuts.userId, userId));

  const redacted = await redactAuditLog(tx, userId, redaction);
  await audit(
    tx,
    { actor: caller.actor, action: 'user.erase', target: { type: 'user', id: userId }, details: { publicId: user.publicId, auditRowsRedacted: redacted }, ip: caller.ip },
    at,
  );
  return { ok: true, publicId: user.publicId };
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v.trim() !== ''))];
}

/** True when the user's personal data was erased: such an account is never made active again. */
export async function isErased(tx: Tx, userId: number): Promise<boolean> {
  return first(await tx.select({ erasedAt: users.erasedAt }).from(users).where(eq(users.id, userId)))?.erasedAt != null;
}
