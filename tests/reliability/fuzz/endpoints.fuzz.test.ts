/**
 * Fuzzing the endpoints (the `.ts` files under src/pages) with raw requests: the path goes out
 * exactly as written (dot segments, encoded slashes), any method (see harness.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { EXPORT_NAMES } from '../../../src/features/exports/csv.server.ts';
import { ROOT } from '../../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../../helpers/global-build.ts';
import { nonexistentId } from './common.ts';
import { fuzzFile, type EndpointCase, type EndpointSpec } from './harness.ts';
import { anyName, anyText, numberText } from './values.ts';
import { scimCases } from './scim-cases.ts';

const OTHER_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
// Values kept short: a request line over Node's 16 KiB header limit never reaches the app.
const queryText = fc
  .array(fc.tuple(anyName, anyText), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${new URLSearchParams(pairs.map(([k, v]) => [k, v.slice(0, 200)]))}`));
/** Any method but GET (which every endpoint here defines alone) with a random body: refused by construction. */
const otherMethod = (p: fc.Arbitrary<string>): fc.Arbitrary<EndpointCase> =>
  fc
    .tuple(fc.constantFrom(...OTHER_METHODS), p, anyText)
    .map(([method, at, body]): EndpointCase => ({ method, path: at, body: body.slice(0, 100_000), invalid: `${method} is not handled` }));
const encodeSegment = (s: string): string => encodeURIComponent(s);

const bundle = path.join(ROOT, FIXTURE_OUT_DIR, 'search', 'pagefind');
/** The search bundle's files (read when the cases are made: the build runs before the suite). */
const bundleFiles = (): string[] =>
  fs
    .readdirSync(bundle, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(bundle, path.join(e.parentPath, e.name)).split(path.sep).join('/'));

