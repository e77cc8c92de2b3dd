/**
 * db:copy keeps the figures (issue 18, tests): the bench's organisation generator makes 20,000
 * users with their progress, attempts and roll-ups in SQLite; `db:copy` moves them into
 * PostgreSQL; the same build served from each database shows the admin's dashboard and a
 * champion's view with the same figures, in both languages, and again after the roll-ups were
 * rebuilt on PostgreSQL by `npm run db:rebuild-rollups` (its rebuild agrees with SQLite's incremental roll-ups).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrganisation } from '../../bench/organisation.ts';
import { copySqliteToPostgres } from '../../src/platform/db-copy.server.ts';
import { openDatabase, rawSqlite } from '../../src/platform/db.server.ts';
import { tempDir } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, signIn } from '../helpers/http.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';

const run = promisify(execFile);
const USERS = 20_000;
const DEPARTMENTS = 40;
const PASSWORD = 'bench password 1';
const PAGES = ['/admin', '/en/admin', '/champion', '/en/champion'];

let cluster: PostgresCluster;
let dir: string;
let sqliteServer: RunningServer;
let postgresServer: RunningServer;
let people: { adminEmail: string; championEmail: string };

beforeAll(async () => {
  dir = tempDir('manabi-copy-');
  const file = path.join(dir, 'manabi.db');
  const source = openDatabase(file);
  people = await generateOrganisation(source, fixtureCatalog(), { users: USERS, departments: DEPARTMENTS, attemptsPerUser: 3 }, PASSWORD, 'Asia/Tokyo');
  rawSqlite(source).pragma('wal_checkpoint(TRUNCATE)');
  await source.close();
  cluster = await startPostgres();
  await copySqliteToPostgres({ from: file, to: cluster.url });
  [sqliteServer, postgresServer] = await Promise.all([
    startServer({ databasePath: file, outDir: FIXTURE_OUT_DIR, timeoutMs: 120_000 }),
    startServer({ databasePath: path.join(dir, 'unused.db'), outDir: FIXTURE_OUT_DIR, env: { DATABASE_URL: cluster.url }, timeoutMs: 120_000 }),
  ]);
}, 600_000);

afterAll(async () => {
  await sqliteServer?.stop();
  await postgresServer?.stop();
  await cluster?.stop();
});

/**
 * What a page shows, without what differs per request or per database by design: the CSP nonce,
 * the form tokens, the session's own ids, and the moment it was rendered.
 */
function figures(html: string): string {
  return html
    .replace(/nonce="[^"]*"/g, 'nonce=""')
    .replace(/name="(_csrf|_token|token)" value="[^"]*"/g, 'name="$1" value=""')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'T')
    .replace(/\d{1,2}:\d\d(:\d\d)?/g, 'HH:MM');
}

async function pages(server: RunningServer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [who, email] of [
    ['admin', people.adminEmail],
    ['champion', people.championEmail],
  ] as const) {
    const { cookie } = await signIn(server.url, email, PASSWORD);
    expect(cookie, `${who} signed in on ${server.url}`).toBeTruthy();
    for (const page of PAGES.filter((p) => p.includes(who))) {
      const response = await get(server.url, page, cookie);
      expect(response.status, page).toBe(200);
      out[page] = figures(await response.text());
    }
  }
  return out;
}

/** The first place two pages differ, with some context, for a readable failure. */
function firstDifference(a: string, b: string): string | null {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: SQLite …${a.slice(Math.max(0, i - 120), i + 120)}… PostgreSQL …${b.slice(Math.max(0, i - 120), i + 120)}…`;
}

describe(`db:copy of a ${USERS.toLocaleString('en')}-user organisation`, () => {
  it('shows the same dashboard and champion figures on PostgreSQL as on SQLite, also after a rebuild there', async () => {
    const expected = await pages(sqliteServer);
    const copied = await pages(postgresServer);
    for (const page of PAGES) expect(firstDifference(expected[page]!, copied[page]!), page).toBeNull();
    // The rebuild as an operator runs it on PostgreSQL (this process holds SQLite's tables).
    const rebuilt0 = await run(process.execPath, ['src/cli/db-rebuild-rollups.ts'], {
      env: { ...process.env, DATABASE_URL: cluster.url, MANABI_CONTENT_DIR: 'tests/fixtures/content', LOG_LEVEL: 'warn' },
      timeout: 240_000,
    });
    expect(rebuilt0.stdout).toMatch(/^Rebuilt the roll-ups of PostgreSQL 127\.0\.0\.1:\d+\/manabi_test in \d+ ms\.$/m);
    const rebuilt = await pages(postgresServer);
    for (const page of PAGES) expect(firstDifference(expected[page]!, rebuilt[page]!), `${page} after the rebuild`).toBeNull();
  }, 300_000);
});
