/**
 * Global setup of the suites run again on PostgreSQL (issue 18: the `*-pg` projects of
 * tests/vitest.config.ts, `npm run test:postgres`): one throwaway cluster for the run and a
 * template database with the migrations applied; each `tempDb()` is then a copy of the template
 * (`createdb -T`, tests/helpers/db.ts), so a test file starts from a fresh database as on SQLite.
 */
import type { TestProject } from 'vitest/node';
import { openPostgres, postgresReady } from '../../src/platform/postgres.server.ts';
import { startPostgres } from './postgres.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** `postgres://…/<template>` of this run's cluster; '' when the suite runs on SQLite. */
    postgresTemplateUrl: string;
  }
}

export const TEMPLATE_DATABASE = 'manabi_template';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Servers (a pool of 10 each) and the tests' own handles, two files at a time.
  const cluster = await startPostgres({ database: TEMPLATE_DATABASE, maxConnections: 400 });
  const db = openPostgres({ url: cluster.url, poolSize: 1, connectTimeoutMs: 10_000, idleTimeoutMs: 1000, statementTimeoutMs: 0 });
  try {
    await postgresReady(db);
  } finally {
    await db.close();
  }
  project.provide('postgresTemplateUrl', cluster.url);
  return () => cluster.stop();
}
