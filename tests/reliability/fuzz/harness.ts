/**
 * The fuzz harness (fast-check, property-based): a file's specs against one built server on its
 * own temp database (app.ts).
 *
 * For each action, RUNS bodies (1,000), sent by an appropriately privileged signed-in user with
 * the right Origin, at random through the page's form (`/page?_action=…`, as a browser's form
 * does) or the action's RPC address (`/_actions/…`), with or without the `/en` prefix:
 * near-valid bodies (which may be accepted), random ones, and bodies invalid by construction
 * (from the action's JSON Schema, see generate.ts, or named by the spec: what the handler must
 * refuse). For each endpoint, RUNS raw requests.
 *
 * Properties, for every request:
 * - never a 5xx;
 * - no stack frame, database error, SQL or server path in the answer;
 * - never a success for a body invalid by construction (and a body said to break the schema is
 *   first confirmed to break it, by the schema itself);
 * - a refused body leaves the database as it was (snapshots.ts), and audits nothing but a
 *   refusal; an endpoint request changes nothing, whatever the answer.
 *
 * "Success" (read from the pages and actions): through a page, any 2xx/3xx (every page answers a
 * refused action with the action error's status); through RPC, a 200 with data, except the
 * answers whose data itself says "refused" (a spec's `refusedData`: an import report with
 * `ok: false`, a quiz submission with `status: "incomplete"`).
 *
 * Bounded and replayable: RUNS cases per target (FUZZ_RUNS to change it), each request with a
 * 60 s timeout, each target stopped as a failure after 240 s; every target's random stream comes
 * from one seed, printed with each run and with each failure; FUZZ_SEED=<seed> replays a file.
 * No shrinking: the server is stateful (a replayed body meets another database), so the first
 * failing body, reported whole, is the useful one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/fixture.ts';
import { startApp, type App, type Context, type Who } from './app.ts';
import { actionNames, actionSchema } from './schema.ts';
import { actionDataField, leaksIn, send, sendRaw, type Answer } from './send.ts';
import { ALLOWED_AUDIT_ON_REFUSAL, changedTables } from './snapshots.ts';
import { FUZZ_FILES } from './targets.ts';
import { toFormData, type Body } from './values.ts';

export const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 100_000) throw new Error(`FUZZ_RUNS must be an integer from 1 to 100000, not ${process.env.FUZZ_RUNS}`);
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
if (!Number.isInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer, not ${process.env.FUZZ_SEED}`);
const TARGET_TIME_LIMIT_MS = 240_000;

export interface ActionSpec {
  name: string;
  as: Who;
  /** The page whose form posts this action (without locale prefix). */
  page: (body: Body, ctx: Context) => string;
  bodies: (ctx: Context) => fc.Arbitrary<Body>;
  /** RPC answers whose data says the body was refused (reads top-level fields of the answer). */
  refusedData?: (field: (key: string) => unknown) => boolean;
  /** After a success: keep the context true (a new session after sign-out, the new password). */
  afterSuccess?: (body: Body, ctx: Context) => Promise<void>;
}

export interface EndpointCase {
  method: string;
  /** Raw request path (sent exactly as written). */
  path: string;
  body: string | null;
  invalid: string | null;
  /** Extra request headers (e.g. SCIM's Authorization and content type); none by default. */
  headers?: Record<string, string>;
}

export interface EndpointSpec {
  route: string;
  as: Who;
  cases: (ctx: Context) => fc.Arbitrary<EndpointCase>;
}

interface Stats {
  cases: number;
  invalid: number;
  success: number;
  refused: number;
  serverError: number;
  form: number;
  rpc: number;
}

/** A target's own seed, from the file's seed and its name: one target can be replayed alone (`-t`). */
function seedOf(name: string): number {
  let h = SEED >>> 0;
  for (const c of name) h = Math.imul(h ^ c.codePointAt(0)!, 16777619) >>> 0;
  return h & 0x7fffffff;
}

const replay = (file: string): string => `replay: FUZZ_SEED=${SEED} npx vitest run --config tests/vitest.config.ts --project reliability tests/reliability/fuzz/${file}`;

function cookieOf(ctx: Context, who: Who): string | null {
  return who === 'anonymous' ? null : ctx.cookies[who];
}

/** Ids a body names as "nonexistent" must still not exist when it is sent. */
function nonexistentIdsStillFree(app: App, body: Body): void {
  const why = body.invalid?.why ?? '';
  const match = /^unknown (user|department|wave|assignment) (\d+)$/.exec(why);
  if (!match) return;
  const table = { user: 'users', department: 'departments', wave: 'waves', assignment: 'assignments' }[match[1] as 'user'];
  expect(app.snapshots.exists(table, Number(match[2])), `${why} exists`).toBe(false);
}

