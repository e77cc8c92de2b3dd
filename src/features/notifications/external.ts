/**
 * Everything this feature takes from the rest of Manabi, in one place: pure helpers only (no
 * database, no configuration), so the reorganisation into feature folders moves one import list.
 */
export { dayKey, formatDay, formatMonth } from '../../platform/dates.ts';
export { formatMessage } from '../../platform/i18n/index.ts';
export type { Locale } from '../../platform/i18n/locales.ts';
export { localePath } from '../../platform/i18n/paths.ts';
