import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Files about SQLite itself, left out of the `*-pg` projects: their PostgreSQL counterparts are in
 * tests/postgres/ where one exists.
 */
const SQLITE_ONLY = [
  // Two SQLite files made with VACUUM INTO and test triggers (PostgreSQL: tests/postgres/learner-writes, two-instances).
  'tests/integration/fast-posts.test.ts',
  'tests/integration/lesson-shells.test.ts',
  // SQLite's query plans, its VACUUM command, and the planning worker that opens the SQLite file (the server plans in-process on PostgreSQL).
  'tests/integration/query-plans.test.ts',
  'tests/integration/db-compact.test.ts',
  'tests/integration/notification-plan-worker.test.ts',
];

/**
 * Unit files of data functions whose rules differ most between the dialects (set-based SQL on a
 * staging table): run on PostgreSQL too, beside the integration suite.
 */
const DATA_UNIT_TESTS = ['src/features/users/import.test.ts', 'src/features/users/import-managers.test.ts'];

export default defineConfig({
  test: {
    root,
    projects: [
      {
        test: { name: 'unit', root, include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        test: {
          name: 'integration',
          root,
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-build.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'security',
          root,
          include: ['tests/security/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-build.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          root,
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-build.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
      {
        // Against a throwaway PostgreSQL cluster each file starts (tests/helpers/postgres.ts): its own
        // command, `npm run test:postgres`, which CI runs after the SQLite suites (whose build it reuses).
        test: {
          name: 'postgres',
          root,
          include: ['tests/postgres/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-build.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Slow on purpose (kill -9 cycles, 20 s of load, thousands of fuzzed bodies): its own
        // command, `npm run test:reliability`, which CI runs after `npm test`.
        test: {
          name: 'reliability',
          root,
          include: ['tests/reliability/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-build.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      // The integration suite again, on PostgreSQL (issue 18): the same
      // files, each tempDb() a copy of a migrated template on one throwaway cluster per project
      // (tests/helpers/global-postgres.ts); a test of SQLite's own file, pragmas or locks skips
      // itself there (`onPostgres`). Part of `npm run test:postgres`.
      // The security suite too: tests/security/support.ts starts its apps on a tempDb() of the
      // project's kind. (The reliability files are SQLite's own faults; PostgreSQL's are in tests/postgres/.)
      ...(['integration', 'security'] as const).map((kind) => ({
        test: {
          name: `${kind}-pg`,
          root,
          include: [`tests/${kind}/**/*.test.ts`, ...(kind === 'integration' ? DATA_UNIT_TESTS : [])],
          exclude: SQLITE_ONLY,
          globalSetup: ['tests/helpers/global-build.ts', 'tests/helpers/global-postgres.ts'],
          env: { MANABI_TEST_DATABASE: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      })),
    ],
  },
});
