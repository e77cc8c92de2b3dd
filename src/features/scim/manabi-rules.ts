/**
 * The rules Manabi already has for what enters it, shared rather than copied: the email
 * normaliser and check, the name checks, and the OIDC group → role rule. The only imports from
 * outside this folder, so the coming move to feature folders changes one file here.
 */
import type { Locale } from '../../platform/i18n/locales.ts';
import { roleFromGroups } from '../auth/oidc-claims.ts';

export { isValidEmail, normalizeEmail } from '../../platform/input/email.ts';
export { hasInvisibleCharacters, normalizeDisplayName, normalizeName } from '../../platform/input/text.ts';
export { roleFromGroups };

export type ManabiRole = ReturnType<typeof roleFromGroups>;
export type ManabiLocale = Locale;
