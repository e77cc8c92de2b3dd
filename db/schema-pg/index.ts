/**
 * The PostgreSQL mirror of the Drizzle schema in `db/schema/` (issue 18): the same tables,
 * columns, constraints and indexes, one file per feature, with PostgreSQL types. Migrations in
 * `db/migrations/postgres/` are generated from it with `npm run db:generate:postgres`; never edit
 * them by hand (the custom ones, e.g. the audit log's triggers, come from `--custom`).
 * `tests/unit/schema-drift.test.ts` fails when the two schemas differ; change both together.
 * The row types and enum constants stay in `db/schema/` (one definition for both).
 */
export * from './users.ts';
export * from './auth.ts';
export * from './progress.ts';
export * from './feedback.ts';
export * from './practice.ts';
export * from './quiz.ts';
export * from './programme.ts';
export * from './kpi.ts';
export * from './exports.ts';
export * from './platform.ts';
export * from './policies.ts';
export * from './notifications.ts';
