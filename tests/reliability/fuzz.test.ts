/**
 * Property-based fuzzing (fast-check) of every form action and every endpoint, against one
 * built server (fixture curriculum) on a temp database.
 *
 * The actions are enumerated from `src/actions/index.ts` itself (imported with Astro's virtual
 * modules stubbed, which also gives each action's real zod input schema), cross-checked against
 * the `defineAction(` calls in `src/actions/*.ts`; the endpoints are the `.ts` files under
 * `src/pages`. Each has a spec below, and the suite fails if one is missing.
 *
 * For each action, 1,000 bodies, sent by an appropriately privileged signed-in user with the
 * right Origin, at random through the page's form (`/page?_action=…`, as a browser's form does)
 * or the action's RPC address (`/_actions/…`):
 * - near-valid bodies (which may be accepted) and random ones (wrong types, unknown fields,
 *   unicode, huge strings, negative numbers, wrong enum values, other users' ids, malformed
 *   multipart and CSV uploads);
 * - bodies invalid by construction: one field given a value the zod schema refuses (limits,
 *   patterns and enum values read from the schema itself, and the schema is asked to confirm
 *   it refuses the body), a required field left out, an unknown field added, or a value the
 *   handler must refuse (an id that does not exist, another user's attempt, a locked course,
 *   an end date before the start, a wrong current password, …).
 * Properties: never a 5xx; never a success for a body invalid by construction; and a refused
 * body leaves the database as it was.
 *
 * "Success" (read from the pages and actions): through a page, any 2xx/3xx (every page answers a
 * refused action with the action error's status — pages that did not were fixed); through RPC,
 * a 200 with data, except the answers whose data itself says "refused": a users or help-desk
 * import report with `ok: false`, and a quiz submission with `status: "incomplete"`.
 *
 * "The database as it was" compares every table, row by row (a hash of each table's rows in
 * rowid order, plus its row count), before and after each request, except what a refused
 * request may legitimately write:
 * - `audit_log`: it records refusals on purpose (failed sign-ins, access denials); for a refused
 *   request only rows with those two actions may appear (checked), and `sqlite_sequence`'s
 *   counter for it moves with them;
 * - `sessions.last_active_at`: every authenticated request may refresh it (once a minute);
 * - the page-view analytics a rendered lesson page records (`lesson_views`, `activity_months`,
 *   and `kpi_department_months.active_users`), only for requests posted through a lesson page:
 *   answering a refused form shows the lesson again, and showing it is a view. (The learner has
 *   viewed every lesson before the run, so in practice these do not change either.)
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { parse as devalueParse } from 'devalue';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TARGET_KPIS } from '../../db/schema.ts';
import { MAX_BODY_BYTES } from '../../src/cli/serve.ts';
import { EXPORT_NAMES } from '../../src/features/exports/csv.server.ts';
import { USERS_CSV_MAX_BYTES } from '../../src/features/users/users-csv.ts';
import { HELPDESK_CSV_MAX_BYTES } from '../../src/features/programme/helpdesk-csv.ts';
import { checkPasswordPolicy, PASSWORD_MAX_LENGTH } from '../../src/features/auth/password.server.ts';
import { createAssignment } from '../../src/features/programme/assignments.server.ts';
import { createLoginToken } from '../../src/features/auth/login-links.server.ts';
import { setActive } from '../../src/features/users/users-admin.server.ts';
import { saveWave } from '../../src/features/programme/waves.server.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import { tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog, ROOT } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { answerSheet, LearnerClient, PASSWORD, seedUsers, Tally, type SeededUser } from './support.ts';
// The real action definitions, with Astro's virtual modules stubbed: `defineAction` hands back
// its definition (accept, input schema, handler), so the schemas below are the app's own.
import { server as actionRegistry } from '../../src/actions/index.ts';

vi.mock('astro:actions', () => ({
  defineAction: (definition: unknown) => definition,
  ActionError: class ActionError extends Error {},
}));
vi.mock('astro:content', () => ({ getCollection: async () => [], getEntry: async () => undefined, render: async () => null }));

const RUNS = 1000;
const NONEXISTENT_ID_MIN = 1_000_000;

/* ------------------------------------------------------------------------------------------ */
/* The zod schemas, read                                                                        */
/* ------------------------------------------------------------------------------------------ */

// zod 4 keeps each schema's definition in `_zod.def`; only what this file reads is typed.
interface ZodLike {
  _zod: { def: { type: string; [key: string]: unknown } };
  safeParseAsync(value: unknown): Promise<{ success: boolean }>;
}
interface CheckDef {
  check: string;
  [key: string]: unknown;
}
type ActionDefinition = { accept?: string; input?: ZodLike; handler: unknown };
const registry = actionRegistry as unknown as Record<string, Record<string, ActionDefinition>>;

const zdef = (schema: ZodLike) => schema._zod.def;
const checksOf = (schema: ZodLike): CheckDef[] => ((zdef(schema).checks as ZodLike[] | undefined) ?? []).map((c) => c._zod.def as unknown as CheckDef);
const WRAPPERS = new Set(['optional', 'nullable', 'default']);

/** The schema under optional/nullable/default wrappers and transforms. */
function core(schema: ZodLike): ZodLike {
  let inner = schema;
  for (;;) {
    const d = zdef(inner);
    if (WRAPPERS.has(d.type)) inner = d.innerType as ZodLike;
    else if (d.type === 'pipe') inner = d.in as ZodLike;
    else return inner;
  }
}

/** The member of a union (or the schema itself) of the given type. */
function member(schema: ZodLike, type: string): ZodLike {
  const base = core(schema);
  if (zdef(base).type === type) return base;
  if (zdef(base).type === 'union') {
    const found = (zdef(base).options as ZodLike[]).map(core).find((o) => zdef(o).type === type);
    if (found) return found;
  }
  // A checked string piped into a number (such as hours saved): the number's limits are on the out side.
  let outer = schema;
  while (WRAPPERS.has(zdef(outer).type)) outer = zdef(outer).innerType as ZodLike;
  if (zdef(outer).type === 'pipe') return member(zdef(outer).out as ZodLike, type);
  throw new Error(`no ${type} in schema ${zdef(schema).type}`);
}

function inputOf(action: string): ZodLike {
  const [group, name] = action.split('.') as [string, string];
  const input = registry[group]?.[name]?.input;
  if (!input) throw new Error(`${action} has no input schema`);
  return input;
}

function field(action: string, name: string): ZodLike {
  const shape = zdef(inputOf(action)).shape as Record<string, ZodLike>;
  const schema = shape[name];
  if (!schema) throw new Error(`${action} has no field ${name}`);
  return schema;
}

function maxLength(schema: ZodLike): number {
  const check = checksOf(member(schema, 'string')).find((c) => c.check === 'max_length');
  if (!check) throw new Error('no max length');
  return check.maximum as number;
}

function minLength(schema: ZodLike): number {
  return (checksOf(member(schema, 'string')).find((c) => c.check === 'min_length')?.minimum as number | undefined) ?? 0;
}

function pattern(schema: ZodLike): RegExp {
  const check = checksOf(member(schema, 'string')).find((c) => c.check === 'string_format' && c.format === 'regex');
  if (!check) throw new Error('no pattern');
  return check.pattern as RegExp;
}

function enumValues(schema: ZodLike): string[] {
  return Object.values(zdef(member(schema, 'enum')).entries as Record<string, string>);
}

interface NumberLimits {
  min: number;
  minInclusive: boolean;
  max: number;
  maxInclusive: boolean;
  int: boolean;
}

function numberLimits(schema: ZodLike): NumberLimits {
  const checks = checksOf(member(schema, 'number'));
  const low = checks.find((c) => c.check === 'greater_than');
  const high = checks.find((c) => c.check === 'less_than');
  if (!low || !high) throw new Error('unbounded number');
  return {
    min: low.value as number,
    minInclusive: low.inclusive as boolean,
    max: high.value as number,
    maxInclusive: high.inclusive as boolean,
    int: checks.some((c) => c.check === 'number_format' && c.format === 'safeint'),
  };
}

/**
 * Astro's `formDataToObject` for the flat form schemas Manabi uses (strict objects of strings,
 * numbers, enums, literals and files), so a body can be checked against the real schema here.
 */
function formToObject(form: FormData, schema: ZodLike): Record<string, unknown> {
  const d = zdef(schema);
  const object: Record<string, unknown> = d.catchall ? Object.fromEntries(form.entries()) : {};
  for (const [key, base] of Object.entries(d.shape as Record<string, ZodLike>)) {
    let inner = base;
    while (WRAPPERS.has(zdef(inner).type)) {
      if (zdef(inner).type === 'default') throw new Error('defaults are not modelled');
      inner = zdef(inner).innerType as ZodLike;
    }
    while (zdef(inner).type === 'pipe') inner = zdef(inner).in as ZodLike;
    if (['object', 'boolean', 'array', 'discriminated_union'].includes(zdef(inner).type)) throw new Error(`${zdef(inner).type} fields are not modelled`);
    if (!form.has(key) && key in object) continue;
    const value = form.get(key);
    if (!value) object[key] = zdef(base).type === 'optional' ? undefined : null;
    else object[key] = zdef(inner).type === 'number' ? Number(value) : value;
  }
  return object;
}

async function schemaAccepts(action: string, body: Body): Promise<boolean> {
  const schema = inputOf(action);
  return (await schema.safeParseAsync(formToObject(toFormData(body.fields), schema))).success;
}

/* ------------------------------------------------------------------------------------------ */
/* Bodies                                                                                       */
/* ------------------------------------------------------------------------------------------ */

interface Upload {
  filename: string;
  content: string | Uint8Array;
  type: string;
}
type Value = string | Upload;
type Field = [string, Value];

interface Invalid {
  /** schema: the zod schema refuses it (confirmed against the schema); handler: the handler must; envelope: the body cannot be read as a form. */
  kind: 'schema' | 'handler' | 'envelope';
  why: string;
}

interface Body {
  fields: Field[];
  invalid: Invalid | null;
  multipart?: boolean;
  /** A body sent as is (wrong content type, broken multipart), instead of the fields. */
  raw?: { contentType: string | null; data: string | Uint8Array };
  /** A required field left out: invalid exactly when the schema refuses its absence (asked when sent). */
  missing?: string;
}

function toFormData(fields: Field[]): FormData {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new File([value.content as BlobPart], value.filename, { type: value.type }));
  }
  return form;
}

const good = (fields: Field[], multipart = false): Body => ({ fields, invalid: null, multipart });
const bad = (fields: Field[], kind: Invalid['kind'], why: string, multipart = false): Body => ({ fields, invalid: { kind, why }, multipart });

/** Fields of a record, in order, leaving out `undefined` (absent) and spreading arrays (repeated fields). */
function fieldsOf(record: Record<string, Value | Value[] | undefined>): Field[] {
  return Object.entries(record).flatMap(([name, value]): Field[] =>
    value === undefined ? [] : Array.isArray(value) ? value.map((v): Field => [name, v]) : [[name, value]],
  );
}

