/**
 * Validation of a User as sent (POST, PUT, and the result of a PATCH): strict where it matters —
 * userName an email after Manabi's normaliser, no invisible or control characters in names, lengths,
 * one manager — and tolerant where providers differ: `active` as "True"/"False" (Entra without
 * its compliance flag), empty strings and nulls meaning "not set", languages as en-US or ja_JP.
 */
import { z } from 'astro/zod';
import { canonicalBody } from './canonical.ts';
import { canonicalSchema } from './attributes.ts';
import { ENTERPRISE_USER_SCHEMA, MAX_ID_LENGTH, MAX_NAME_LENGTH, USER_SCHEMA } from './constants.ts';
import { badRequest, type ScimError } from './errors.ts';
import { hasInvisibleCharacters, isValidEmail, normalizeDisplayName, normalizeEmail, normalizeName, type ManabiLocale } from './manabi-rules.ts';

const INVISIBLE = 'must not contain invisible, control or bidi characters';

/** "" and white space alone mean "not set" — unless the white space is itself invisible (a BOM). */
function blankToNull(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' && !hasInvisibleCharacters(value) ? null : value;
}

function visibleText(max: number, normalize: (value: string) => string): z.ZodType<string | null> {
  return z.preprocess(
    blankToNull,
    z.union([
      z.null(),
      z
        .string()
        .refine((value) => !hasInvisibleCharacters(value), INVISIBLE)
        .transform(normalize)
        .refine((value) => [...value].length <= max, `must be at most ${max} characters`),
    ]),
  ) as z.ZodType<string | null>;
}

const personName = visibleText(MAX_NAME_LENGTH, normalizeDisplayName);
const departmentName = visibleText(MAX_NAME_LENGTH, normalizeName);
/** Opaque ids from the provider (Entra's objectId, Okta's user id) or Manabi's own: kept exactly, only trimmed. */
export const opaqueId = visibleText(MAX_ID_LENGTH, (value) => value.trim());

export const booleanish = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^\s*(true|false)\s*$/i, 'must be true or false')
    .transform((value) => value.trim().toLowerCase() === 'true'),
]);

const email = z.string().max(320).transform(normalizeEmail).refine(isValidEmail, 'must be an email address (Manabi signs people in with it)');

const managerValue = z.union([opaqueId, z.strictObject({ value: opaqueId })]).transform((m) => (typeof m === 'string' || m === null ? m : m.value));

const manager = z.preprocess((value) => (Array.isArray(value) && value.length === 1 ? value[0] : value), z.union([z.null(), managerValue]));

const userBody = z.strictObject({
  schemas: z.array(z.string().max(200)).max(20),
  userName: email,
  externalId: opaqueId.optional(),
  displayName: personName.optional(),
  name: z.union([z.null(), z.strictObject({ givenName: personName.optional(), familyName: personName.optional(), formatted: personName.optional() })]).optional(),
  emails: z
    .union([z.null(), z.array(z.strictObject({ value: email, type: z.string().max(50).nullable().optional(), primary: booleanish.nullable().optional() })).max(20)])
    .optional(),
  active: booleanish.nullable().optional(),
  preferredLanguage: z.string().max(35).nullable().optional(),
  locale: z.string().max(35).nullable().optional(),
  [ENTERPRISE_USER_SCHEMA]: z.union([z.null(), z.strictObject({ department: departmentName.optional(), manager: manager.optional() })]).optional(),
});

/**
 * A User as sent: `undefined` where the body did not say (a PUT keeps the value, a POST takes the
 * default), `null` where it cleared the attribute.
 */
export interface ScimUserInput {
  email: string;
  /** displayName, else name.formatted, else the name parts; undefined when none was sent. */
  displayName: string | undefined;
  givenName: string | null | undefined;
  familyName: string | null | undefined;
  /** undefined also for a language Manabi does not offer. */
  locale: ManabiLocale | undefined;
  active: boolean | undefined;
  externalId: string | null | undefined;
  department: string | null | undefined;
  managerId: string | null | undefined;
}

/** ja, ja-JP, ja_JP → ja; en, en-US, en-GB → en; anything else → undefined (not Manabi's to offer). */
export function localeFromLanguage(value: string | null | undefined): ManabiLocale | undefined {
  const primary = value?.trim().split(/[-_]/)[0]?.toLowerCase();
  return primary === 'ja' || primary === 'en' ? primary : undefined;
}

/** "山田" + "太郎" → "山田 太郎" (family name first when either part is Japanese); "Joy" + "Young" → "Joy Young". */
export function nameFromParts(givenName: string | null | undefined, familyName: string | null | undefined): string | undefined {
  const parts = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(`${givenName ?? ''}${familyName ?? ''}`) ? [familyName, givenName] : [givenName, familyName];
  const joined = parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(' ');
  return joined.length > 0 ? [...joined].slice(0, MAX_NAME_LENGTH).join('') : undefined;
}

export function zodToScimError(error: z.ZodError): ScimError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.').replace(`${ENTERPRISE_USER_SCHEMA}.`, `${ENTERPRISE_USER_SCHEMA}:`) ?? '';
  const unknownKeys = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return badRequest('invalidValue', `${path || 'body'}: ${issue?.message ?? 'invalid'}${unknownKeys}.`);
}

/** Validates a User body (or a PATCH result, which has the same shape). Throws ScimError only. */
export function parseUserBody(body: unknown): ScimUserInput {
  const canonical = canonicalBody(body, 'User');
  const declared = Array.isArray(canonical.schemas) ? canonical.schemas : [];
  if (!declared.some((s) => typeof s === 'string' && canonicalSchema(s, 'User') === USER_SCHEMA)) {
    throw badRequest('invalidSyntax', `schemas must include ${USER_SCHEMA}.`);
  }
  const parsed = userBody.safeParse(canonical);
  if (!parsed.success) throw zodToScimError(parsed.error);
  const user = parsed.data;
  const extension = user[ENTERPRISE_USER_SCHEMA];
  const name = user.name;
  const displayName = user.displayName ?? name?.formatted ?? nameFromParts(name?.givenName, name?.familyName) ?? undefined;
  return {
    email: user.userName,
    displayName,
    givenName: name === null ? null : name?.givenName,
    familyName: name === null ? null : name?.familyName,
    locale: localeFromLanguage(user.preferredLanguage) ?? localeFromLanguage(user.locale),
    active: user.active ?? undefined,
    externalId: user.externalId,
    department: extension === null ? null : extension?.department,
    managerId: extension === null ? null : (extension?.manager as string | null | undefined),
  };
}
