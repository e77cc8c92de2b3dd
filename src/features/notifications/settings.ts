/**
 * The programme's notification switches, as the admin sets them in /admin/settings: pure
 * parsing and defaults. Stored as JSON under the `notifications` settings key.
 */
import type { NotificationKind } from './model.ts';
import { NOTIFICATION_KINDS } from './model.ts';
import { DEFAULT_DIGEST_WEEKDAY } from './team-triggers.ts';

export interface NotificationSettings {
  /** The local hour (APP_TIMEZONE, 0–23) the day's messages are queued and sent from. */
  sendHour: number;
  /** The champions' digest weekday, 1 (Monday) to 5 (Friday). */
  digestWeekday: number;
  /** Kinds switched off for everyone. */
  disabledKinds: NotificationKind[];
  /** The programme team's channel (incoming webhooks); secrets, never shown in full. */
  programmeTeamsUrl: string | null;
  programmeSlackUrl: string | null;
}

export const DEFAULT_SEND_HOUR = 9;

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  sendHour: DEFAULT_SEND_HOUR,
  digestWeekday: DEFAULT_DIGEST_WEEKDAY,
  disabledKinds: [],
  programmeTeamsUrl: null,
  programmeSlackUrl: null,
};

const isKind = (value: unknown): value is NotificationKind => typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);
const wholeIn = (value: unknown, min: number, max: number): value is number => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
const urlOrNull = (value: unknown): string | null => (typeof value === 'string' && /^https:\/\//.test(value) ? value : null);

/** Whatever the settings row holds, as settings: an unknown or damaged value falls back to the default, field by field. */
export function parseNotificationSettings(stored: unknown): NotificationSettings {
  if (typeof stored !== 'object' || stored === null) return { ...DEFAULT_NOTIFICATION_SETTINGS };
  const value = stored as Record<string, unknown>;
  return {
    sendHour: wholeIn(value.sendHour, 0, 23) ? value.sendHour : DEFAULT_SEND_HOUR,
    digestWeekday: wholeIn(value.digestWeekday, 1, 5) ? value.digestWeekday : DEFAULT_DIGEST_WEEKDAY,
    disabledKinds: Array.isArray(value.disabledKinds) ? [...new Set(value.disabledKinds.filter(isKind))] : [],
    programmeTeamsUrl: urlOrNull(value.programmeTeamsUrl),
    programmeSlackUrl: urlOrNull(value.programmeSlackUrl),
  };
}

/** A webhook URL as the pages may show it: the host only (the path is the secret). */
export function maskWebhookUrl(url: string | null): string | null {
  if (url === null) return null;
  try {
    return `${new URL(url).host}/…`;
  } catch {
    return null;
  }
}
