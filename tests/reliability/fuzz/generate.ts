/**
 * Bodies generated from an action's JSON Schema (see schema.ts): for every field, valid values
 * (boundaries included: exactly the maximum length, the smallest and largest number), values
 * the schema refuses (over the maximum length, under the minimum, not matching the pattern, not
 * one of the enum values, outside the number range, a fraction where an integer is required, not
 * a number, text instead of a file), and the hostile corpus in any field (whether the schema
 * refuses that is asked of the schema when the body is sent).
 *
 * A spec names what the schema cannot know: the values that exist in the running app (ids,
 * lessons, the real password), values refused by a refinement JSON Schema has no form for
 * (a common password, an email without "@"), and the bodies the handler must refuse.
 */
import fc from 'fast-check';
import { allowedConstants, isFile, isNullable, isNumber, limitsOf, members, schemaOf, type FieldSchema, type JsonSchema, type NumberLimits } from './schema.ts';
import {
  anyText,
  bad,
  brokenEnvelope,
  good,
  notANumber,
  notIn,
  notMatching,
  numberText,
  outside,
  overMax,
  randomFields,
  replaced,
  shown,
  textUpTo,
  unknownName,
  without,
  type Body,
  type Field,
  type Value,
} from './values.ts';

/** Numbers inside the limits as form text, the two ends included, written in the ways `Number()` reads. */
function numbersWithin(limits: NumberLimits): fc.Arbitrary<string> {
  const step = limits.int ? 1 : 0.5;
  const low = limits.minInclusive ? limits.min : limits.min + step;
  const high = limits.maxInclusive ? limits.max : limits.max - step;
  const inside = limits.int ? fc.integer({ min: Math.ceil(low), max: Math.floor(high) }) : fc.integer({ min: Math.ceil(low * 2), max: Math.floor(high * 2) }).map((n) => n / 2);
  return fc.oneof({ weight: 4, arbitrary: inside }, { weight: 1, arbitrary: fc.constantFrom(low, high) }).chain(numberText);
}

/** Valid text for one schema member. */
function validFor(s: JsonSchema): fc.Arbitrary<string> | null {
  if (s.enum) return fc.constantFrom(...s.enum.map(String));
  if (s.const !== undefined) return fc.constant(String(s.const));
  if (isNumber(s)) return numbersWithin(limitsOf(s));
  if (s.type !== 'string' || s.format === 'binary') return null;
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 200;
  if (s.pattern !== undefined) {
    const re = new RegExp(s.pattern);
    return fc.stringMatching(re).filter((v) => v.length >= min && v.length <= max);
  }
  if (s.format === 'email') return fc.emailAddress().filter((v) => v.length <= max);
  return textUpTo(max, min);
}

/** A valid value for a field as the form sends it: from its own schema, or the number a pipe makes of its text. */
export function validValue(field: FieldSchema): fc.Arbitrary<string> {
  const output = members(field.output).filter(isNumber);
  const input = members(field.input);
  const sides = input.every((s) => s.type === 'string' && !s.enum && s.const === undefined && s.pattern === undefined) && output.length > 0 ? output : input;
  const options = sides.map(validFor).filter((a): a is fc.Arbitrary<string> => a !== null);
  if (options.length === 0) throw new Error(`${field.name}: no valid value can be made from its schema; the spec must give one`);
  return fc.oneof(...options);
}

/** Text a number member refuses: outside its limits, or (when it has none) not a number or a fraction for an integer. */
function refusedNumber(s: JsonSchema): fc.Arbitrary<string> {
  const limits = limitsOf(s);
  if (limits.bounded) return outside(limits);
  return limits.int
    ? fc.oneof(
        notANumber,
        fc.integer({ min: -1000, max: 1000 }).map((n) => `${n}.5`),
      )
    : notANumber;
}

/** Text the member refuses, or null when JSON Schema states nothing a text could break. */
function refusedBy(s: JsonSchema, field: FieldSchema): fc.Arbitrary<string>[] {
  if (s.format === 'binary') return [anyText];
  if (isNumber(s)) return [refusedNumber(s)];
  if (s.type !== 'string' || s.enum || s.const !== undefined) return [];
  const options: fc.Arbitrary<string>[] = [];
  if (s.maxLength !== undefined) options.push(overMax(s.maxLength));
  // An empty field reaches a required field as null, which is not a string; shorter text is refused however it is padded.
  if (field.required && !isNullable(field)) options.push(fc.constant(''));
  if ((s.minLength ?? 0) >= 2) options.push(fc.string({ minLength: 1, maxLength: s.minLength! - 1 }));
  if (s.pattern !== undefined) options.push(notMatching(new RegExp(s.pattern)));
  return options;
}

/**
 * Values the field's schema refuses (as form text), read from its JSON Schema alone; null when
 * it states nothing a text could break. In a union the fixed strings (enum and const members)
 * are left out of what the other members refuse; a union of several open members (none today)
 * could take a value one of them refuses, which the harness's schema confirmation would report.
 */
