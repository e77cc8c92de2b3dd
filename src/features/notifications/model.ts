/**
 * The input the triggers read (a snapshot the server layer loads from the database) and the
 * events they produce. All days are local calendar days (`YYYY-MM-DD`, APP_TIMEZONE); ids are
 * strings so database integers and content ids (tiers, policies) look alike.
 */
import type { Locale } from './external.ts';

export interface LocalizedText {
  ja: string;
  en: string;
}

/**
 * The kinds of notification, most urgent first: the order of the sections in a digest.
 * `due-soon` (7 and 1 days before), `overdue` (up to 4 times) and `certificate-expiring`
 * (30 and 7 days before) have steps, which are part of the idempotency key's period.
 */
export const NOTIFICATION_KINDS = [
  'overdue',
  'policy',
  'due-soon',
  'certificate-expiring',
  'renewal-opened',
  'assignment-new',
  'check-in',
  'champion-weekly',
  'admin-monthly',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * What a user may switch off (from /account or the one-click unsubscribe). Every other kind is
 * about training the company requires; only the admin can switch it off, for everyone.
 */
export const OPTIONAL_KINDS = ['check-in', 'champion-weekly', 'admin-monthly'] as const;
export type OptionalKind = (typeof OPTIONAL_KINDS)[number];

export function isOptionalKind(kind: string): kind is OptionalKind {
  return (OPTIONAL_KINDS as readonly string[]).includes(kind);
}

/** Someone a message goes to. `optOut` lists the optional kinds they switched off. */
export interface Recipient {
  userId: string;
  name: string;
  email: string;
  locale: Locale;
  optOut: readonly OptionalKind[];
}

export interface TierRef {
  id: string;
  title: LocalizedText;
}

export interface AssignmentSnapshot {
  id: string;
  tier: TierRef;
  /** The day the learner got the assignment (joined it). */
  assignedOn: string;
  /** Due at the end of this day; null when there is no due date. */
  dueOn: string | null;
  completed: boolean;
}

export interface CertificateSnapshot {
  id: string;
  tier: TierRef;
  /** The last day the certificate is valid. Only the newest certificate of a tier counts. */
  validUntil: string;
}

export interface RenewalSnapshot {
  tier: TierRef;
  cycle: number;
  /** The day the renewal window opened (validUntil − renewWindowDays, issue 14). */
  openedOn: string;
  /** The day the renewal must be done by (the current certificate's validUntil). */
  renewBy: string;
  completed: boolean;
}

export interface PolicySnapshot {
  id: string;
  title: LocalizedText;
  version: number;
  /** The day the current version took effect. */
  effectiveOn: string;
  required: boolean;
  /** The policy's audience includes this user. */
  applies: boolean;
  /** The version this user acknowledged last; null for never. */
  acknowledgedVersion: number | null;
}

export interface LearnerSnapshot extends Recipient {
  assignments: readonly AssignmentSnapshot[];
  certificates: readonly CertificateSnapshot[];
  renewals: readonly RenewalSnapshot[];
  policies: readonly PolicySnapshot[];
  /** Submitted (or dismissed) the check-in of `NotificationSnapshot.checkIn.month`. */
  checkInSubmitted: boolean;
}

/** A department's changes since the last weekly digest; names only ever go to the champion by e-mail. */
export interface DepartmentWeek {
  department: { id: string; name: string };
  newOverdue: readonly string[];
  expiringSoon: readonly string[];
  expired: readonly string[];
  policyMissing: readonly string[];
  newComments: number;
}

export interface ChampionSnapshot extends Recipient {
  week: DepartmentWeek;
}

/** A KPI against its baseline; null when there is no figure (no baseline period yet). */
export interface KpiFigure {
  value: number | null;
  baseline: number | null;
}

/** The month's KPI summary (BRIEF.md definitions). Rates are fractions 0..1. */
export interface KpiSummary {
  /** The month summarised (`YYYY-MM`): the month before the one it is sent in. */
  month: string;
  usageRate: KpiFigure;
  completionRate: KpiFigure;
  certifiedNow: KpiFigure;
  hoursSaved: KpiFigure;
  inquiries: KpiFigure;
}

export interface AdminSnapshot extends Recipient {
  kpi: KpiSummary;
}

/** Active users only: the loader leaves deactivated users out. */
export interface NotificationSnapshot {
  learners: readonly LearnerSnapshot[];
  /** This month's check-in and the day it opens; null when there is none. */
  checkIn: { month: string; opensOn: string } | null;
  champions: readonly ChampionSnapshot[];
  admins: readonly AdminSnapshot[];
}

/** What an event says, per kind: everything the renderers need. */
export type EventData =
  | { kind: 'assignment-new'; tier: TierRef; dueOn: string | null }
  | { kind: 'due-soon'; tier: TierRef; dueOn: string; step: 7 | 1; daysLeft: number }
  | { kind: 'overdue'; tier: TierRef; dueOn: string; step: number; daysOverdue: number }
  | { kind: 'renewal-opened'; tier: TierRef; renewBy: string }
  | { kind: 'certificate-expiring'; tier: TierRef; validUntil: string; step: 30 | 7; daysLeft: number }
  | { kind: 'policy'; policyId: string; title: LocalizedText; version: number }
  | { kind: 'check-in'; month: string }
  | { kind: 'champion-weekly'; week: string; digest: DepartmentWeek }
  | { kind: 'admin-monthly'; kpi: KpiSummary };

/** One thing to tell one person, once. */
export interface NotificationEvent {
  /** recipient, kind, subject, period: the same event always has the same key. */
  key: string;
  recipient: Recipient;
  /** What it is about: an assignment, certificate, tier, policy, department. */
  subject: string;
  /** Which occurrence: a due date and step, a policy version, a month, an ISO week. */
  period: string;
  data: EventData;
}

/** `user:kind:subject:period`, each part percent-encoded so no part can contain the separator. */
export function idempotencyKey(recipientId: string, kind: NotificationKind | 'digest', subject: string, period: string): string {
  return [recipientId, kind, subject, period].map(encodeURIComponent).join(':');
}

export function makeEvent(recipient: Recipient, subject: string, period: string, data: EventData): NotificationEvent {
  return { key: idempotencyKey(recipient.userId, data.kind, subject, period), recipient, subject, period, data };
}
