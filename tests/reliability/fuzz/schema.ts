/**
 * The action schemas, read through zod's public API only: each action's input schema turned
 * into JSON Schema by `z.toJSONSchema` (both sides: `io: 'input'` is what the form sends,
 * `io: 'output'` what a pipe such as "text, then a number" checks after it), and `safeParseAsync`
 * to ask the schema itself whether it refuses a body.
 *
 * The actions are the app's own: `src/actions/index.ts` is imported with Astro's virtual
 * modules stubbed, so `defineAction` hands back the definition it was given (accept, input
 * schema, handler) — the very schema object the action validates with.
 */
import { vi } from 'vitest';
import { z } from 'astro/zod';
import { server as actionRegistry } from '../../../src/actions/index.ts';

vi.mock('astro:actions', () => ({
  defineAction: (definition: unknown) => definition,
  ActionError: class ActionError extends Error {},
}));
vi.mock('astro:content', () => ({ getCollection: async () => [], getEntry: async () => undefined, render: async () => null }));

/** The part of JSON Schema (draft 2020-12) that zod emits for the flat form schemas Manabi uses. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
}

export interface FieldSchema {
  name: string;
  required: boolean;
  /** What the form sends (before transforms and pipes). */
  input: JsonSchema;
  /** What the value is checked as after a pipe (a number after "text, trimmed"). */
  output: JsonSchema;
}

export interface ActionSchema {
  name: string;
  /** Unknown keys reach the schema (a strict or catch-all object): Astro then copies every form entry. */
  catchesUnknownKeys: boolean;
  /** Unknown keys are refused (a strict object). */
  strict: boolean;
  fields: FieldSchema[];
  field(name: string): FieldSchema;
  /** Asks the zod schema (safeParseAsync) whether it takes the object Astro would make of this form. */
  accepts(form: FormData): Promise<boolean>;
  /** Asks one field's own schema (the object's public `shape`) whether it takes this form value. */
  fieldAccepts(name: string, value: string): Promise<boolean>;
}

type ActionDefinition = { accept?: string; input?: z.ZodType; handler: unknown };
export const registry = actionRegistry as unknown as Record<string, Record<string, ActionDefinition>>;

/** Every action as `group.name`. */
export function actionNames(): string[] {
  return Object.entries(registry).flatMap(([group, actions]) => Object.keys(actions).map((name) => `${group}.${name}`));
}

function definitionOf(action: string): ActionDefinition {
  const [group, name] = action.split('.') as [string, string];
  const definition = registry[group]?.[name];
  if (!definition) throw new Error(`no action ${action}`);
  return definition;
}

/**
 * `z.instanceof(File)` has no JSON Schema form: asked of the schema itself (it takes a File and
 * refuses text), it becomes a binary string, the usual JSON Schema spelling of an upload.
 */
const unrepresentable = ({ zodSchema }: { zodSchema: unknown }): JsonSchema | 'any' => {
  const schema = zodSchema as z.ZodType;
  try {
    const takesFile = z.safeParse(schema, new File(['x'], 'x.csv', { type: 'text/csv' })).success;
    return takesFile && !z.safeParse(schema, 'x').success ? { type: 'string', format: 'binary' } : 'any';
  } catch {
    // A transform written for text (it throws on a File): not an upload.
    return 'any';
  }
};

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: unrepresentable as never }) as JsonSchema;
}

const cache = new Map<string, ActionSchema | null>();

/** The action's schema, or null for an action without one (its handler reads the form itself). */
export function actionSchema(action: string): ActionSchema | null {
  if (cache.has(action)) return cache.get(action)!;
  const input = definitionOf(action).input;
  if (!input) {
    cache.set(action, null);
    return null;
  }
  const inSide = jsonSchemaOf(input, 'input');
  const outSide = jsonSchemaOf(input, 'output');
  if (inSide.type !== 'object' || !inSide.properties) throw new Error(`${action}: not an object schema`);
  const required = new Set(inSide.required ?? []);
  const fields = Object.entries(inSide.properties).map(([name, schema]): FieldSchema => {
    if (schema.default !== undefined) throw new Error(`${action}.${name}: defaults are not modelled`);
    return { name, required: required.has(name), input: schema, output: outSide.properties?.[name] ?? {} };
  });
  const result: ActionSchema = {
    name: action,
    catchesUnknownKeys: inSide.additionalProperties !== undefined,
    strict: inSide.additionalProperties === false,
    fields,
    field(name) {
      const found = fields.find((f) => f.name === name);
      if (!found) throw new Error(`${action} has no field ${name}`);
      return found;
    },
    accepts: async (form) => (await input.safeParseAsync(formToObject(form, result))).success,
    fieldAccepts: async (name, value) => {
      const form = new FormData();
      form.append(name, value);
      const shape = (input as z.ZodObject).shape as Record<string, z.ZodType>;
      return (await shape[name]!.safeParseAsync(formToObject(form, result)[name])).success;
    },
  };
  cache.set(action, result);
  return result;
}