const without = (fields: Field[], name: string): Field[] => fields.filter(([n]) => n !== name);
const replaced = (fields: Field[], name: string, value: Value): Field[] => [...without(fields, name), [name, value]];

/* Value generators ------------------------------------------------------------------------- */

const SPECIALS = [
  '', ' ', '0', '-1', 'null', 'undefined', 'true', 'false', 'NaN', 'Infinity', '-Infinity', '1e309', '[]', '{}', '__proto__', 'constructor',
  '<script>alert(1)</script>', "' or 1=1 --", '"; drop table users; --', '../../etc/passwd', '\u0000', '%00', '\uFEFF', '𝟘', 'İ', '\u202e', '\r\n', '💥'.repeat(3),
];
/** Any text: ASCII, unicode graphemes, raw code units (lone surrogates), special values, numbers, and now and then huge. */
const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', 'あ', '😀', ' '), fc.integer({ min: 1000, max: 200_000 })).map(([c, n]) => c.repeat(n)) },
);
const nonEmptyText = anyText.filter((s) => s !== '');

const FILLERS = ['x', 'あ', 'é', '😀', '\u200b', 'Ω', '字', '-'];
/** Trimmed length over `max` (UTF-16 units): a random start, then non-whitespace filler past the limit. */
const overMax = (max: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom(...FILLERS), fc.oneof(fc.integer({ min: max + 1, max: max + 40 }), fc.integer({ min: max + 1, max: max * 50 + 5000 })))
    .map(([start, filler, n]) => start + filler.repeat(n));
/** Empty once trimmed. */
const blank = fc.constantFrom('', ' ', '   ', '\t', '\n', '\u3000', ' \u00a0 ', '\r\n');
/** Text within `max` once trimmed (unicode, padding, exactly at the limit). */
const textUpTo = (max: number, min = 0): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }).filter((s) => s.trim().length >= min && s.trim().length <= max),
    fc.constantFrom('x'.repeat(max), ` ${'あ'.repeat(max)} `, '字'.repeat(Math.max(min, 1))),
  );
const notMatching = (re: RegExp): fc.Arbitrary<string> => nonEmptyText.filter((s) => !re.test(s));
const notIn = (values: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    nonEmptyText.filter((s) => !values.includes(s)),
    fc.constantFrom(...values).map((v) => v.toUpperCase()).filter((s) => !values.includes(s)),
    fc.constantFrom(...values).map((v) => ` ${v}`),
    fc.constantFrom(...values).map((v) => `${v}x`),
  );
const notANumber: fc.Arbitrary<string> = fc.oneof(nonEmptyText, fc.constantFrom('abc', '1,5', '1_000', '--1', '1e', '0x', '∞', '١٢', '½', '1 2')).filter((s) => Number.isNaN(Number(s)));

/** Numbers the limits refuse (as form text): below, above, fractional where integers are required, not numbers. */
function outside(limits: NumberLimits): fc.Arbitrary<string> {
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
const numberText = (n: number): fc.Arbitrary<string> =>
  fc.constantFrom(String(n), ` ${n} `, `${n}.0`, `+${n}`, `${n}e0`, Number.isInteger(n) && n >= 0 ? `0x${n.toString(16)}` : String(n), `0${n}`.replace(/^0-/, '-'));

const anyName = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), fc.constantFrom('_action', '_astroAction', 'constructor', '__proto__', 'id', 'userId', 'role', 'isAdmin'));
/** A field name the strict schema does not know. */
const unknownName = (known: readonly string[]) => anyName.filter((n) => !known.includes(n));

/** A body of random fields: names, values and count all random. */
const randomFields = fc.array(fc.tuple(anyName, anyText), { maxLength: 8 }).map((entries): Field[] => entries);

/** Bodies that are not a readable form: unknown content types, JSON, broken multipart. */
const brokenEnvelope: fc.Arbitrary<Body> = fc.oneof(
  fc.tuple(fc.constantFrom('application/json', 'text/plain', 'application/xml', 'application/octet-stream', 'image/png', 'text/html', 'application/x-www-form-urlencodedx'), anyText).map(([contentType, data]): Body => ({ fields: [], invalid: { kind: 'envelope', why: `content type ${contentType}` }, raw: { contentType, data } })),
  // Bytes, not text: fetch labels a text body text/plain by itself.
  anyText.map((data): Body => ({ fields: [], invalid: { kind: 'envelope', why: 'no content type' }, raw: { contentType: null, data: new TextEncoder().encode(data) } })),
  fc
    .tuple(fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=zzz'), anyText)
    .filter(([, data]) => !data.includes('--zzz'))
    .map(([contentType, data]): Body => ({ fields: [], invalid: { kind: 'envelope', why: `broken multipart (${contentType})` }, raw: { contentType, data } })),
  fc
    .tuple(anyText, fc.constantFrom('', '--', '\r\n'))
    .map(([junk, end]): Body => ({
      fields: [],
      invalid: { kind: 'envelope', why: 'truncated multipart' },
      raw: { contentType: 'multipart/form-data; boundary=b0undary', data: `--b0undary\r\nContent-Disposition: form-data; name="x\r\n\r\n${junk}${end}` },
    })),
);

/* ------------------------------------------------------------------------------------------ */
/* Database snapshots                                                                           */
/* ------------------------------------------------------------------------------------------ */

/** Tables a page view writes (see the header): allowed to change only for posts through a lesson page. */
const VIEW_TABLES = new Set(['lesson_views', 'activity_months']);
const ALLOWED_AUDIT_ON_REFUSAL = new Set(['auth.sign_in_failed', 'access.denied']);

interface Snapshot {
  tables: Map<string, string>;
  auditMaxId: number;
}

class Snapshots {
  private readonly db: Database.Database;
  private readonly queries: { table: string; sql: string }[];
  private readonly statements: { table: string; statement: Database.Statement }[];
  private last: { version: number; snapshot: Snapshot } | null = null;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    const tables = this.db
      // (form_results holds a post's answer for the one redirect after it: not state)
    .prepare<[], { name: string }>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('audit_log', 'form_results') order by name")
      .all()
      .map((r) => r.name);
    this.queries = tables.map((table) => {
      const columns = this.db
        .prepare<[], { name: string }>(`select name from pragma_table_info('${table}')`)
        .all()
        .map((c) => c.name)
        .filter((c) => !(table === 'sessions' && c === 'last_active_at') && !(table === 'kpi_department_months' && c === 'active_users'));
      // Each row as SQL literals (quote() keeps types apart: 1 vs '1', blobs as X'…'), the table as
      // one text in rowid order, built inside SQLite: hashing then costs one string per table.
      const row = columns.map((c) => `quote("${c}")`).join(` || ',' || `);
      // A roll-up row whose only non-zero counter is active_users is a page view's, nothing else.
      const where = table === 'kpi_department_months' ? ' where attempts + hours_respondents + rating_count + hours_sum + score_sum + rating_sum + attempts_passed <> 0' : '';
      return { table, sql: `select count(*) as n, coalesce(group_concat(${row}, char(10) order by rowid), '') as body from "${table}"${where}` };
    });
    this.queries.push({ table: 'sqlite_sequence', sql: "select count(*) as n, coalesce(group_concat(quote(name) || ',' || quote(seq), char(10) order by name), '') as body from sqlite_sequence where name <> 'audit_log'" });
    this.statements = this.queries.map(({ table, sql }) => ({ table, statement: this.db.prepare(sql) }));
    expect(tables).toContain('users');
  }

  take(): Snapshot {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (this.last && this.last.version === version) return this.last.snapshot;
    const tables = new Map<string, string>();
    for (const { table, statement } of this.statements) {
      const { n, body } = statement.get() as { n: number; body: string };
      tables.set(table, `${n}:${createHash('sha1').update(body).digest('hex')}`);
    }
    const auditMaxId = (this.db.prepare('select coalesce(max(id), 0) as id from audit_log').get() as { id: number }).id;
    const snapshot = { tables, auditMaxId };
    this.last = { version, snapshot };
    return snapshot;
  }

  auditActionsSince(id: number): string[] {
    return this.db
      .prepare<[number], { action: string }>('select action from audit_log where id > ?')
      .all(id)
      .map((r) => r.action);
  }

  exists(table: string, id: number): boolean {
    return this.db.prepare(`select 1 from "${table}" where id = ?`).get(id) !== undefined;
  }

  close(): void {
    this.db.close();
  }
}

function changedTables(before: Snapshot, after: Snapshot, allowViews: boolean): string[] {
  return [...after.tables.keys()].filter((table) => before.tables.get(table) !== after.tables.get(table) && !(allowViews && VIEW_TABLES.has(table)));
}

/* ------------------------------------------------------------------------------------------ */
/* The running app                                                                              */
/* ------------------------------------------------------------------------------------------ */

const catalog = fixtureCatalog();
const basicCourse = catalog.course('basic-ai-essentials')!;
const appliedCourse = catalog.course('applied-department-pilot')!;
const specialistCourse = catalog.course('specialist-operations')!;
const basicQuiz = catalog.quiz('basic-ai-essentials')!;
const appliedQuiz = catalog.quiz('applied-department-pilot')!;
const specialistQuiz = catalog.quiz('specialist-operations')!;

type Who = 'admin' | 'learner' | 'champion' | 'password' | 'logout' | 'anonymous';

interface Context {
  base: string;
  cookies: Record<Exclude<Who, 'anonymous'>, string>;
  users: Record<'admin' | 'learner' | 'other' | 'champion' | 'password' | 'logout' | 'login' | 'inactive', SeededUser>;
  /** The password of the password-change user, as it is now. */
  password: string;
  victims: number[];
  departments: { mine: number; other: number; names: string[] };
  waves: { permanent: number; pool: number[] };
  assignments: number[];
  attempts: { learnerOpen: string; otherOpen: string };
  linkToken: string;
}

let t: TempDb | null = null;
let server: RunningServer | null = null;
let snapshots: Snapshots | null = null;
let ctx: Context;

const counts = new Map<string, { cases: number; invalid: number; success: number; refused: number; serverError: number; form: number; rpc: number }>();

