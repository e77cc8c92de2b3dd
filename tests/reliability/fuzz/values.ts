/**
 * Bodies, and the hostile corpus they are made of: huge strings, control characters, NUL,
 * invisible and bidirectional characters, full-width forms, lone surrogates, SQL and HTML
 * payloads, path traversal, prototype keys, values of the wrong type (numbers, booleans, JSON
 * as text), and bodies that are no form at all (wrong content types, broken multipart).
 */
import fc from 'fast-check';
import type { NumberLimits } from './schema.ts';

/* Bodies ------------------------------------------------------------------------------------ */

export interface Upload {
  filename: string;
  content: string | Uint8Array;
  type: string;
}
export type Value = string | Upload;
export type Field = [string, Value];

export interface Invalid {
  /** schema: the zod schema refuses it (confirmed against the schema); handler: the handler must; envelope: the body cannot be read as a form. */
  kind: 'schema' | 'handler' | 'envelope';
  why: string;
}

export interface Body {
  fields: Field[];
  invalid: Invalid | null;
  multipart?: boolean;
  /** A body sent as is (wrong content type, broken multipart), instead of the fields. */
  raw?: { contentType: string | null; data: string | Uint8Array };
  /**
   * A body the generator cannot judge (a required field left out, a corpus value in a field):
   * invalid exactly when the schema refuses it, asked when it is sent.
   */
  askSchema?: string;
}

export function toFormData(fields: Field[]): FormData {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new File([value.content as BlobPart], value.filename, { type: value.type }));
  }
  return form;
}

export const good = (fields: Field[], multipart = false): Body => ({ fields, invalid: null, multipart });
export const bad = (fields: Field[], kind: Invalid['kind'], why: string, multipart = false): Body => ({ fields, invalid: { kind, why }, multipart });

/** Fields of a record, in order, leaving out `undefined` (absent) and spreading arrays (repeated fields). */
export function fieldsOf(record: Record<string, Value | Value[] | undefined>): Field[] {
  return Object.entries(record).flatMap(([name, value]): Field[] => (value === undefined ? [] : Array.isArray(value) ? value.map((v): Field => [name, v]) : [[name, value]]));
}

export const without = (fields: Field[], name: string): Field[] => fields.filter(([n]) => n !== name);
export const replaced = (fields: Field[], name: string, value: Value): Field[] => [...without(fields, name), [name, value]];

/** A short, readable account of a value for failure messages. */
export const shown = (value: string): string => `${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? `… (${value.length})` : ''}`;

/* The corpus -------------------------------------------------------------------------------- */

export const SPECIALS = [
  // wrong types and edge values as text
  '',
  ' ',
  '0',
  '-0',
  '-1',
  'null',
  'undefined',
  'true',
  'false',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '9007199254740993',
  '[]',
  '{}',
  '{"a":1}',
  '[object Object]',
  // prototype keys
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  // payloads
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' or 1=1 --",
  '"; drop table users; --',
  '../../etc/passwd',
  '%2e%2e%2f',
  '${7*7}',
  '{{7*7}}',
  // control, NUL, invisible and bidirectional characters
  '\u0000',
  'a\u0000b',
  '%00',
  '\u0007',
  '\u001b[31m',
  '\b',
  '\uFEFF',
  '\u200b',
  '\u2060',
  '\u00ad',
  '\u202e',
  '\r\n',
  '\r',
  // unicode that changes under normalisation or case mapping, full-width forms, emoji
  '𝟘',
  'İ',
  'ß',
  'ﬁ',
  'Å',
  '１２３',
  'ｅｘａｍｐｌｅ＠ｅｘａｍｐｌｅ．ｃｏｍ',
  '\u3000',
  '💥'.repeat(3),
  '👩‍👩‍👧‍👦',
];

/** Any text: ASCII, unicode graphemes, raw code units (lone surrogates), special values, numbers, and now and then huge. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', 'あ', '😀', ' '), fc.integer({ min: 1000, max: 200_000 })).map(([c, n]) => c.repeat(n)) },
);
export const nonEmptyText = anyText.filter((s) => s !== '');

const FILLERS = ['x', 'あ', 'é', '😀', '\u200b', 'Ω', '字', '-'];
/** Trimmed length over `max` (UTF-16 units): a random start, then non-whitespace filler past the limit. */
export const overMax = (max: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.constantFrom(...FILLERS),
      fc.oneof(fc.integer({ min: max + 1, max: max + 40 }), fc.integer({ min: max + 1, max: max * 50 + 5000 })),
    )
    .map(([start, filler, n]) => start + filler.repeat(n));
/** Empty once trimmed. */
export const blank = fc.constantFrom('', ' ', '   ', '\t', '\n', '\u3000', ' \u00a0 ', '\r\n');
/** Text within `max` once trimmed (unicode, padding, exactly at the limit). */
export const textUpTo = (max: number, min = 0): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }).filter((s) => s.trim().length >= min && s.trim().length <= max),
    fc.constantFrom('x'.repeat(max), ` ${'あ'.repeat(max)} `, '字'.repeat(Math.max(min, 1))),
  );