const endpoints: EndpointSpec[] = [
  {
    // SCIM (issue 19): the learner's session cookie goes with every case and must not count.
    route: '/scim/v2/[...path]',
    as: 'learner',
    cases: scimCases,
  },
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
      const files = bundleFiles();
      const outsideBundle = fc
        .tuple(
          fc.integer({ min: 1, max: 8 }),
          fc.constantFrom('..', '%2e%2e', '.%2e', '%2E%2E'),
          fc.constantFrom('/', '%2f', '%2F', '%5c'),
          fc.constantFrom('server/entry.mjs', 'package.json', 'etc/passwd', 'manabi.db', 'client/index.html'),
        )
        .map(([depth, dots, slash, target]) => `/pagefind/${`${dots}${slash}`.repeat(depth)}${target}`);
      const missing = fc
        .tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('', '.js', '.json', '.pf_meta', '/'))
        .map(([s, ext]) => `/pagefind/zz-missing-${encodeSegment(s)}${ext}`);
      return fc.oneof(
        {
          weight: 2,
          arbitrary: fc.tuple(fc.constantFrom(...files), queryText).map(([f, q]): EndpointCase => ({ method: 'GET', path: `/pagefind/${f}${q}`, body: null, invalid: null })),
        },
        { weight: 2, arbitrary: outsideBundle.map((p): EndpointCase => ({ method: 'GET', path: p, body: null, invalid: 'outside the search bundle' })) },
        { weight: 2, arbitrary: missing.map((p): EndpointCase => ({ method: 'GET', path: p, body: null, invalid: 'no such file' })) },
        {
          weight: 1,
          arbitrary: fc
            .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
            .filter((s) => s !== '.' && s !== '..')
            .map((s): EndpointCase => ({ method: 'GET', path: `/pagefind/${encodeSegment(s)}`, body: null, invalid: files.includes(s) ? null : 'no such file' })),
        },
        { weight: 1, arbitrary: otherMethod(fc.constantFrom(...files).map((f) => `/pagefind/${f}`)) },
      );
    },
  },
  {
    route: '/admin/exports/[file]',
    as: 'admin',
    cases: (ctx) => {
      const names = [...EXPORT_NAMES.map((n) => `${n}.csv`), 'xapi.json'];
      const bom = fc.constantFrom('', '?bom=1', '?bom=0', '?bom=yes');
      return fc.oneof(
        {
          weight: 1,
          arbitrary: fc.tuple(fc.constantFrom(...names), bom).map(([n, q]): EndpointCase => ({ method: 'GET', path: `/admin/exports/${n}${q}`, body: null, invalid: null })),
        },
        {
          weight: 3,
          arbitrary: fc
            .oneof(
              fc.string({ minLength: 1, maxLength: 40 }),
              fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
              fc.constantFrom('users', 'users.CSV', 'USERS.csv', 'users.csv.bak', 'xapi', 'xapi.csv', '..%2f..%2fmanabi.db', '.csv', 'completions.json'),
            )
            // "." and ".." are dot segments: the URL itself would drop them (and name the exports page).
            .filter((n) => !names.includes(n) && n !== '.' && n !== '..')
            .map((n): EndpointCase => ({ method: 'GET', path: `/admin/exports/${encodeSegment(n).replace(/%252f/gi, '%2f')}`, body: null, invalid: 'no such export' })),
        },
        { weight: 1, arbitrary: otherMethod(fc.constantFrom(...names).map((n) => `/admin/exports/${n}`)) },
        {
          // The evidence export reads its query: any may come; a day after today is refused.
          weight: 1,
          arbitrary: fc
            .oneof(
              queryText,
              fc
                .tuple(
                  fc.constantFrom('', '1', `${ctx.departments.mine}`, 'abc', '-1'),
                  fc.constantFrom('', '2026-01-01', '2026-02-30', 'x', '2025-12-31'),
                  fc.constantFrom('', '1', '0', 'on', 'yes'),
                )
                .map(([department, asOf, inactive]) => `?${new URLSearchParams({ department, asOf, inactive, bom: inactive })}`),
            )
            .map((q): EndpointCase => ({ method: 'GET', path: `/admin/exports/evidence.csv${q}`, body: null, invalid: null })),
        },
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 1, max: 8000 })
            .map((years): EndpointCase => ({ method: 'GET', path: `/admin/exports/evidence.csv?asOf=${2100 + (years % 7000)}-01-01`, body: null, invalid: 'a day after today' })),
        },
      );
    },
  },
  {
    route: '/[...locale]/transcript.csv',
    as: 'learner',
    cases: () =>
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.constantFrom('', '/en'), queryText)
            .map(([prefix, q]): EndpointCase => ({ method: 'GET', path: `${prefix}/transcript.csv${q}`, body: null, invalid: null })),
        },
        { weight: 1, arbitrary: otherMethod(fc.constantFrom('/transcript.csv', '/en/transcript.csv')) },
      ),
  },
  {
    route: '/[...locale]/admin/users/[user]/transcript.csv',
    as: 'admin',
    cases: (ctx) => {
      const ids = [ctx.users.learner.id, ctx.users.other.id, ctx.users.inactive.id];
      const path = (prefix: string, user: string, q: string): string => `${prefix}/admin/users/${user}/transcript.csv${q}`;
      return fc.oneof(
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.constantFrom('', '/en'), fc.constantFrom(...ids), queryText)
            .map(([prefix, id, q]): EndpointCase => ({ method: 'GET', path: path(prefix, String(id), q), body: null, invalid: null })),
        },
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.constantFrom(...ids).chain(numberText), fc.constantFrom('', '/en'))
            .filter(([text]) => !/^[1-9]\d*$/.test(text))
            .map(([text, prefix]): EndpointCase => ({ method: 'GET', path: path(prefix, encodeSegment(text), ''), body: null, invalid: 'a user id not written as digits' })),
        },
        {
          weight: 1,
          arbitrary: fc
            .oneof(
              nonexistentId.map(String),
              fc.string({ minLength: 1, maxLength: 30 }).filter((t) => !/^[1-9]\d*$/.test(t) && t !== '.' && t !== '..'),
            )
            .map((user): EndpointCase => ({ method: 'GET', path: path('', encodeSegment(user), ''), body: null, invalid: 'no such user' })),
        },
        { weight: 1, arbitrary: otherMethod(fc.constantFrom(...ids).map((id) => path('', String(id), ''))) },
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
        {
          weight: 2,
          arbitrary: fc.tuple(fc.array(fc.tuple(anyName, anyText), { maxLength: 4 }), queryText).map(
            ([pairs, q]): EndpointCase => ({
              method: 'POST',
              path: `/login/oidc${q}`,
              body: new URLSearchParams(pairs.map(([k, v]) => [k, v.slice(0, 2000)])).toString(),
              invalid: 'single sign-on is off',
            }),
          ),
        },
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
          arbitrary: fc.tuple(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), queryText).map(
            ([code, state, q]): EndpointCase => ({
              method: 'GET',
              path: `/login/oidc/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}${q.replace('?', '&')}`,
              body: null,
              invalid: 'single sign-on is off',
            }),
          ),
        },
        { weight: 1, arbitrary: otherMethod(fc.constant('/login/oidc/callback')) },
      ),
  },
  {
    route: '/champion/roster.csv',
    as: 'champion',
    cases: (ctx) =>
      fc.oneof(
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('', `?department=${ctx.departments.mine}`, '?department=abc', '?department=-3', '?department=', '?bom=1')
            .map((q): EndpointCase => ({ method: 'GET', path: `/champion/roster.csv${q}`, body: null, invalid: null })),
        },
        {
          weight: 2,
          arbitrary: fc
            .oneof(fc.constant(ctx.departments.other), nonexistentId)
            .chain(numberText)
            .map((d): EndpointCase => ({ method: 'GET', path: `/champion/roster.csv?department=${encodeURIComponent(d)}`, body: null, invalid: "another department's roster" })),
        },
        { weight: 1, arbitrary: otherMethod(fc.constant('/champion/roster.csv')) },
      ),
  },
  {
    // A private calendar feed: no session, the token is the authority; none of these is one.
    route: '/calendar/[token].ics',
    as: 'anonymous',
    cases: () => {
      const token = fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        fc.string({ minLength: 1, maxLength: 80 }).filter((t) => t !== '.' && t !== '..'),
      );
      return fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .tuple(token, queryText)
            .map(([t, q]): EndpointCase => ({ method: 'GET', path: `/calendar/${encodeSegment(t)}.ics${q}`, body: null, invalid: 'no such feed' })),
        },
        { weight: 1, arbitrary: otherMethod(token.map((t) => `/calendar/${encodeSegment(t)}.ics`)) },
      );
    },
  },
  {
    route: '/calendar/assignment/[id].ics',
    as: 'learner',
    cases: () => {
      const id = fc.oneof(
        nonexistentId.map(String),
        fc.string({ minLength: 1, maxLength: 30 }).filter((t) => t !== '.' && t !== '..'),
      );
      return fc.oneof(
        {
          weight: 3,
          arbitrary: id.map(
            (i): EndpointCase => ({ method: 'GET', path: `/calendar/assignment/${encodeSegment(i)}.ics`, body: null, invalid: 'no such assignment of this learner' }),
          ),
        },
        { weight: 1, arbitrary: otherMethod(id.map((i) => `/calendar/assignment/${encodeSegment(i)}.ics`)) },
      );
    },
  },
];

fuzzFile(import.meta.url, { endpoints });
