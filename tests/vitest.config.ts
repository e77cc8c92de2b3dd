import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

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
    ],
  },
});
