/**
 * The SQLite tables of Manabi (feature code imports `db/schema/index.ts`, which hands it these
 * or PostgreSQL's). The one Drizzle schema for Manabi: one file per feature, all re-exported here (import this
 * file, `db/schema/index.ts`). Migrations in `db/migrations/` are generated from it with
 * `npm run db:generate` and applied on start; never edit them by hand.
 *
 * Conventions: timestamps are integer Unix milliseconds (UTC); content ids (lesson, quiz,
 * question, option) are the stable ids from `content/`, shared by both languages, so
 * progress never depends on the reading language. Later features add tables; they do not
 * change these.
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
export * from './scim.ts';
export type { Locale } from '../../src/platform/i18n/locales.ts';
