import { defineConfig } from 'drizzle-kit';

// The PostgreSQL schema and its own migration history (issue 18); `drizzle.config.ts` is SQLite's.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema-pg/index.ts',
  out: './db/migrations/postgres',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost/manabi' },
});