function expectNoLeak(app: App, answer: Answer, label: string): void {
  expect(leaksIn(answer.text, app.privatePaths), `the answer shows internals: ${label}`).toEqual([]);
}

async function runActionCase(app: App, spec: ActionSpec, stats: Stats, body: Body, route: 'form' | 'rpc', prefix: '' | '/en', hint: string): Promise<void> {
  const { ctx, snapshots } = app;
  stats.cases++;
  stats[route]++;
  // A body the generator cannot judge is invalid when the schema refuses it (an absent number
  // reads as 0, which some schemas accept): asked of the schema, not assumed.
  const schema = actionSchema(spec.name);
  if (body.askSchema !== undefined && schema && !(await schema.accepts(toFormData(body.fields)))) body = { ...body, invalid: { kind: 'schema', why: body.askSchema } };
  // The generator's claim, checked: a body said to break the schema is refused by the schema.
  if (body.invalid?.kind === 'schema') expect(schema && (await schema.accepts(toFormData(body.fields))), `generator: ${body.invalid.why} should break the schema`).toBe(false);
  if (body.invalid) stats.invalid++;
  nonexistentIdsStillFree(app, body);

  const before = snapshots.take();
  const url = route === 'form' ? `${ctx.base}${prefix}${spec.page(body, ctx)}?_action=${spec.name}` : `${ctx.base}/_actions/${spec.name}`;
  const answer = await send(ctx.base, url, cookieOf(ctx, spec.as), body);
  const fields = body.fields.map(([n, v]) => [n.slice(0, 40), typeof v === 'string' ? v.slice(0, 60) : `<file ${v.filename} ${v.content.length}>`]).slice(0, 12);
  const label = `${spec.name} via ${route} ${url.replace(ctx.base, '')}: ${answer.status} ${answer.text.slice(0, 200)} — body ${JSON.stringify(fields)}${body.raw ? ` raw ${body.raw.contentType}` : ''}; ${body.invalid ? `invalid: ${body.invalid.why}` : 'may be valid'} (${hint})`;

  if (answer.status >= 500) stats.serverError++;
  expect(answer.status, `5xx: ${label}`).toBeLessThan(500);
  expectNoLeak(app, answer, label);
  let verdict: 'success' | 'refused' = answer.status >= 400 ? 'refused' : 'success';
  if (verdict === 'success' && route === 'rpc' && spec.refusedData && answer.contentType?.startsWith('application/json+devalue')) {
    if (spec.refusedData((key) => actionDataField(answer.text, key))) verdict = 'refused';
  }
  if (verdict === 'success') stats.success++;
  else stats.refused++;
  if (body.invalid) expect(verdict, `accepted an invalid body: ${label}`).toBe('refused');

  const after = snapshots.take();
  if (verdict === 'refused') {
    const lessonPagePost = route === 'form' && spec.name.startsWith('lesson.');
    expect(changedTables(before, after, lessonPagePost), `a refused body changed the database: ${label}`).toEqual([]);
    const audited = snapshots.auditActionsSince(before.auditMaxId).filter((a) => !ALLOWED_AUDIT_ON_REFUSAL.has(a));
    expect(audited, `a refused body was audited as a change: ${label}`).toEqual([]);
  } else await spec.afterSuccess?.(body, ctx);
}

async function runEndpointCase(app: App, spec: EndpointSpec, stats: Stats, c: EndpointCase, hint: string): Promise<void> {
  const { ctx, snapshots } = app;
  stats.cases++;
  stats.rpc++;
  if (c.invalid) stats.invalid++;
  const before = snapshots.take();
  const answer = await sendRaw(ctx.base, c.method, c.path, cookieOf(ctx, spec.as), c.body, c.headers);
  const label = `${c.method} ${c.path.slice(0, 200)}: ${answer.status} ${answer.text.slice(0, 120)}; ${c.invalid ?? 'may be valid'} (${hint})`;
  if (answer.status >= 500) stats.serverError++;
  expect(answer.status, `5xx: ${label}`).toBeLessThan(500);
  // The search bundle's scripts are code, not pages: only what the app writes is read for leaks.
  if (answer.status >= 400 || /^(?:text\/(?:html|plain|csv)|application\/(?:scim\+)?json)/.test(answer.contentType ?? '')) expectNoLeak(app, answer, label);
  const refused = answer.status >= 400;
  if (refused) stats.refused++;
  else stats.success++;
  if (c.invalid) expect(refused, `served an invalid request: ${label}`).toBe(true);
  // These endpoints only read: whatever the answer, nothing but the audit log may change.
  expect(changedTables(before, snapshots.take(), false), `an endpoint request changed the database: ${label}`).toEqual([]);
}