export const notMatching = (re: RegExp): fc.Arbitrary<string> => nonEmptyText.filter((s) => !re.test(s));
export const notIn = (values: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    nonEmptyText.filter((s) => !values.includes(s)),
    fc
      .constantFrom(...values)
      .map((v) => v.toUpperCase())
      .filter((s) => !values.includes(s)),
    fc.constantFrom(...values).map((v) => ` ${v}`),
    fc.constantFrom(...values).map((v) => `${v}x`),
  );
export const notANumber: fc.Arbitrary<string> = fc
  .oneof(nonEmptyText, fc.constantFrom('abc', '1,5', '1_000', '--1', '1e', '0x', '∞', '١٢', '½', '1 2', '１２'))
  .filter((s) => Number.isNaN(Number(s)));

/** Numbers the limits refuse (as form text): below, above, fractional where integers are required, not numbers. */
export function outside(limits: NumberLimits): fc.Arbitrary<string> {
  const below = limits.minInclusive ? limits.min - 1 : limits.min;
  const above = limits.maxInclusive ? limits.max + 1 : limits.max;
  const options: fc.Arbitrary<string>[] = [
    fc.integer({ min: -1_000_000_000, max: Math.floor(below) }).map(String),
    fc.integer({ min: Math.ceil(above), max: Math.max(Math.ceil(above), 2 ** 53 - 1) }).map(String),
    fc.constantFrom(String(below), String(above), '-0.5', '1e20', '-1e20', String(-(2 ** 63)), '1e309'),
    notANumber,
  ];
  if (limits.int) options.push(fc.integer({ min: Math.ceil(limits.min), max: Math.floor(limits.max) - 1 }).map((n) => `${n}.5`));
  return fc.oneof(...options).filter((s) => {
    const n = Number(s);
    const inRange = (limits.minInclusive ? n >= limits.min : n > limits.min) && (limits.maxInclusive ? n <= limits.max : n < limits.max);
    return s.trim() !== '' && !(Number.isFinite(n) && inRange && (!limits.int || Number.isInteger(n)));
  });
}

/** The same number written differently (what `Number()` reads back unchanged). */
export const numberText = (n: number): fc.Arbitrary<string> =>
  fc.constantFrom(String(n), ` ${n} `, `${n}.0`, `+${n}`, `${n}e0`, Number.isInteger(n) && n >= 0 ? `0x${n.toString(16)}` : String(n), `0${n}`.replace(/^0-/, '-'));

export const anyName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
  fc.constantFrom('_action', '_astroAction', 'constructor', '__proto__', 'prototype', 'id', 'userId', 'role', 'isAdmin', 'a[b]', 'a.b', 'x\u0000'),
);
/** A field name the strict schema does not know. */
export const unknownName = (known: readonly string[]): fc.Arbitrary<string> => anyName.filter((n) => !known.includes(n));

/** A body of random fields: names, values and count all random. */
export const randomFields = fc.array(fc.tuple(anyName, anyText), { maxLength: 8 }).map((entries): Field[] => entries);

/** Bodies that are not a readable form: unknown content types, JSON, broken multipart. */
export const brokenEnvelope: fc.Arbitrary<Body> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('application/json', 'text/plain', 'application/xml', 'application/octet-stream', 'image/png', 'text/html', 'application/x-www-form-urlencodedx'),
      anyText,
    )
    .map(([contentType, data]): Body => ({ fields: [], invalid: { kind: 'envelope', why: `content type ${contentType}` }, raw: { contentType, data } })),
  // Bytes, not text: fetch labels a text body text/plain by itself.
  anyText.map((data): Body => ({ fields: [], invalid: { kind: 'envelope', why: 'no content type' }, raw: { contentType: null, data: new TextEncoder().encode(data) } })),
  fc
    .tuple(fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=zzz'), anyText)
    .filter(([, data]) => !data.includes('--zzz'))
    .map(([contentType, data]): Body => ({ fields: [], invalid: { kind: 'envelope', why: `broken multipart (${contentType})` }, raw: { contentType, data } })),
  fc.tuple(anyText, fc.constantFrom('', '--', '\r\n')).map(
    ([junk, end]): Body => ({
      fields: [],
      invalid: { kind: 'envelope', why: 'truncated multipart' },
      raw: { contentType: 'multipart/form-data; boundary=b0undary', data: `--b0undary\r\nContent-Disposition: form-data; name="x\r\n\r\n${junk}${end}` },
    }),
  ),
);

/* Uploads ----------------------------------------------------------------------------------- */

export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export const csvFile = (content: string | Uint8Array, filename = 'users.csv', type = 'text/csv'): Upload => ({ filename, content, type });