export function invalidValues(field: FieldSchema): fc.Arbitrary<string> | null {
  const constants = allowedConstants(field);
  const open = members(field.input).filter((s) => !s.enum && s.const === undefined);
  const options: fc.Arbitrary<string>[] = [];
  if (open.length === 0 && constants.length > 0) options.push(notIn(constants));
  for (const s of open) options.push(...refusedBy(s, field).map((a) => a.filter((v) => !constants.includes(v))));
  // A pipe from text to a number: the number's limits hold after the text is read (and trimmed).
  const piped = members(field.output).filter(isNumber);
  if (open.length > 0 && open.every((s) => s.type === 'string' && !isFile(field)) && piped.length > 0) {
    for (const s of piped) options.push(refusedNumber(s));
  }
  return options.length > 0 ? fc.oneof(...options) : null;
}

export interface MixOptions {
  /** Bodies sent as multipart always (uploads), else at random. */
  multipart?: boolean;
  validWeight?: number;
  unknownWeight?: number;
  /** Extra values per field the schema refuses (refinements JSON Schema has no form for). */
  alsoInvalid?: Record<string, fc.Arbitrary<string>>;
  /** Fields not to make invalid from the schema (their refusals are the spec's). */
  noSchemaInvalid?: readonly string[];
}

/** A valid body from the schema, with the values the spec gives for fields whose values depend on the app. */
export function validFields(
  action: string,
  given: Record<string, fc.Arbitrary<Value | Value[] | undefined>>,
  optional: 'sometimes' | 'always' = 'sometimes',
): fc.Arbitrary<Field[]> {
  const schema = schemaOf(action);
  const parts = schema.fields.map((field): fc.Arbitrary<Field[]> => {
    const value = given[field.name] ?? (field.required || optional === 'always' ? validValue(field) : fc.option(validValue(field), { nil: undefined }));
    return value.map((v): Field[] => (v === undefined ? [] : Array.isArray(v) ? v.map((x): Field => [field.name, x]) : [[field.name, v]]));
  });
  return fc.tuple(...parts).map((lists) => lists.flat());
}

/**
 * The shared mix for an action with a zod schema: near-valid bodies, one field made invalid
 * (from the schema; the schema is asked to confirm), a required field left out, a corpus value
 * in a known field, an unknown field, the handler-level invalid bodies the spec gives, random
 * fields and broken envelopes.
 */
export function schemaMix(action: string, valid: fc.Arbitrary<Field[]>, handlerInvalid: fc.Arbitrary<Body>[] = [], options: MixOptions = {}): fc.Arbitrary<Body> {
  const schema = schemaOf(action);
  const known = schema.fields.map((f) => f.name);
  const multipart = options.multipart ? fc.constant(true) : fc.boolean();
  const nearValid = fc.tuple(valid, multipart, fc.boolean()).map(([fields, mp, duplicate]) => good(duplicate && fields.length > 0 ? [...fields, fields[0]!] : fields, mp));
  const parts: { weight: number; arbitrary: fc.Arbitrary<Body> }[] = [{ weight: options.validWeight ?? 3, arbitrary: nearValid }];

  const invalid = new Map<string, fc.Arbitrary<string>>();
  for (const field of schema.fields) {
    const fromSchema = options.noSchemaInvalid?.includes(field.name) ? null : invalidValues(field);
    const extra = options.alsoInvalid?.[field.name];
    const values = [fromSchema, extra].filter((a): a is fc.Arbitrary<string> => a !== null && a !== undefined);
    if (values.length > 0) invalid.set(field.name, values.length === 1 ? values[0]! : fc.oneof(...values));
  }
  for (const name of Object.keys(options.alsoInvalid ?? {})) if (!known.includes(name)) throw new Error(`${action} has no field ${name}`);
  if (invalid.size > 0) {
    parts.push({
      weight: 5,
      arbitrary: fc
        .constantFrom(...invalid.keys())
        .chain((name) => fc.tuple(fc.constant(name), valid, invalid.get(name)!, multipart))
        .map(([name, fields, value, mp]) => bad(replaced(fields, name, value), 'schema', `${name}=${shown(value)}`, mp)),
    });
  }
  // Required fields left out, one at a time (whether that is invalid is asked of the schema when sent).
  const required = schema.fields.filter((f) => f.required).map((f) => f.name);
  if (required.length > 0) {
    parts.push({
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...required), valid, multipart).map(([name, fields, mp]): Body => ({ ...good(without(fields, name), mp), askSchema: `no ${name}` })),
    });
  }
  // The corpus in a known field (text where a file belongs, a number where text does, …): asked of the schema.
  if (known.length > 0) {
    parts.push({
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...known), valid, anyText, multipart)
        .map(([name, fields, value, mp]): Body => ({ ...good(replaced(fields, name, value), mp), askSchema: `${name}=${shown(value)}` })),
    });
  }
  // An unknown field: refused by a strict object (Astro's form reading hands it every entry); else asked.
  parts.push({
    weight: options.unknownWeight ?? 1,
    arbitrary: fc.tuple(valid, unknownName(known), anyText, multipart).map(([fields, name, value, mp]): Body => {
      const why = `unknown field ${JSON.stringify(name)}`;
      return schema.strict ? bad([...fields, [name, value]], 'schema', why, mp) : { ...good([...fields, [name, value]], mp), askSchema: why };
    }),
  });
  for (const arbitrary of handlerInvalid) parts.push({ weight: handlerInvalid.length <= 2 ? 2 : 1, arbitrary });
  parts.push({ weight: 1, arbitrary: fc.tuple(randomFields, fc.boolean()).map(([fields, mp]) => good(fields, mp)) });
  parts.push({ weight: 1, arbitrary: brokenEnvelope });
  return fc.oneof(...parts);
}
