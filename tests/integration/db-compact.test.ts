/**
 * `npm run db:compact`, the command to run when an erasure's own compaction failed: afterwards no
 * old version of a row is left in the file's free space or in its write-ahead log; it refuses
 * beside a server that holds the database and then changes nothing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDatabase } from '../../src/platform/db-lock.server.ts';
import { rawSqlite } from '../../src/platform/db.server.ts';
import { addUser, tempDb } from '../helpers/db.ts';
import { ROOT } from '../helpers/fixture.ts';

const t = tempDb();
afterAll(() => t.cleanup());

const OLD = 'Forgotten Person Zq8w';

function compact(): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, ['src/cli/db-compact.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: t.file },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

const inFile = (text: string): boolean => [t.file, `${t.file}-wal`].some((file) => fs.existsSync(file) && fs.readFileSync(file).includes(Buffer.from(text, 'utf8')));

describe('npm run db:compact', () => {
  it('leaves no old bytes in the file or its log, and refuses beside a server', async () => {
    const id = await addUser(t.db, { email: 'zq8w@example.com', name: OLD });
    for (let i = 0; i < 50; i++) await addUser(t.db, { email: `filler${i}@example.com`, name: `Filler ${i}` });
    const sqlite = rawSqlite(t.db);
    sqlite.pragma('secure_delete = 0');
    sqlite.prepare('update users set display_name = ? where id = ?').run('Pseudonym', id);
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.close();
    // the situation an erasure whose VACUUM failed leaves: the row changed, the old bytes remain
    expect(inFile(OLD)).toBe(true);

    const lock = lockDatabase(t.file, { writePid: false });
    const refused = compact();
    lock.release();
    expect(refused.status).toBe(1);
    expect(refused.out).toMatch(/db:compact: .*stop it first.*Nothing changed\./);
    expect(inFile(OLD)).toBe(true);

    const done = compact();
    expect(done.out).toMatch(/^Compacted .* bytes\.\n$/);
    expect(done.status).toBe(0);
    expect(inFile(OLD)).toBe(false);
    expect(inFile('Pseudonym')).toBe(true);
  });

  it('says so when there is no database, and creates none', () => {
    const missing = path.join(t.dir, 'none', 'manabi.db');
    const run = spawnSync(process.execPath, ['src/cli/db-compact.ts'], { cwd: ROOT, env: { ...process.env, DATABASE_PATH: missing }, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`db:compact: there is no database at ${missing}`);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
  });
});