/** The schema of an action that has one. */
export function schemaOf(action: string): ActionSchema {
  const schema = actionSchema(action);
  if (!schema) throw new Error(`${action} has no input schema`);
  return schema;
}

/* Reading a field's JSON Schema --------------------------------------------------------------- */

const isNull = (s: JsonSchema): boolean => s.type === 'null';
export const isNumber = (s: JsonSchema): boolean => s.type === 'number' || s.type === 'integer';
const isConst = (s: JsonSchema): boolean => s.const !== undefined || s.enum !== undefined;

/** The members of a union (or the schema itself), null left out. */
export function members(schema: JsonSchema): JsonSchema[] {
  const options = schema.anyOf ?? schema.oneOf;
  return (options ? options.flatMap(members) : [schema]).filter((s) => !isNull(s));
}

/** Whether the field takes null (zod's nullable): an empty required field reaches it as null. */
export function isNullable(field: FieldSchema): boolean {
  const all = (s: JsonSchema): JsonSchema[] => (s.anyOf ?? s.oneOf)?.flatMap(all) ?? [s];
  return all(field.input).some(isNull);
}

/** The one schema under "X or null" (zod's nullable), else the schema itself. */
function unwrapNullable(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf ?? schema.oneOf;
  if (options && options.length === 2 && options.some(isNull)) return options.find((s) => !isNull(s))!;
  return schema;
}

/** The fixed strings a field takes (enum and const members). */
export function allowedConstants(field: FieldSchema): string[] {
  return members(field.input).flatMap((s) => (s.enum ?? (s.const !== undefined ? [s.const] : [])).map(String));
}

/** The string member of a field (a plain string, or the string side of a union), with its checks. */
export function stringMember(field: FieldSchema): JsonSchema {
  const found = members(field.input).find((s) => s.type === 'string' && !isConst(s));
  if (!found) throw new Error(`${field.name}: no string`);
  return found;
}

export function maxLength(field: FieldSchema): number {
  const max = members(field.input).find((s) => s.maxLength !== undefined)?.maxLength;
  if (max === undefined) throw new Error(`${field.name}: no max length`);
  return max;
}

export function minLength(field: FieldSchema): number {
  return members(field.input).find((s) => s.minLength !== undefined)?.minLength ?? 0;
}

export function pattern(field: FieldSchema): RegExp {
  const source = members(field.input).find((s) => s.pattern !== undefined)?.pattern;
  if (source === undefined) throw new Error(`${field.name}: no pattern`);
  return new RegExp(source);
}

export function enumValues(field: FieldSchema): string[] {
  const values = allowedConstants(field);
  if (values.length === 0) throw new Error(`${field.name}: no enum`);
  return values;
}

export interface NumberLimits {
  min: number;
  minInclusive: boolean;
  max: number;
  maxInclusive: boolean;
  int: boolean;
}

/** A number member's limits; a side the schema leaves open is given as ±1e9 (far past any form value that matters). */
export function limitsOf(s: JsonSchema): NumberLimits & { bounded: boolean } {
  const min = s.exclusiveMinimum ?? s.minimum;
  const max = s.exclusiveMaximum ?? s.maximum;
  return {
    min: min ?? -1e9,
    minInclusive: s.exclusiveMinimum === undefined,
    max: max ?? 1e9,
    maxInclusive: s.exclusiveMaximum === undefined,
    int: s.type === 'integer',
    bounded: min !== undefined && max !== undefined,
  };
}

/** The number a field is read as: its own number member, or the number a pipe makes of its text. */
export function numberMember(field: FieldSchema): JsonSchema | null {
  return members(field.input).find(isNumber) ?? members(field.output).find(isNumber) ?? null;
}

export function numberLimits(field: FieldSchema): NumberLimits {
  const member = numberMember(field);
  const limits = member ? limitsOf(member) : null;
  if (!limits?.bounded) throw new Error(`${field.name}: unbounded or no number`);
  return limits;
}

export const isFile = (field: FieldSchema): boolean => members(field.input).some((s) => s.format === 'binary');

/* Astro's form reading ---------------------------------------------------------------------- */

/**
 * Astro's `formDataToObject` for the flat form schemas Manabi uses (objects of strings, numbers,
 * enums, literals and files), so a body can be checked against the real schema here: an empty
 * field is `undefined` when optional and `null` when required; a field whose schema (under
 * "or null") is a number is read with `Number()`, every other one stays text.
 */
export function formToObject(form: FormData, schema: ActionSchema): Record<string, unknown> {
  const object: Record<string, unknown> = schema.catchesUnknownKeys ? Object.fromEntries(form.entries()) : {};
  for (const field of schema.fields) {
    const base = unwrapNullable(field.input);
    if (['object', 'array', 'boolean'].includes(base.type ?? '')) throw new Error(`${field.name}: ${base.type} fields are not modelled`);
    if (!form.has(field.name) && field.name in object) continue;
    const value = form.get(field.name);
    if (!value) object[field.name] = field.required ? null : undefined;
    else object[field.name] = isNumber(base) ? Number(value) : value;
  }
  return object;
}
