/**
 * Everything this feature takes from the rest of Manabi, in one place: pure helpers only (no
 * database, no configuration), so the reorganisation into feature folders moves one import list.
 */
export { dayKey, formatDay, formatMonth } from '../../lib/dates.ts';
export { formatMessage } from '../../lib/i18n/index.ts';
export type { Locale } from '../../lib/locales.ts';
export { localePath } from '../../lib/paths.ts';