/** The `.ts` endpoints under src/pages, as routes. */
export function endpointRoutes(): string[] {
  const pagesDir = path.join(ROOT, 'src/pages');
  return (fs.readdirSync(pagesDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => `/${f.split(path.sep).join('/').replace(/\.ts$/, '')}`);
}

/**
 * One fuzz file: checks that its specs are exactly its share of the surface (targets.ts),
 * starts the app, runs every target RUNS times, reports the counts and stops the app.
 */
export function fuzzFile(fileUrl: string, specs: { actions?: ActionSpec[]; endpoints?: EndpointSpec[] }): void {
  const file = path.basename(fileURLToPath(fileUrl));
  const share = FUZZ_FILES[file];
  const actions = specs.actions ?? [];
  const endpoints = specs.endpoints ?? [];
  let app: App | null = null;
  const counts = new Map<string, Stats>();
  const hint = replay(file);

  describe(file, () => {
    beforeAll(async () => {
      console.log(`[reliability] fuzz ${file}: FUZZ_SEED=${SEED}, ${RUNS} cases per target`);
      app = await startApp();
    }, 120_000);

    afterAll(async () => {
      await app?.stop();
      const rows = [...counts.entries()].map(
        ([name, c]) =>
          `[reliability] fuzz ${name}: ${c.cases} cases (${c.invalid} invalid by construction; ${c.form} via page, ${c.rpc} via RPC), ${c.success} success, ${c.refused} 4xx/refused, ${c.serverError} 5xx`,
      );
      const total = [...counts.values()].reduce(
        (a, c) => ({ cases: a.cases + c.cases, invalid: a.invalid + c.invalid, refused: a.refused + c.refused, serverError: a.serverError + c.serverError }),
        { cases: 0, invalid: 0, refused: 0, serverError: 0 },
      );
      if (rows.length > 0)
        console.log(
          `${rows.join('\n')}\n[reliability] fuzz ${file}: ${counts.size} targets, ${total.cases} cases (${total.invalid} invalid by construction), ${total.refused} refused, ${total.serverError} 5xx (FUZZ_SEED=${SEED})`,
        );
    });

    it('fuzzes exactly its share of the surface', () => {
      expect(share, `${file} is listed in targets.ts`).toBeDefined();
      const groups = new Set(share!.actionGroups);
      const mine = actionNames().filter((name) => groups.has(name.split('.')[0]!));
      expect(actions.map((s) => s.name).sort()).toEqual(mine.sort());
      expect(endpoints.map((s) => s.route).sort()).toEqual(share!.endpoints ? endpointRoutes().sort() : []);
    });

    for (const spec of actions) {
      it(`action ${spec.name}: ${RUNS} bodies, no 5xx or internals shown, invalid ones refused, refused ones change nothing`, async () => {
        const stats: Stats = { cases: 0, invalid: 0, success: 0, refused: 0, serverError: 0, form: 0, rpc: 0 };
        counts.set(spec.name, stats);
        const running = app!;
        await fc.assert(
          fc.asyncProperty(spec.bodies(running.ctx), fc.constantFrom<'form' | 'rpc'>('form', 'rpc'), fc.constantFrom<'' | '/en'>('', '/en'), (body, route, prefix) =>
            runActionCase(running, spec, stats, body, route, prefix, hint),
          ),
          { numRuns: RUNS, seed: seedOf(spec.name), endOnFailure: true, interruptAfterTimeLimit: TARGET_TIME_LIMIT_MS, markInterruptAsFailure: true },
        );
      });
    }

    for (const spec of endpoints) {
      it(`endpoint ${spec.route}: ${RUNS} requests, no 5xx or internals shown, invalid ones refused, the database unchanged`, async () => {
        const stats: Stats = { cases: 0, invalid: 0, success: 0, refused: 0, serverError: 0, form: 0, rpc: 0 };
        counts.set(`endpoint ${spec.route}`, stats);
        const running = app!;
        await fc.assert(
          fc.asyncProperty(spec.cases(running.ctx), (c) => runEndpointCase(running, spec, stats, c, hint)),
          { numRuns: RUNS, seed: seedOf(spec.route), endOnFailure: true, interruptAfterTimeLimit: TARGET_TIME_LIMIT_MS, markInterruptAsFailure: true },
        );
      });
    }
  });
}