beforeAll(async () => {
  t = tempDb();
  const db = t.db;
  const mine = ensureDepartment(db, '営業部');
  const other = ensureDepartment(db, '開発部');
  const one = async (prefix: string, role: 'learner' | 'champion' | 'admin' = 'learner', department = '営業部') =>
    (await seedUsers(db, 1, { prefix, role, department }))[0]!;
  const users = {
    admin: await one('fuzz-admin', 'admin'),
    learner: await one('fuzz-learner'),
    other: await one('fuzz-other', 'learner', '開発部'),
    champion: await one('fuzz-champion', 'champion'),
    password: await one('fuzz-password'),
    logout: await one('fuzz-logout'),
    login: await one('fuzz-login'),
    inactive: await one('fuzz-inactive'),
  };
  setActive(db, users.inactive.id, false);
  const victims = (await seedUsers(db, 6, { prefix: 'fuzz-victim', department: '開発部' })).map((u) => u.id);
  const link = await one('fuzz-link');
  const linkToken = await createLoginToken(db, link.id, users.admin.id, 'reset');
  const wave = (name: string) =>
    saveWave(db, { name, position: 0, startDate: '2025-04-01', endDate: '2025-09-30', description: null, departmentIds: [other], targets: [{ kpi: 'usage_rate', comparator: 'gte', value: 0.5 }] });
  const permanent = wave('permanent');
  const pool = [wave('pool 1'), wave('pool 2'), wave('pool 3')];
  const assignments = [1, 2, 3].map((days) => createAssignment(db, { tierId: 'applied', target: { kind: 'department', departmentId: other }, due: { kind: 'days', days }, createdBy: users.admin.id }));
  db.$client.close();

  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  const base = server.url;
  expect(process.env.XAPI_ENDPOINT, 'admin.pushXapi is fuzzed as "not configured"').toBeUndefined();
  const cookie = async (user: SeededUser) => {
    const { cookie: value } = await signIn(base, user.email, PASSWORD);
    expect(value, `sign-in of ${user.email}`).toBeTruthy();
    return value!;
  };
  const cookies = {
    admin: await cookie(users.admin),
    learner: await cookie(users.learner),
    champion: await cookie(users.champion),
    password: await cookie(users.password),
    logout: await cookie(users.logout),
  };

  // The learner: basic tier done, the applied quiz failed twice (no attempts left), so the
  // specialist course is locked; an open attempt at the basic quiz. Another learner has one too.
  const tally = new Tally();
  const learner = new LearnerClient(users.learner, cookies.learner, catalog, tally);
  for (const lesson of basicCourse.lessons) expect((await learner.complete(base, basicCourse.id, lesson.id)).kind).toBe('ack');
  const first = await learner.start(base, basicQuiz.id);
  expect((await learner.submit(base, basicQuiz.id, first.attemptId!, answerSheet(basicQuiz, true))).kind).toBe('ack');
  for (let i = 0; i < appliedQuiz.maxAttempts!; i++) {
    const { attemptId } = await learner.start(base, appliedQuiz.id);
    expect((await learner.submit(base, appliedQuiz.id, attemptId!, answerSheet(appliedQuiz, false))).kind).toBe('ack');
  }
  expect((await learner.start(base, appliedQuiz.id)).outcome).toEqual({ kind: 'refused', status: 403 });
  const learnerOpen = (await learner.start(base, basicQuiz.id)).attemptId!;
  const otherClient = new LearnerClient(users.other, await cookie(users.other), catalog, tally);
  const otherOpen = (await otherClient.start(base, basicQuiz.id)).attemptId!;
  expect(learnerOpen).toBeTruthy();
  expect(otherOpen).toBeTruthy();
  // Every open lesson viewed today, so a lesson page shown again records nothing new.
  for (const course of [basicCourse, appliedCourse, specialistCourse]) {
    for (const lesson of course.lessons) expect((await get(base, `/learn/${course.id}/${lesson.id}`, cookies.learner)).status).toBe(200);
  }
  expect(tally.server + tally.client).toBe(1); // the refused third applied attempt

  ctx = {
    base,
    cookies,
    users,
    password: PASSWORD,
    victims,
    departments: { mine, other, names: ['営業部', '開発部'] },
    waves: { permanent, pool },
    assignments,
    attempts: { learnerOpen, otherOpen },
    linkToken,
  };
  snapshots = new Snapshots(t.file);
}, 120_000);

afterAll(async () => {
  snapshots?.close();
  await server?.stop();
  const rows = [...counts.entries()].map(([name, c]) => `${name}: ${c.cases} cases (${c.invalid} invalid by construction; ${c.form} via page, ${c.rpc} via RPC), ${c.success} success, ${c.refused} 4xx/refused, ${c.serverError} 5xx`);
  if (rows.length > 0) console.log(`[reliability] fuzz per target:\n${rows.map((r) => `[reliability] fuzz ${r}`).join('\n')}`);
  const total = [...counts.values()].reduce((a, c) => ({ cases: a.cases + c.cases, refused: a.refused + c.refused, serverError: a.serverError + c.serverError }), { cases: 0, refused: 0, serverError: 0 });
  console.log(`[reliability] fuzz: ${counts.size} targets, ${total.cases} cases, ${total.refused} refused, ${total.serverError} 5xx`);
  t?.cleanup();
});

/* ------------------------------------------------------------------------------------------ */
/* Sending                                                                                      */
/* ------------------------------------------------------------------------------------------ */

interface Answer {
  status: number;
  location: string | null;
  contentType: string | null;
  text: string;
}

/** A POST as a browser's form sends it (urlencoded, or multipart with files), same-origin; or a raw body. */
async function send(url: string, cookie: string | null, body: Body): Promise<Answer> {
  const headers: Record<string, string> = { origin: ctx.base };
  if (cookie) headers.cookie = cookie;
  let payload: BodyInit;
  let size: number;
  if (body.raw) {
    if (body.raw.contentType !== null) headers['content-type'] = body.raw.contentType;
    payload = body.raw.data as BodyInit;
    size = typeof body.raw.data === 'string' ? Buffer.byteLength(body.raw.data) : body.raw.data.byteLength;
  } else if (body.multipart || body.fields.some(([, v]) => typeof v !== 'string')) {
    payload = toFormData(body.fields);
    size = body.fields.reduce((n, [name, v]) => n + Buffer.byteLength(name) + (typeof v === 'string' ? Buffer.byteLength(v) : typeof v.content === 'string' ? Buffer.byteLength(v.content) : v.content.byteLength), 0);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(body.fields as [string, string][]).toString();
    size = Buffer.byteLength(payload);
  }
  try {
    const response = await fetch(url, { method: 'POST', redirect: 'manual', headers, body: payload, signal: AbortSignal.timeout(60_000) });
    const result = response.headers.getSetCookie().find((c) => /^(__Host-)?manabi_result=[^;]/.test(c))?.split(';')[0];
    if (response.status === 303 && result) {
      // A form post (post/redirect/get): its answer, and the status that says taken or refused, is on the page the 303 leads to.
      await response.arrayBuffer();
      const location = new URL(response.headers.get('location')!, ctx.base);
      const page = await fetch(`${ctx.base}${location.pathname}${location.search}`, { redirect: 'manual', headers: { cookie: [cookie, result].filter(Boolean).join('; ') }, signal: AbortSignal.timeout(60_000) });
      return { status: page.status, location: response.headers.get('location'), contentType: page.headers.get('content-type'), text: await page.text() };
    }
    return { status: response.status, location: response.headers.get('location'), contentType: response.headers.get('content-type'), text: await response.text() };
  } catch (error) {
    // The front server refuses a body over MAX_BODY_BYTES before reading it (413, connection
    // close); while the client is still sending, that can reach it as a reset instead.
    if (size > MAX_BODY_BYTES) return { status: 413, location: null, contentType: null, text: `(connection closed while sending ${size} bytes: ${String((error as Error).cause ?? error)})` };
    throw error;
  }
}

/** A raw request (node:http): the path goes out exactly as written, dot segments and all. */
function sendRaw(method: string, rawPath: string, cookie: string | null, body: string | null): Promise<Answer> {
  const url = new URL(ctx.base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { origin: ctx.base };
    if (cookie) headers.cookie = cookie;
    if (body !== null) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const request = http.request({ host: url.hostname, port: url.port, method, path: rawPath, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, location: (response.headers.location as string | undefined) ?? null, contentType: response.headers['content-type'] ?? null, text: Buffer.concat(chunks).toString() }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(60_000, () => request.destroy(new Error('timeout')));
    if (body !== null) request.write(body);
    request.end();
  });
}

/* ------------------------------------------------------------------------------------------ */
/* Action specs                                                                                 */
/* ------------------------------------------------------------------------------------------ */

interface ActionSpec {
  name: string;
  as: Who;
  /** The page whose form posts this action (without locale prefix). */
  page: (body: Body) => string;
  bodies: () => fc.Arbitrary<Body>;
  /** RPC answers whose data says the body was refused. */
  refusedData?: (data: unknown) => boolean;
  /** After a success: keep the context true (a new session after sign-out, the new password). */
  afterSuccess?: (body: Body) => Promise<void>;
}

/**
 * The shared mix for an action with a zod schema: near-valid bodies, one field made invalid
 * (schema-confirmed), a required field left out (when the schema refuses its absence), an
 * unknown field, handler-level invalid bodies, random fields and broken envelopes.
 */
function schemaMix(
  action: string,
  valid: fc.Arbitrary<Field[]>,
  invalidValues: Record<string, fc.Arbitrary<string>>,
  handlerInvalid: fc.Arbitrary<Body>[] = [],
  options: { multipart?: boolean; validWeight?: number; unknownWeight?: number } = {},
): fc.Arbitrary<Body> {
  const shape = zdef(inputOf(action)).shape as Record<string, ZodLike>;
  const known = Object.keys(shape);
  const multipart = options.multipart ? fc.constant(true) : fc.boolean();
  const nearValid = fc.tuple(valid, multipart, fc.boolean()).map(([fields, mp, duplicate]) => good(duplicate && fields.length > 0 ? [...fields, fields[0]!] : fields, mp));
  const parts: { weight: number; arbitrary: fc.Arbitrary<Body> }[] = [{ weight: options.validWeight ?? 3, arbitrary: nearValid }];
  const invalidNames = Object.keys(invalidValues);
  if (invalidNames.length > 0) {
    parts.push({
      weight: 5,
      arbitrary: fc
        .constantFrom(...invalidNames)
        .chain((name) => fc.tuple(fc.constant(name), valid, invalidValues[name]!, multipart))
        .map(([name, fields, value, mp]) => bad(replaced(fields, name, value), 'schema', `${name}=${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? `… (${value.length})` : ''}`, mp)),
    });
  }
  // Required fields left out, one at a time (whether that is invalid is asked of the schema when sent).
  const required = known.filter((name) => zdef(shape[name]!).type !== 'optional');
  if (required.length > 0) {
    parts.push({
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...required), valid, multipart)
        .map(([name, fields, mp]): Body => ({ ...good(without(fields, name), mp), missing: name })),
    });
  }
  parts.push({
    weight: options.unknownWeight ?? 1,
    arbitrary: fc
      .tuple(valid, unknownName(known), anyText, multipart)
      .map(([fields, name, value, mp]) => bad([...fields, [name, value]], 'schema', `unknown field ${JSON.stringify(name)}`, mp)),
  });
  for (const arbitrary of handlerInvalid) parts.push({ weight: handlerInvalid.length <= 2 ? 2 : 1, arbitrary });
  parts.push({ weight: 1, arbitrary: fc.tuple(randomFields, fc.boolean()).map(([fields, mp]) => good(fields, mp)) });
  parts.push({ weight: 1, arbitrary: brokenEnvelope });
  return fc.oneof(...parts);
}

