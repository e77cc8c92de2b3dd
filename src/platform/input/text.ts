/**
 * Names (of people, departments, waves) and free text (comments, check-in notes): one check
 * for every way they enter Manabi. Invisible, control and bidi-override characters are
 * refused — a name made of U+200B looks empty, and U+202E turns the text after it around on the
 * screen of whoever reads it. A person's display name is stored as given (trimmed): NFKC — and
 * even NFC, which rewrites CJK compatibility ideographs — can change how a name is written
 * (① → 1, ㈱ → (株), ｶﾀｶﾅ → カタカナ). Department and wave names are identifiers compared for
 * uniqueness, so they are NFKC-normalised with white space collapsed (ＩＴ = IT). Free text is
 * kept as typed.
 */
import { z } from 'astro/zod';

/**
 * Control and format characters (zero-width spaces and joiners, bidi marks, embeddings,
 * overrides and isolates, the BOM, tag characters), line and paragraph separators, lone
 * surrogates, and the characters Unicode says to render as nothing (Hangul fillers and the like)
 * or that look blank (the braille blank).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/u;

/**
 * What may stay although it is invisible: one variation selector after a visible character (Japanese name kanji use them), and the joiner inside an emoji.
 * Not after white space: trimming would leave the selector first and invisible.
 */
const ALLOWED_SEQUENCES = [
  /(?<=[^\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{White_Space}])[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu,
  /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu,
];

/** True when `value` holds a character that is invisible, a control character or a bidi override; `multiline` text may have tabs and line breaks. */
export function hasInvisibleCharacters(value: string, options: { multiline?: boolean } = {}): boolean {
  let rest = value;
  for (const allowed of ALLOWED_SEQUENCES) rest = rest.replace(allowed, '');
  if (options.multiline) rest = rest.replace(/[\t\n\r]/g, '');
  return INVISIBLE.test(rest);
}

/** A department or wave name as stored and compared: NFKC, trimmed, runs of white space made one space. */
export function normalizeName(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

/** A person's display name as stored: as given, only trimmed (no Unicode normalisation, see above). */
export function normalizeDisplayName(value: string): string {
  return value.trim();
}

/** The fields whose invisible characters get their own message (`text.invisible.<field>`). */
export type TextField = 'name' | 'department' | 'waveName' | 'description' | 'comment' | 'tasks' | 'answer';

export function invisibleMessage(field: TextField): `text.invisible.${TextField}` {
  return `text.invisible.${field}`;
}

/**
 * A form field holding a name: 1 to `max` characters, refused with `text.invisible.<field>` when
 * it hides characters; a department or wave name is then NFKC-normalised, a person's name
 * (`field: 'name'`) kept as given.
 */
export function nameField(field: TextField, max: number): z.ZodType<string, string> {
  // The check sees the value as sent: trimming would quietly drop a leading BOM first.
  return z
    .string()
    .refine((value) => !hasInvisibleCharacters(value), invisibleMessage(field))
    .trim()
    .min(1)
    .max(max)
    .transform(field === 'name' ? normalizeDisplayName : normalizeName);
}

/**
 * A form field holding free text (trimmed, otherwise kept as typed); `multiline` allows line
 * breaks; `required`: at least one character once trimmed.
 */
export function textField(field: TextField, max: number, options: { multiline?: boolean; required?: boolean } = {}): z.ZodType<string, string> {
  const text = z
    .string()
    .refine((value) => !hasInvisibleCharacters(value, options), invisibleMessage(field))
    .trim();
  return (options.required ? text.min(1) : text).max(max);
}