const realLesson = (id: string) => catalog.lesson(id);
const lessonPage = (body: Body) => {
  const id = body.fields.find(([n]) => n === 'lessonId')?.[1];
  const lesson = typeof id === 'string' ? realLesson(id) : undefined;
  return lesson ? `/learn/${lesson.courseId}/${lesson.id}` : `/learn/${basicCourse.id}/${basicCourse.lessons[0]!.id}`;
};
const quizPage = (body: Body) => {
  const id = body.fields.find(([n]) => n === 'quizId')?.[1];
  return typeof id === 'string' && catalog.quiz(id) ? `/quiz/${id}` : `/quiz/${basicQuiz.id}`;
};

const openLessons = [...basicCourse.lessons, ...appliedCourse.lessons].map((l) => l.id);
const lockedLessons = specialistCourse.lessons.map((l) => l.id);
/** Well-formed content ids that name nothing in the curriculum. */
const unknownContentId = fc.stringMatching(/^zz[a-z0-9]{0,10}(?:-[a-z0-9]{1,8}){0,3}$/).filter((id) => !catalog.lesson(id) && !catalog.quiz(id) && id.length <= 100);
/** A positive id far above any row this run creates (checked against the database when sent). */
const nonexistentId = fc.integer({ min: NONEXISTENT_ID_MIN, max: 2 ** 31 });
const idText = (ids: () => number[]) => fc.constantFrom(...ids()).chain(numberText);

function userIdInvalid(action: string): fc.Arbitrary<string> {
  return outside(numberLimits(field(action, 'userId')));
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const csvFile = (content: string | Uint8Array, filename = 'users.csv', type = 'text/csv'): Upload => ({ filename, content, type });

function specs(): ActionSpec[] {
  const month = fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`);
  const day = fc.tuple(month, fc.integer({ min: 1, max: 31 })).map(([m, d]) => `${m}-${String(d).padStart(2, '0')}`);
  const role = fc.constantFrom('learner', 'champion', 'admin');
  const departmentIdText = () => fc.oneof(fc.constant(''), idText(() => [ctx.departments.mine, ctx.departments.other]));
  const goodPassword = fc.stringMatching(/^[A-Za-z0-9]{4,20}$/).map((s) => `zq-${s}-Kp9!`).filter((p) => checkPasswordPolicy(p) === null);
  const commonPassword = fc.constantFrom('password', 'password1', 'iloveyou', 'sunshine', 'princess', 'football', 'baseball', 'qwertyuiop', '12345678', 'superman').filter((p) => checkPasswordPolicy(p) === 'common');

  return [
    /* lesson ------------------------------------------------------------------------------- */
    {
      name: 'lesson.complete',
      as: 'learner',
      page: lessonPage,
      bodies: () =>
        schemaMix(
          'lesson.complete',
          fc.constantFrom(...openLessons).map((id) => fieldsOf({ lessonId: id })),
          { lessonId: fc.oneof(notMatching(pattern(field('lesson.complete', 'lessonId'))), fc.integer({ min: maxLength(field('lesson.complete', 'lessonId')) + 1, max: 5000 }).map((n) => 'a'.repeat(n))) },
          [
            unknownContentId.map((id) => bad(fieldsOf({ lessonId: id }), 'handler', `unknown lesson ${id}`)),
            fc.constantFrom(...lockedLessons).map((id) => bad(fieldsOf({ lessonId: id }), 'handler', `locked lesson ${id}`)),
          ],
        ),
    },
    {
      name: 'lesson.feedback',
      as: 'learner',
      page: lessonPage,
      bodies: () => {
        const s = (n: string) => field('lesson.feedback', n);
        const valid = fc
          .record({ lessonId: fc.constantFrom(...openLessons), rating: fc.integer({ min: 1, max: 5 }).chain(numberText), comment: fc.option(textUpTo(maxLength(s('comment'))), { nil: undefined }) })
          .map((r) => fieldsOf(r));
        return schemaMix(
          'lesson.feedback',
          valid,
          {
            rating: fc.oneof(outside(numberLimits(s('rating'))), fc.constant('')),
            comment: overMax(maxLength(s('comment'))),
            lessonId: notMatching(pattern(s('lessonId'))),
          },
          [
            fc.tuple(valid, unknownContentId).map(([f, id]) => bad(replaced(f, 'lessonId', id), 'handler', `unknown lesson ${id}`)),
            fc.tuple(valid, fc.constantFrom(...lockedLessons)).map(([f, id]) => bad(replaced(f, 'lessonId', id), 'handler', `locked lesson ${id}`)),
          ],
        );
      },
    },
    /* quiz --------------------------------------------------------------------------------- */
    {
      name: 'quiz.start',
      as: 'learner',
      page: quizPage,
      bodies: () =>
        schemaMix(
          'quiz.start',
          fc.constant(fieldsOf({ quizId: basicQuiz.id })),
          { quizId: fc.oneof(notMatching(pattern(field('quiz.start', 'quizId'))), fc.integer({ min: 101, max: 3000 }).map((n) => 'q'.repeat(n))) },
          [
            unknownContentId.map((id) => bad(fieldsOf({ quizId: id }), 'handler', `unknown quiz ${id}`)),
            fc.constant(bad(fieldsOf({ quizId: specialistQuiz.id }), 'handler', 'locked quiz')),
            fc.constant(bad(fieldsOf({ quizId: appliedQuiz.id }), 'handler', 'no attempts left')),
          ],
        ),
    },
    {
      name: 'quiz.submit',
      as: 'learner',
      page: quizPage,
      refusedData: (data) => (data as { status?: string }).status === 'incomplete',
      bodies: () => {
        const attemptPattern = /^[a-z2-9]{24}$/;
        const sheet = (quiz = basicQuiz) => fc.constantFrom(true, false).map((correct) => answerSheet(quiz, correct));
        const submission = (quizId: string, attemptId: string, answers: Map<string, string[]>): Field[] => [
          ['quizId', quizId],
          ['attemptId', attemptId],
          ...[...answers].flatMap(([q, options]) => options.map((o): Field => [`answer.${q}`, o])),
        ];
        const mine = sheet().map((a) => submission(basicQuiz.id, ctx.attempts.learnerOpen, a));
        const wellFormedAttempt = fc.stringMatching(/^[a-z2-9]{24}$/).filter((id) => id !== ctx.attempts.learnerOpen && id !== ctx.attempts.otherOpen);
        const question = basicQuiz.questions[0]!;
        const single = basicQuiz.questions.find((q) => q.correctOptionIds.length === 1)!;
        const mp = fc.boolean();
        return fc.oneof(
          { weight: 3, arbitrary: fc.tuple(mine, mp).map(([f, m]) => good(f, m)) },
          { weight: 1, arbitrary: fc.tuple(mine, unknownName(['quizId', 'attemptId']).filter((n) => !n.startsWith('answer.')), anyText).map(([f, n, v]) => bad([...f, [n, v]], 'handler', `unknown field ${JSON.stringify(n)}`)) },
          { weight: 1, arbitrary: fc.tuple(mine, notMatching(attemptPattern)).map(([f, id]) => bad(replaced(f, 'attemptId', id), 'handler', `malformed attempt id ${JSON.stringify(id.slice(0, 30))}`)) },
          { weight: 1, arbitrary: mine.map((f) => bad(without(f, 'attemptId'), 'handler', 'no attempt id')) },
          { weight: 1, arbitrary: fc.tuple(mine, fc.oneof(notMatching(/^[a-z0-9]+(?:-[a-z0-9]+)*$/), fc.constant('q'.repeat(101)))).map(([f, id]) => bad(replaced(f, 'quizId', id), 'handler', `malformed quiz id ${JSON.stringify(id.slice(0, 30))}`)) },
          { weight: 1, arbitrary: mine.map((f) => bad(without(f, 'quizId'), 'handler', 'no quiz id')) },
          { weight: 1, arbitrary: fc.tuple(mine, unknownContentId).map(([f, id]) => bad(replaced(f, 'quizId', id), 'handler', `unknown quiz ${id}`)) },
          { weight: 1, arbitrary: fc.tuple(mine, unknownContentId).map(([f, id]) => bad([...f, [`answer.${id}`, 'a']], 'handler', `unknown question ${id}`)) },
          { weight: 1, arbitrary: fc.tuple(mine, fc.oneof(unknownContentId, notMatching(/^[a-z0-9]+(?:-[a-z0-9]+)*$/))).map(([f, option]) => bad([...without(f, `answer.${question.id}`), [`answer.${question.id}`, option]], 'handler', `unknown option ${JSON.stringify(option.slice(0, 20))}`)) },
          { weight: 1, arbitrary: mine.map((f) => bad([...without(f, `answer.${single.id}`), ...single.optionIds.slice(0, 2).map((o): Field => [`answer.${single.id}`, o])], 'handler', 'two options for a single-choice question')) },
          { weight: 1, arbitrary: fc.tuple(mine, fc.integer({ min: 9, max: 50 })).map(([f, n]) => bad([...without(f, `answer.${question.id}`), ...Array.from({ length: n }, (): Field => [`answer.${question.id}`, question.optionIds[0]!])], 'handler', `${n} answers to one question`)) },
          { weight: 1, arbitrary: fc.tuple(mine, fc.integer({ min: 401, max: 2000 })).map(([f, n]) => bad([...f, ...Array.from({ length: n }, (): Field => [`answer.${question.id}`, question.optionIds[0]!])], 'handler', `${n} fields`)) },
          { weight: 1, arbitrary: mine.map((f) => bad([...f, ['attachment', csvFile('x', 'x.txt', 'text/plain')]], 'handler', 'a file')) },
          { weight: 2, arbitrary: fc.tuple(mine, fc.subarray(basicQuiz.questions.map((q) => q.id), { minLength: 1 })).map(([f, drop]) => bad(f.filter(([n]) => !drop.includes(n.slice('answer.'.length)) || !n.startsWith('answer.')), 'handler', `unanswered ${drop.join(', ')}`)) },
          { weight: 2, arbitrary: sheet().map((a) => bad(submission(basicQuiz.id, ctx.attempts.otherOpen, a), 'handler', "another learner's attempt")) },
          { weight: 1, arbitrary: fc.tuple(sheet(), wellFormedAttempt).map(([a, id]) => bad(submission(basicQuiz.id, id, a), 'handler', `unknown attempt ${id}`)) },
          { weight: 1, arbitrary: fc.tuple(sheet(specialistQuiz), fc.constantFrom(ctx.attempts.learnerOpen, 'a'.repeat(24))).map(([a, id]) => bad(submission(specialistQuiz.id, id, a), 'handler', 'locked quiz')) },
          { weight: 1, arbitrary: fc.tuple(sheet(appliedQuiz), wellFormedAttempt).map(([a, id]) => bad(submission(appliedQuiz.id, id, a), 'handler', 'no such applied attempt')) },
          { weight: 1, arbitrary: fc.tuple(randomFields, mp).map(([f, m]) => good(f, m)) },
          { weight: 1, arbitrary: brokenEnvelope },
        );
      },
    },
    /* checkin ------------------------------------------------------------------------------ */
    {
      name: 'checkin.save',
      as: 'learner',
      page: () => '/home',
      bodies: () => {
        const s = (n: string) => field('checkin.save', n);
        const limits = numberLimits(s('hoursSaved'));
        const valid = fc
          .record({ hoursSaved: fc.integer({ min: limits.min * 2, max: limits.max * 2 }).chain((n) => numberText(n / 2)), tasks: fc.option(textUpTo(maxLength(s('tasks'))), { nil: undefined }) })
          .map((r) => fieldsOf(r));
        const notHalf = fc.integer({ min: limits.min, max: limits.max - 1 }).chain((n) => fc.constantFrom(`${n}.25`, `${n}.1`, `${n}.75`, `${n}.333`));
        return schemaMix('checkin.save', valid, { hoursSaved: fc.oneof(outside(limits), notHalf), tasks: overMax(maxLength(s('tasks'))) });
      },
    },
    {
      name: 'checkin.dismiss',
      as: 'learner',
      page: () => '/home',
      bodies: () => schemaMix('checkin.dismiss', fc.constant([]), {}),
    },
    /* profile ------------------------------------------------------------------------------ */
    {
      name: 'profile.setLocale',
      as: 'learner',
      page: () => '/language',
      bodies: () => {
        const s = (n: string) => field('profile.setLocale', n);
        const valid = fc
          .record({ locale: fc.constantFrom(...enumValues(s('locale'))), next: fc.option(fc.oneof(fc.constantFrom('/home', '/en/home', `/learn/${basicCourse.id}`, 'https://evil.example/', '//evil.example'), textUpTo(maxLength(s('next')))), { nil: undefined }) })
          .map((r) => fieldsOf(r));
        return schemaMix('profile.setLocale', valid, { locale: notIn(enumValues(s('locale'))), next: overMax(maxLength(s('next'))) });
      },
    },
    /* auth --------------------------------------------------------------------------------- */
    {
      name: 'auth.login',
      as: 'anonymous',
      page: () => '/login',
      bodies: () => {
        const s = (n: string) => field('auth.login', n);
        const valid = fc
          .record({ email: fc.constantFrom(ctx.users.login.email, ctx.users.login.email.toUpperCase(), ` ${ctx.users.login.email} `), password: fc.constant(PASSWORD), next: fc.option(fc.constantFrom('/home', '/en/admin', 'https://evil.example/'), { nil: undefined }) })
          .map((r) => fieldsOf(r));
        const wrongPassword = fc.string({ minLength: 1, maxLength: 40 }).filter((p) => p !== PASSWORD);
        return schemaMix(
          'auth.login',
          valid,
          {
            email: fc.oneof(blank, overMax(maxLength(s('email')))),
            password: fc.oneof(fc.constant(''), fc.integer({ min: maxLength(s('password')) + 1, max: 20_000 }).map((n) => 'p'.repeat(n))),
            next: overMax(maxLength(s('next'))),
          },
          [
            fc.tuple(valid, wrongPassword).map(([f, p]) => bad(replaced(f, 'password', p), 'handler', 'wrong password')),
            fc.tuple(valid, fc.emailAddress()).filter(([, e]) => !e.startsWith('fuzz-')).map(([f, e]) => bad(replaced(f, 'email', e), 'handler', `unknown email ${e}`)),
            valid.map((f) => bad(replaced(f, 'email', ctx.users.inactive.email), 'handler', 'deactivated account')),
          ],
          { validWeight: 1 },
        );
      },
    },
    {
      name: 'auth.useLink',
      as: 'anonymous',
      page: (body) => {
        const token = body.fields.find(([n]) => n === 'token')?.[1];
        return `/login/link/${typeof token === 'string' && /^[a-z2-9]{24}\.[a-z2-9]{24}$/.test(token) ? token : `${'a'.repeat(24)}.${'b'.repeat(24)}`}`;
      },
      bodies: () => {
        const s = (n: string) => field('auth.useLink', n);
        const wellFormed = fc.tuple(fc.stringMatching(/^[a-z2-9]{24}$/), fc.stringMatching(/^[a-z2-9]{24}$/)).map(([a, b]) => `${a}.${b}`).filter((tk) => tk !== ctx.linkToken);
        // The real link (valid once; afterwards "used"), or a well-formed token that names nothing.
        const valid = fc.record({ token: fc.oneof(fc.constant(ctx.linkToken), wellFormed), password: goodPassword }).map((r) => fieldsOf(r));
        return schemaMix(
          'auth.useLink',
          valid,
          {
            token: notMatching(pattern(s('token'))),
            password: fc.oneof(fc.string({ maxLength: minLength(s('password')) - 1 }), fc.integer({ min: maxLength(s('password')) + 1, max: 5000 }).map((n) => 'Zq9'.repeat(n)), commonPassword),
          },
          [fc.tuple(wellFormed, goodPassword).map(([tk, p]) => bad(fieldsOf({ token: tk, password: p }), 'handler', 'a token that names no link'))],
          { validWeight: 1 },
        );
      },
    },
    {
      name: 'auth.changePassword',
      as: 'password',
      page: () => '/account',
      afterSuccess: async (body) => {
        ctx.password = body.fields.find(([n]) => n === 'newPassword')![1] as string;
      },
      bodies: () => {
        const s = (n: string) => field('auth.changePassword', n);
        const current = fc.constant(null).map(() => ctx.password);
        const valid = fc.record({ currentPassword: current, newPassword: goodPassword }).map((r) => fieldsOf(r));
        return schemaMix(
          'auth.changePassword',
          valid,
          {
            currentPassword: fc.oneof(fc.constant(''), fc.integer({ min: maxLength(s('currentPassword')) + 1, max: 5000 }).map((n) => 'c'.repeat(n))),
            newPassword: fc.oneof(fc.string({ maxLength: minLength(s('newPassword')) - 1 }), fc.integer({ min: PASSWORD_MAX_LENGTH + 1, max: 5000 }).map((n) => 'Nw7'.repeat(n)), commonPassword),
          },
          [
            fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), goodPassword).filter(([c]) => c !== ctx.password).map(([c, n]) => bad(fieldsOf({ currentPassword: c, newPassword: n }), 'handler', 'wrong current password')),
            current.map((c) => bad(fieldsOf({ currentPassword: c, newPassword: c }), 'handler', 'new password same as current')),
          ],
          { validWeight: 1 },
        );
      },
    },
    {
      name: 'auth.logout',
      as: 'logout',
      page: () => '/logout',
      afterSuccess: async () => {
        const { cookie } = await signIn(ctx.base, ctx.users.logout.email, PASSWORD);
        expect(cookie).toBeTruthy();
        ctx.cookies.logout = cookie!;
      },
      // A valid sign-out ends the session (a new sign-in follows): kept to about one body in ten.
      bodies: () => schemaMix('auth.logout', fc.constant([]), {}, [], { validWeight: 1, unknownWeight: 4 }),
    },
    /* admin: users ------------------------------------------------------------------------- */
    {
      name: 'admin.updateUser',
      as: 'admin',
      page: () => '/admin/users',
      bodies: () => {
        const s = (n: string) => field('admin.updateUser', n);
        const valid = fc.record({ userId: idText(() => ctx.victims), role, departmentId: departmentIdText() }).map((r) => fieldsOf(r));
        return schemaMix(
          'admin.updateUser',
          valid,
          { userId: userIdInvalid('admin.updateUser'), role: notIn(enumValues(s('role'))), departmentId: outside(numberLimits(s('departmentId'))) },
          [
            fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'userId', String(id)), 'handler', `unknown user ${id}`)),
            fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'departmentId', String(id)), 'handler', `unknown department ${id}`)),
            fc.tuple(valid, fc.constantFrom('learner', 'champion')).map(([f, r]) => bad(replaced(replaced(f, 'userId', String(ctx.users.admin.id)), 'role', r), 'handler', 'demoting oneself')),
          ],
        );
      },
    },
    {
      name: 'admin.setActive',
      as: 'admin',
      page: () => '/admin/users',
      bodies: () => {
        const s = (n: string) => field('admin.setActive', n);
        const valid = fc.record({ userId: idText(() => ctx.victims), active: fc.constantFrom(...enumValues(s('active'))) }).map((r) => fieldsOf(r));
        return schemaMix(
          'admin.setActive',
          valid,
          { userId: userIdInvalid('admin.setActive'), active: notIn(enumValues(s('active'))) },
          [
            fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'userId', String(id)), 'handler', `unknown user ${id}`)),
            fc.constant(bad(fieldsOf({ userId: String(ctx.users.admin.id), active: 'false' }), 'handler', 'deactivating oneself')),
          ],
        );
      },
    },
    {
      name: 'admin.createUser',
      as: 'admin',
      page: () => '/admin/users',
      bodies: () => {
        const s = (n: string) => field('admin.createUser', n);
        const valid = fc
          .record({
            email: fc.tuple(fc.integer({ min: 0, max: 29 }), fc.constantFrom('', ' ', 'upper')).map(([k, v]) => (v === 'upper' ? `NEW-${k}@EXAMPLE.COM` : `${v}new-${k}@example.com${v}`)),
            name: textUpTo(maxLength(s('name')), 1),
            department: fc.oneof(fc.constantFrom(...ctx.departments.names), fc.constantFrom('新部署', 'R&D', 'Ünïcode 部')),
            role,
          })
          .map((r) => fieldsOf(r));
        const existing = () => Object.values(ctx.users).map((u) => u.email);
        return schemaMix(
          'admin.createUser',
          valid,
          {
            email: fc.oneof(overMax(maxLength(s('email'))), blank, fc.constantFrom('no-at-sign', 'two@@example.com', 'a b@example.com', 'x@nodot', '@example.com', 'x@.com', 'x@example.')),
            name: fc.oneof(blank, overMax(maxLength(s('name')))),
            department: fc.oneof(blank, overMax(maxLength(s('department')))),
            role: notIn(enumValues(s('role'))),
          },
          [fc.tuple(valid, fc.constantFrom(...existing()), fc.boolean()).map(([f, e, upper]) => bad(replaced(f, 'email', upper ? e.toUpperCase() : e), 'handler', `taken email ${e}`))],
        );
      },
    },
    {
      name: 'admin.createLoginLink',
      as: 'admin',
      page: () => '/admin/users',
      bodies: () =>
        schemaMix(
          'admin.createLoginLink',
          idText(() => ctx.victims).map((id) => fieldsOf({ userId: id })),
          { userId: userIdInvalid('admin.createLoginLink') },
          [
            nonexistentId.map((id) => bad(fieldsOf({ userId: String(id) }), 'handler', `unknown user ${id}`)),
            fc.constant(bad(fieldsOf({ userId: String(ctx.users.inactive.id) }), 'handler', 'deactivated user')),
          ],
        ),
    },
    {
      name: 'admin.importUsers',
      as: 'admin',
      page: () => '/admin/users',
      refusedData: (data) => (data as { ok?: boolean }).ok === false,
      bodies: () => {
        const header = 'email,name,department,role';
        const row = fc
          .record({ k: fc.integer({ min: 0, max: 29 }), name: textUpTo(100, 1).map((n) => n.trim()).filter((n) => n.length > 0 && [...n].length <= 100 && !n.includes('\uFFFD')), department: fc.constantFrom('営業部', '開発部', '新部署'), role })
          .map((r) => [`imp-${r.k}@example.com`, r.name, r.department, r.role]);
        const rows = fc.uniqueArray(row, { minLength: 1, maxLength: 5, selector: (r) => r[0] });
        const csv = (lines: string[][], head = header) => [head, ...lines.map((l) => l.map(csvCell).join(','))].join('\n');
        const upload = (text: string | Uint8Array) => csvFile(text);
        const update = fc.option(fc.constant('on'), { nil: undefined });
        const valid = fc.tuple(rows, update).map(([r, u]) => fieldsOf({ file: upload(csv(r)), update: u }));
        const withRows = (why: string, change: (lines: string[][]) => string[][]) =>
          fc.tuple(rows, update).map(([r, u]) => bad(fieldsOf({ file: upload(csv(change(r))), update: u }), 'handler', why, true));
        const noEmail = fc.uint8Array({ minLength: 1, maxLength: 3000 }).filter((bytes) => !Buffer.from(bytes).toString('latin1').toLowerCase().includes('email') && !new TextDecoder().decode(bytes).toLowerCase().includes('email'));
        return schemaMix(
          'admin.importUsers',
          valid,
          { file: anyText, update: notIn(['on']) },
          [
            fc.tuple(rows, update).map(([r, u]) => bad(fieldsOf({ file: upload(csv(r, 'email,name,role')), update: u }), 'handler', 'missing column')),
            fc.tuple(rows, update, anyName.filter((n) => !['email', 'name', 'department', 'role'].includes(n.trim().toLowerCase()) && !/[",\r\n]/.test(n))).map(([r, u, extra]) => bad(fieldsOf({ file: upload(csv(r.map((l) => [...l, 'x']), `${header},${extra}`)), update: u }), 'handler', 'unknown column', true)),
            withRows('bad email', (r) => r.map((l, i) => (i === 0 ? ['not-an-email', ...l.slice(1)] : l))),
            withRows('unknown role', (r) => r.map((l, i) => (i === 0 ? [...l.slice(0, 3), 'superuser'] : l))),
            withRows('empty name', (r) => r.map((l, i) => (i === 0 ? [l[0]!, '', ...l.slice(2)] : l))),
            withRows('name too long', (r) => r.map((l, i) => (i === 0 ? [l[0]!, 'ñ'.repeat(101), ...l.slice(2)] : l))),
            withRows('wrong field count', (r) => r.map((l, i) => (i === 0 ? l.slice(0, 3) : l))),
            withRows('duplicate in file', (r) => [...r, r[0]!]),
            fc.tuple(rows, anyText).map(([r, junk]) => bad(fieldsOf({ file: upload(`${csv(r)}\n"unclosed${junk.replace(/"/g, '')}`) }), 'handler', 'unclosed quote', true)),
            fc.constant(bad(fieldsOf({ file: upload(csv([[ctx.users.learner.email, 'Taken', '営業部', 'learner']])) }), 'handler', 'existing user without update', true)),
            noEmail.map((bytes) => bad(fieldsOf({ file: upload(bytes) }), 'handler', 'binary garbage without an email column', true)),
            // An empty file, or now and then one over the size limit (5 MiB: kept rare).
            fc.oneof(
              { weight: 9, arbitrary: fc.constant(bad(fieldsOf({ file: upload('') }), 'handler', 'empty file', true)) },
              { weight: 1, arbitrary: fc.constant(bad(fieldsOf({ file: upload(`${header}\n${`x@example.com,x,x,learner\n`.repeat(Math.ceil((USERS_CSV_MAX_BYTES + 10) / 24))}`) }), 'handler', 'file over the size limit', true)) },
            ),
          ],
          { multipart: true },
        );
      },
    },
    /* admin: assignments ------------------------------------------------------------------- */
    {
      name: 'admin.createAssignment',
      as: 'admin',
      page: () => '/admin/assignments',
      bodies: () => {
        const s = (n: string) => field('admin.createAssignment', n);
        // Mostly narrow targets: each assignment enrols its users, and every snapshot reads them all.
        const target = fc.oneof(
          { weight: 1, arbitrary: fc.constant({ target: 'everyone' }) },
          { weight: 3, arbitrary: role.map((r) => ({ target: 'role', role: r })) },
          { weight: 3, arbitrary: departmentIdText().filter((d) => d !== '').map((d) => ({ target: 'department', departmentId: d })) },
          { weight: 3, arbitrary: fc.constantFrom(ctx.waves.permanent).map((w) => ({ target: 'wave', waveId: String(w) })) },
        );
        const due = fc.oneof(fc.constant({ dueKind: 'none' }), day.map((d) => ({ dueKind: 'date', dueDate: d })), fc.integer({ min: 1, max: 730 }).map((n) => ({ dueKind: 'days', dueDays: String(n) })));
        const valid = fc.tuple(fc.constantFrom(...enumValues(s('tierId'))), target, due).map(([tierId, tg, d]) => fieldsOf({ tierId, ...tg, ...d } as Record<string, string>));
        const dueDays = numberLimits(s('dueDays'));
        return schemaMix(
          'admin.createAssignment',
          valid,
          {
            tierId: notIn(enumValues(s('tierId'))),
            target: notIn(enumValues(s('target'))),
            dueKind: notIn(enumValues(s('dueKind'))),
            role: notIn(['', ...enumValues(s('role'))]),
            departmentId: outside(numberLimits(s('departmentId'))),
            waveId: outside(numberLimits(s('waveId'))),
            dueDate: notMatching(pattern(s('dueDate'))),
            dueDays: outside(dueDays),
          },
          [
            fc.tuple(fc.constantFrom(...enumValues(s('tierId'))), due, fc.constantFrom('', undefined)).map(([tierId, d, r]) => bad(fieldsOf({ tierId, target: 'role', role: r, ...d } as Record<string, string>), 'handler', 'role target without a role')),
            fc.tuple(fc.constantFrom(...enumValues(s('tierId'))), due, nonexistentId).map(([tierId, d, id]) => bad(fieldsOf({ tierId, target: 'department', departmentId: String(id), ...d } as Record<string, string>), 'handler', `unknown department ${id}`)),
            fc.tuple(fc.constantFrom(...enumValues(s('tierId'))), due, nonexistentId).map(([tierId, d, id]) => bad(fieldsOf({ tierId, target: 'wave', waveId: String(id), ...d } as Record<string, string>), 'handler', `unknown wave ${id}`)),
            fc.tuple(fc.constantFrom(...enumValues(s('tierId'))), fc.constantFrom('department', 'wave')).map(([tierId, tg]) => bad(fieldsOf({ tierId, target: tg, dueKind: 'none' }), 'handler', `${tg} target without an id`)),
            fc.tuple(fc.constantFrom(...enumValues(s('tierId'))), fc.constantFrom('', undefined)).map(([tierId, v]) => bad(fieldsOf({ tierId, target: 'everyone', dueKind: 'date', dueDate: v }), 'handler', 'due date missing')),
            fc.tuple(fc.constantFrom(...enumValues(s('tierId'))), fc.constantFrom('', undefined)).map(([tierId, v]) => bad(fieldsOf({ tierId, target: 'everyone', dueKind: 'days', dueDays: v }), 'handler', 'due days missing')),
          ],
          // Every new assignment enrols users and is re-matched on every later admin write: fewer.
          { validWeight: 1 },
        );
      },
    },
    {
      name: 'admin.deleteAssignment',
      as: 'admin',
      page: () => '/admin/assignments',
      bodies: () =>
        schemaMix(
          'admin.deleteAssignment',
          idText(() => ctx.assignments).map((id) => fieldsOf({ assignmentId: id })),
          { assignmentId: outside(numberLimits(field('admin.deleteAssignment', 'assignmentId'))) },
          [nonexistentId.map((id) => bad(fieldsOf({ assignmentId: String(id) }), 'handler', `unknown assignment ${id}`))],
        ),
    },
    /* admin: waves (no zod schema on the action: the handler parses the form) ---------------- */
    {
      name: 'admin.saveWave',
      as: 'admin',
      page: () => '/admin/waves',
      bodies: () => {
        const dates = fc.tuple(day, day).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [string, string]);
        const targets = fc.dictionary(fc.constantFrom(...TARGET_KPIS.map((k) => `target.${k}`)), fc.oneof(fc.integer({ min: 0, max: 100 }).map(String), fc.constant('')), { maxKeys: 4 });
        const valid = fc
          .record({
            // Mostly edits of existing waves; a new one now and then (every wave is re-matched on each admin write).
            waveId: fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 4, arbitrary: fc.constantFrom(...ctx.waves.pool.map(String)) }),
            name: textUpTo(100, 1),
            position: fc.option(fc.integer({ min: 0, max: 1000 }).map(String), { nil: undefined }),
            dates,
            description: fc.option(textUpTo(1000), { nil: undefined }),
            departmentIds: fc.subarray([ctx.departments.mine, ctx.departments.other].map(String)),
            targets,
          })
          .map(({ dates: [startDate, endDate], targets: tg, ...rest }) => [...fieldsOf({ ...rest, startDate, endDate }), ...Object.entries(tg)] as Field[]);
        const known = ['waveId', 'name', 'position', 'startDate', 'endDate', 'description', 'departmentIds', ...TARGET_KPIS.map((k) => `target.${k}`)];
        const idInvalid = fc.oneof(notANumber, fc.constantFrom('0', '-1', '1.5', String(2 ** 31 + 1), '1e20'));
        const invalidValue = (name: string, value: fc.Arbitrary<string>) =>
          fc.tuple(valid, value).map(([f, v]) => bad(replaced(f, name, v), 'handler', `${name}=${JSON.stringify(v.slice(0, 30))}`));
        return fc.oneof(
          { weight: 2, arbitrary: fc.tuple(valid, fc.boolean()).map(([f, mp]) => good(f, mp)) },
          // A forged form may name a department twice: accepted or refused, but never a 5xx.
          { weight: 1, arbitrary: valid.map((f) => good([...f, ['departmentIds', String(ctx.departments.mine)], ['departmentIds', String(ctx.departments.mine)]])) },
          { weight: 1, arbitrary: fc.tuple(valid, unknownName(known), anyText).map(([f, n, v]) => bad([...f, [n, v]], 'handler', `unknown field ${JSON.stringify(n)}`)) },
          { weight: 1, arbitrary: invalidValue('name', fc.oneof(blank, overMax(100))) },
          { weight: 1, arbitrary: invalidValue('position', fc.oneof(fc.integer({ max: -1 }).map(String), fc.integer({ min: 1001 }).map(String), fc.constantFrom('1.5', '1e9'), notANumber)) },
          { weight: 1, arbitrary: invalidValue('startDate', notMatching(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/)) },
          { weight: 1, arbitrary: invalidValue('endDate', notMatching(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/)) },
          { weight: 1, arbitrary: fc.tuple(valid, dates).filter(([, [a, b]]) => a < b).map(([f, [a, b]]) => bad(replaced(replaced(f, 'startDate', b), 'endDate', a), 'handler', 'end before start')) },
          { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom('name', 'startDate', 'endDate')).map(([f, n]) => bad(without(f, n), 'handler', `no ${n}`)) },
          { weight: 1, arbitrary: invalidValue('description', overMax(1000)) },
          { weight: 1, arbitrary: fc.tuple(valid, idInvalid).map(([f, v]) => bad([...f, ['departmentIds', v]], 'handler', `department id ${JSON.stringify(v.slice(0, 20))}`)) },
          { weight: 1, arbitrary: fc.tuple(valid, fc.integer({ min: 1001, max: 1500 })).map(([f, n]) => bad([...without(f, 'departmentIds'), ...Array.from({ length: n }, (): Field => ['departmentIds', String(ctx.departments.mine)])], 'handler', `${n} departments`)) },
          { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...TARGET_KPIS), fc.oneof(fc.constantFrom('-1', '-0.01', '1e309', '1e12'), notANumber)).map(([f, kpi, v]) => bad(replaced(f, `target.${kpi}`, v), 'handler', `target ${kpi}=${v.slice(0, 20)}`)) },
          { weight: 1, arbitrary: fc.tuple(valid, idInvalid).map(([f, v]) => bad(replaced(f, 'waveId', v), 'handler', `wave id ${JSON.stringify(v.slice(0, 20))}`)) },
          { weight: 2, arbitrary: fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'waveId', String(id)), 'handler', `unknown wave ${id}`)) },
          { weight: 2, arbitrary: fc.tuple(valid, nonexistentId).map(([f, id]) => bad([...f, ['departmentIds', String(id)]], 'handler', `unknown department ${id}`)) },
          { weight: 1, arbitrary: fc.tuple(randomFields, fc.boolean()).map(([f, mp]) => good(f, mp)) },
          { weight: 1, arbitrary: brokenEnvelope },
        );
      },
    },
    {
      name: 'admin.deleteWave',
      as: 'admin',
      page: () => `/admin/waves/${ctx.waves.permanent}`,
      bodies: () =>
        schemaMix(
          'admin.deleteWave',
          idText(() => ctx.waves.pool).map((id) => fieldsOf({ waveId: id })),
          { waveId: outside(numberLimits(field('admin.deleteWave', 'waveId'))) },
          [nonexistentId.map((id) => bad(fieldsOf({ waveId: String(id) }), 'handler', `unknown wave ${id}`))],
        ),
    },
    /* admin: help desk, baseline, xAPI ----------------------------------------------------- */
    {
      name: 'admin.saveInquiries',
      as: 'admin',
      page: () => '/admin/helpdesk',
      bodies: () => {
        const s = (n: string) => field('admin.saveInquiries', n);
        const valid = fc.record({ month, departmentId: departmentIdText(), count: fc.integer({ min: 0, max: 10_000_000 }).chain(numberText) }).map((r) => fieldsOf(r));
        return schemaMix(
          'admin.saveInquiries',
          valid,
          { month: notMatching(pattern(s('month'))), departmentId: outside(numberLimits(s('departmentId'))), count: outside(numberLimits(s('count'))) },
          [fc.tuple(valid, nonexistentId).map(([f, id]) => bad(replaced(f, 'departmentId', String(id)), 'handler', `unknown department ${id}`))],
        );
      },
    },
    {
      name: 'admin.importInquiries',
      as: 'admin',
      page: () => '/admin/helpdesk',
      refusedData: (data) => (data as { ok?: boolean }).ok === false,
      bodies: () => {
        const header = 'month,department,count';
        const row = fc.record({ month, department: fc.constantFrom('', ...ctx.departments.names), count: fc.integer({ min: 0, max: 9_999_999 }).map(String) }).map((r) => [r.month, r.department, r.count]);
        const rows = fc.uniqueArray(row, { minLength: 1, maxLength: 6, selector: (r) => `${r[0]}|${r[1]!.toLowerCase()}` });
        const csv = (lines: string[][], head = header) => [head, ...lines.map((l) => l.map(csvCell).join(','))].join('\n');
        const upload = (text: string | Uint8Array) => csvFile(text, 'helpdesk.csv');
        const valid = rows.map((r) => fieldsOf({ file: upload(csv(r)) }));
        const withRows = (why: string, change: (lines: string[][]) => string[][]) => rows.map((r) => bad(fieldsOf({ file: upload(csv(change(r))) }), 'handler', why, true));
        return schemaMix(
          'admin.importInquiries',
          valid,
          { file: anyText },
          [
            rows.map((r) => bad(fieldsOf({ file: upload(csv(r, 'department,month,count')) }), 'handler', 'wrong header', true)),
            withRows('bad month', (r) => r.map((l, i) => (i === 0 ? ['2024-13', ...l.slice(1)] : l))),
            fc.tuple(rows, fc.constantFrom('-1', '1.5', 'ten', '12345678', '')).map(([r, c]) => bad(fieldsOf({ file: upload(csv(r.map((l, i) => (i === 0 ? [l[0]!, l[1]!, c] : l)))) }), 'handler', `count ${c}`, true)),
            withRows('unknown department', (r) => r.map((l, i) => (i === 0 ? [l[0]!, 'no such department zz', l[2]!] : l))),
            withRows('duplicate row', (r) => [...r, r[0]!]),
            withRows('wrong field count', (r) => r.map((l, i) => (i === 0 ? [...l, 'extra'] : l))),
            fc.constant(bad(fieldsOf({ file: upload(header) }), 'handler', 'header only', true)),
            fc.tuple(rows, anyText).map(([r, junk]) => bad(fieldsOf({ file: upload(`${csv(r)}\n"2024-01${junk.replace(/"/g, '')}`) }), 'handler', 'unclosed quote', true)),
            fc.oneof(
              { weight: 9, arbitrary: fc.constant(bad(fieldsOf({ file: upload('') }), 'handler', 'empty file', true)) },
              { weight: 1, arbitrary: fc.constant(bad(fieldsOf({ file: upload(`${header}\n${'2024-01,,1\n'.repeat(Math.ceil((HELPDESK_CSV_MAX_BYTES + 10) / 11))}`) }), 'handler', 'file over the size limit', true)) },
            ),
          ],
          { multipart: true },
        );
      },
    },
    {
      name: 'admin.saveBaseline',
      as: 'admin',
      page: () => '/admin/settings',
      bodies: () => {
        const s = (n: string) => field('admin.saveBaseline', n);
        const valid = fc.tuple(month, month).map(([a, b]) => fieldsOf(a <= b ? { from: a, to: b } : { from: b, to: a }));
        return schemaMix(
          'admin.saveBaseline',
          valid,
          { from: notMatching(pattern(s('from'))), to: notMatching(pattern(s('to'))) },
          [fc.tuple(month, month).filter(([a, b]) => a !== b).map(([a, b]) => bad(fieldsOf(a > b ? { from: a, to: b } : { from: b, to: a }), 'schema', 'from after to'))],
        );
      },
    },
    {
      name: 'admin.pushXapi',
      as: 'admin',
      page: () => '/admin/exports',
      // XAPI_ENDPOINT is not set for this server (checked in beforeAll): every push is refused.
      bodies: () => schemaMix('admin.pushXapi', fc.constant([]), {}).map((body) => (body.invalid ? body : { ...body, invalid: { kind: 'handler', why: 'XAPI_ENDPOINT is not configured' } })),
    },
  ];
}

/* ------------------------------------------------------------------------------------------ */
/* Running one case                                                                             */
/* ------------------------------------------------------------------------------------------ */

type Verdict = 'success' | 'refused';

function cookieOf(who: Who): string | null {
  return who === 'anonymous' ? null : ctx.cookies[who];
}

/** Ids a body names as "nonexistent" must still not exist when it is sent. */
function nonexistentIdsStillFree(body: Body): void {
  const why = body.invalid?.why ?? '';
  const match = /^unknown (user|department|wave|assignment) (\d+)$/.exec(why);
  if (!match) return;
  const table = { user: 'users', department: 'departments', wave: 'waves', assignment: 'assignments' }[match[1] as 'user'];
  expect(snapshots!.exists(table, Number(match[2])), `${why} exists`).toBe(false);
}

async function runActionCase(spec: ActionSpec, body: Body, route: 'form' | 'rpc', prefix: '' | '/en'): Promise<void> {
  const stats = counts.get(spec.name)!;
  stats.cases++;
  stats[route]++;
  // A left-out field is invalid when the schema refuses its absence (an absent number reads as
  // 0, which some schemas accept): asked of the schema, not assumed.
  if (body.missing !== undefined && !(await schemaAccepts(spec.name, body))) body = { ...body, invalid: { kind: 'schema', why: `no ${body.missing}` } };
  // The generator's claim, checked: a body said to break the schema is refused by the schema.
  if (body.invalid?.kind === 'schema') expect(await schemaAccepts(spec.name, body), `generator: ${body.invalid.why} should break the schema`).toBe(false);
  if (body.invalid) stats.invalid++;
  nonexistentIdsStillFree(body);

  const before = snapshots!.take();
  const url = route === 'form' ? `${ctx.base}${prefix}${spec.page(body)}?_action=${spec.name}` : `${ctx.base}/_actions/${spec.name}`;
  const answer = await send(url, cookieOf(spec.as), body);
  const label = `${spec.name} via ${route} ${url.replace(ctx.base, '')}: ${answer.status} ${answer.text.slice(0, 200)} — body ${JSON.stringify(body.fields.map(([n, v]) => [n.slice(0, 40), typeof v === 'string' ? v.slice(0, 60) : `<file ${v.filename} ${v.content.length}>`]).slice(0, 12))}${body.raw ? ` raw ${body.raw.contentType}` : ''}; ${body.invalid ? `invalid: ${body.invalid.why}` : 'may be valid'}`;

  if (answer.status >= 500) stats.serverError++;
  expect(answer.status, `5xx: ${label}`).toBeLessThan(500);
  let verdict: Verdict = answer.status >= 400 ? 'refused' : 'success';
  if (verdict === 'success' && route === 'rpc' && spec.refusedData && answer.contentType?.startsWith('application/json+devalue')) {
    if (spec.refusedData(devalueParse(answer.text))) verdict = 'refused';
  }
  if (verdict === 'success') stats.success++;
  else stats.refused++;
  if (body.invalid) expect(verdict, `accepted an invalid body: ${label}`).toBe('refused');

  const after = snapshots!.take();
  if (verdict === 'refused') {
    const lessonPagePost = route === 'form' && spec.name.startsWith('lesson.');
    expect(changedTables(before, after, lessonPagePost), `a refused body changed the database: ${label}`).toEqual([]);
    const audited = snapshots!.auditActionsSince(before.auditMaxId).filter((a) => !ALLOWED_AUDIT_ON_REFUSAL.has(a));
    expect(audited, `a refused body was audited as a change: ${label}`).toEqual([]);
  } else await spec.afterSuccess?.(body);
}

/* ------------------------------------------------------------------------------------------ */
/* Endpoints                                                                                    */
/* ------------------------------------------------------------------------------------------ */

interface EndpointCase {
  method: string;
  /** Raw request path (sent exactly as written). */
  path: string;
  body: string | null;
  invalid: string | null;
}

interface EndpointSpec {
  route: string;
  as: Who;
  cases: () => fc.Arbitrary<EndpointCase>;
}

const OTHER_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
// Values kept short: a request line over Node's 16 KiB header limit never reaches the app.
const queryText = fc.array(fc.tuple(anyName, anyText), { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : `?${new URLSearchParams(pairs.map(([k, v]) => [k, v.slice(0, 200)]))}`));
/** Any method but GET (which every endpoint here defines alone) with a random body: refused by construction. */
const otherMethod = (path: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom(...OTHER_METHODS), path, anyText).map(([method, p, body]): EndpointCase => ({ method, path: p, body: body.slice(0, 100_000), invalid: `${method} is not handled` }));

function endpointSpecs(): EndpointSpec[] {
  const bundle = path.join(ROOT, FIXTURE_OUT_DIR, 'search', 'pagefind');
  const files = fs.readdirSync(bundle, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(bundle, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  const encodeSegment = (s: string) => encodeURIComponent(s);
  return [
    {
      route: '/healthz',
      as: 'learner',
      cases: () =>
        fc.oneof(
          { weight: 3, arbitrary: queryText.map((q): EndpointCase => ({ method: 'GET', path: `/healthz${q}`, body: null, invalid: null })) },
          { weight: 2, arbitrary: otherMethod(queryText.map((q) => `/healthz${q}`)) },
        ),
    },
    {
      route: '/pagefind/[...path]',
      as: 'learner',
      cases: () => {
        const outsideBundle = fc
          .tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom('..', '%2e%2e', '.%2e', '%2E%2E'), fc.constantFrom('/', '%2f', '%2F', '%5c'), fc.constantFrom('server/entry.mjs', 'package.json', 'etc/passwd', 'manabi.db', 'client/index.html'))
          .map(([depth, dots, slash, target]) => `/pagefind/${`${dots}${slash}`.repeat(depth)}${target}`);
        const missing = fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('', '.js', '.json', '.pf_meta', '/')).map(([s, ext]) => `/pagefind/zz-missing-${encodeSegment(s)}${ext}`);
        return fc.oneof(
          { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...files), queryText).map(([f, q]): EndpointCase => ({ method: 'GET', path: `/pagefind/${f}${q}`, body: null, invalid: null })) },
          { weight: 2, arbitrary: outsideBundle.map((p): EndpointCase => ({ method: 'GET', path: p, body: null, invalid: 'outside the search bundle' })) },
          { weight: 2, arbitrary: missing.map((p): EndpointCase => ({ method: 'GET', path: p, body: null, invalid: 'no such file' })) },
          { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => s !== '.' && s !== '..').map((s): EndpointCase => ({ method: 'GET', path: `/pagefind/${encodeSegment(s)}`, body: null, invalid: files.includes(s) ? null : 'no such file' })) },
          { weight: 1, arbitrary: otherMethod(fc.constantFrom(...files).map((f) => `/pagefind/${f}`)) },
        );
      },
    },
    {
      route: '/admin/exports/[file]',
      as: 'admin',
      cases: () => {
        const names = [...EXPORT_NAMES.map((n) => `${n}.csv`), 'xapi.json'];
        const bom = fc.constantFrom('', '?bom=1', '?bom=0', '?bom=yes');
        return fc.oneof(
          { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...names), bom).map(([n, q]): EndpointCase => ({ method: 'GET', path: `/admin/exports/${n}${q}`, body: null, invalid: null })) },
          {
            weight: 3,
            arbitrary: fc
              .oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.constantFrom('users', 'users.CSV', 'USERS.csv', 'users.csv.bak', 'xapi', 'xapi.csv', '..%2f..%2fmanabi.db', '.csv', 'completions.json'))
              // "." and ".." are dot segments: the URL itself would drop them (and name the exports page).
              .filter((n) => !names.includes(n) && n !== '.' && n !== '..')
              .map((n): EndpointCase => ({ method: 'GET', path: `/admin/exports/${encodeSegment(n).replace(/%252f/gi, '%2f')}`, body: null, invalid: 'no such export' })),
          },
          { weight: 1, arbitrary: otherMethod(fc.constantFrom(...names).map((n) => `/admin/exports/${n}`)) },
        );
      },
    },
    {
      // Single sign-on is not configured on this server (AUTH_MODE=password): both SSO
      // endpoints must refuse everything; tests/integration/oidc.test.ts covers them switched on.
      route: '/login/oidc',
      as: 'anonymous',
      cases: () =>
        fc.oneof(
          { weight: 2, arbitrary: fc.tuple(fc.array(fc.tuple(anyName, anyText), { maxLength: 4 }), queryText).map(([pairs, q]): EndpointCase => ({ method: 'POST', path: `/login/oidc${q}`, body: new URLSearchParams(pairs.map(([k, v]) => [k, v.slice(0, 2000)])).toString(), invalid: 'single sign-on is off' })) },
          { weight: 1, arbitrary: queryText.map((q): EndpointCase => ({ method: 'GET', path: `/login/oidc${q}`, body: null, invalid: 'single sign-on is off' })) },
        ),
    },
    {
      route: '/login/oidc/callback',
      as: 'anonymous',
      cases: () =>
        fc.oneof(
          {
            weight: 3,
            arbitrary: fc
              .tuple(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), queryText)
              .map(([code, state, q]): EndpointCase => ({ method: 'GET', path: `/login/oidc/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}${q.replace('?', '&')}`, body: null, invalid: 'single sign-on is off' })),
          },
          { weight: 1, arbitrary: otherMethod(fc.constant('/login/oidc/callback')) },
        ),
    },
    {
      route: '/champion/roster.csv',
      as: 'champion',
      cases: () =>
        fc.oneof(
          { weight: 1, arbitrary: fc.constantFrom('', `?department=${ctx.departments.mine}`, '?department=abc', '?department=-3', '?department=', '?bom=1').map((q): EndpointCase => ({ method: 'GET', path: `/champion/roster.csv${q}`, body: null, invalid: null })) },
          { weight: 2, arbitrary: fc.oneof(fc.constant(ctx.departments.other), nonexistentId).chain(numberText).map((d): EndpointCase => ({ method: 'GET', path: `/champion/roster.csv?department=${encodeURIComponent(d)}`, body: null, invalid: "another department's roster" })) },
          { weight: 1, arbitrary: otherMethod(fc.constant('/champion/roster.csv')) },
        ),
    },
  ];
}

async function runEndpointCase(spec: EndpointSpec, c: EndpointCase): Promise<void> {
  const name = `endpoint ${spec.route}`;
  const stats = counts.get(name)!;
  stats.cases++;
  stats.rpc++;
  if (c.invalid) stats.invalid++;
  const before = snapshots!.take();
  const answer = await sendRaw(c.method, c.path, cookieOf(spec.as), c.body);
  const label = `${c.method} ${c.path.slice(0, 200)}: ${answer.status} ${answer.text.slice(0, 120)}; ${c.invalid ?? 'may be valid'}`;
  if (answer.status >= 500) stats.serverError++;
  expect(answer.status, `5xx: ${label}`).toBeLessThan(500);
  const refused = answer.status >= 400;
  if (refused) stats.refused++;
  else stats.success++;
  if (c.invalid) expect(refused, `served an invalid request: ${label}`).toBe(true);
  // These endpoints only read: whatever the answer, nothing but the audit log may change.
  expect(changedTables(before, snapshots!.take(), false), `an endpoint request changed the database: ${label}`).toEqual([]);
}

/* ------------------------------------------------------------------------------------------ */
/* The suite                                                                                    */
/* ------------------------------------------------------------------------------------------ */

const ACTION_SPECS = specs();
const ENDPOINT_SPECS = endpointSpecs();

describe('the fuzzed surface is the whole surface', () => {
  it('has a spec for every action in src/actions and every endpoint in src/pages', () => {
    const exported = Object.entries(registry).flatMap(([group, actions]) => Object.keys(actions).map((name) => `${group}.${name}`));
    const actionsDir = path.join(ROOT, 'src/actions');
    const declared = fs
      .readdirSync(actionsDir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'guard.ts')
      .flatMap((file) => {
        const source = fs.readFileSync(path.join(actionsDir, file), 'utf8');
        const group = /export const (\w+) = \{/.exec(source)?.[1];
        return [...source.matchAll(/^ {2}(\w+): defineAction\(/gm)].map((m) => `${group}.${m[1]}`);
      });
    expect(exported.sort()).toEqual(declared.sort());
    expect(ACTION_SPECS.map((s) => s.name).sort()).toEqual(exported.sort());

    const pagesDir = path.join(ROOT, 'src/pages');
    const endpoints = (fs.readdirSync(pagesDir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `/${f.split(path.sep).join('/').replace(/\.ts$/, '')}`);
    expect(ENDPOINT_SPECS.map((s) => s.route).sort()).toEqual(endpoints.sort());
  });
});

function fuzzActions(specs: ActionSpec[]): void {
  describe.each(specs.map((spec) => [spec.name, spec] as const))('action %s', (name, spec) => {
    it(`${RUNS} bodies: no 5xx, invalid ones refused, refused ones change nothing`, async () => {
      counts.set(name, { cases: 0, invalid: 0, success: 0, refused: 0, serverError: 0, form: 0, rpc: 0 });
      await fc.assert(
        fc.asyncProperty(spec.bodies(), fc.constantFrom<'form' | 'rpc'>('form', 'rpc'), fc.constantFrom<'' | '/en'>('', '/en'), (body, route, prefix) => runActionCase(spec, body, route, prefix)),
        // No shrinking: the server is stateful (a replayed body meets another database), so the
        // first failing body, reported whole, is the useful one.
        { numRuns: RUNS, endOnFailure: true },
      );
    });
  });
}

// Learners' and sign-in actions, then the endpoints, then the admin actions (which grow the
// programme data every later snapshot reads).
fuzzActions(ACTION_SPECS.filter((spec) => !spec.name.startsWith('admin.')));

describe.each(ENDPOINT_SPECS.map((spec) => [spec.route, spec] as const))('endpoint %s', (route, spec) => {
  it(`${RUNS} requests: no 5xx, invalid ones refused, the database unchanged`, async () => {
    counts.set(`endpoint ${route}`, { cases: 0, invalid: 0, success: 0, refused: 0, serverError: 0, form: 0, rpc: 0 });
    await fc.assert(
      fc.asyncProperty(spec.cases(), (c) => runEndpointCase(spec, c)),
      { numRuns: RUNS, endOnFailure: true },
    );
  });
});

fuzzActions(ACTION_SPECS.filter((spec) => spec.name.startsWith('admin.')));
