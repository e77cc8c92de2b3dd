/**
 * The command line as an admin uses it: real processes, a real SQLite file, the real build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { departments, users } from '../../db/schema/index.ts';
import { openDatabase, rawDrizzle } from '../../src/platform/db.server.ts';
import { verifyPassword } from '../../src/features/auth/password.server.ts';
import { eraseUserPersonalData } from '../../src/features/users/erasure.server.ts';
import { erasedEmail } from '../../src/features/users/erasure.ts';
import { addUser, tempDir } from '../helpers/db.ts';
import { get, signIn } from '../helpers/http.ts';
import { startServer } from '../helpers/server.ts';
import { nodeVersionProblem } from '../../scripts/require-node.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

let dir: string;
let dbFile: string;
beforeEach(() => {
  dir = tempDir();
  dbFile = path.join(dir, 'manabi.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_PATH: dbFile, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function readTables() {
  const db = openDatabase(dbFile);
  try {
    return { users: await rawDrizzle(db).select().from(users), departments: await rawDrizzle(db).select().from(departments) };
  } finally {
    void db.close();
  }
}

describe('npm run users:import', () => {
  it('imports nothing when one row is bad, and names the row and the reason', async () => {
    const csv = path.join(dir, 'users.csv');
    fs.writeFileSync(csv, 'email,name,department,role\nok@example.com,OK,営業部,learner\nbad@,Bad,営業部,learner\n');
    const result = run('src/cli/users-import.ts', [csv]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('nothing was imported');
    expect(result.stderr).toContain('line 3: bad email "bad@"');
    expect(await readTables()).toEqual({ users: [], departments: [] });
  });

  it('imports a good file and reports what it did', async () => {
    const csv = path.join(dir, 'users.csv');
    fs.writeFileSync(csv, 'email,name,department,role\na@example.com,A,営業部,learner\nb@example.com,B,人事部,champion\n');
    const result = run('src/cli/users-import.ts', [csv]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('created 2, updated 0');
    expect((await readTables()).users.map((u) => u.email)).toEqual(['a@example.com', 'b@example.com']);
  });

  it('says clearly when the file is missing', () => {
    const result = run('src/cli/users-import.ts', [path.join(dir, 'missing.csv')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot read .*missing\.csv: ENOENT/);
  });
});

describe('npm run user:create', () => {
  it('creates an admin (and the department) with a password from stdin', async () => {
    const result = run(
      'src/cli/user-create.ts',
      ['--email', 'Boss@Example.com', '--name', '山田 太郎', '--department', '情報システム部', '--role', 'admin', '--password-stdin'],
      'a long passphrase\n',
    );
    expect(result.status, result.stderr).toBe(0);
    const { users: list, departments: deps } = await readTables();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ email: 'boss@example.com', role: 'admin', displayName: '山田 太郎' });
    expect(deps.map((d) => d.name)).toEqual(['情報システム部']);
    expect(await verifyPassword(list[0]!.passwordHash!, 'a long passphrase')).toBe(true);
    expect(result.stdout).not.toContain('a long passphrase');
  });

  it('generates and prints a password once when none is given', async () => {
    const result = run('src/cli/user-create.ts', ['--email', 'a@example.com', '--name', 'A', '--department', '営業部']);
    expect(result.status, result.stderr).toBe(0);
    const password = /Password \(shown once.*\): (\S+)/.exec(result.stdout)?.[1];
    expect(password).toHaveLength(20);
    expect(await verifyPassword((await readTables()).users[0]!.passwordHash!, password!)).toBe(true);
  });

  it('refuses bad input and changes nothing', async () => {
    expect(run('src/cli/user-create.ts', ['--email', 'nope', '--name', 'A', '--department', 'X']).stderr).toContain('not a valid email');
    expect(run('src/cli/user-create.ts', ['--email', 'a@example.com', '--name', 'A', '--department', 'X', '--role', 'boss']).stderr).toContain('unknown role');
    expect(run('src/cli/user-create.ts', ['--email', 'a@example.com', '--name', 'A', '--department', 'X', '--password-stdin'], 'short').stderr).toContain('at least 8');
    expect((await readTables()).users).toEqual([]);
  });
});

describe('npm run user:password', () => {
  it('refuses an erased user, whose placeholder address still finds the row', async () => {
    const db = openDatabase(dbFile);
    const admin = await addUser(db, { email: 'ada@example.com', role: 'admin', department: 'IT' });
    const gone = await addUser(db, { email: 'gone@example.com', password: 'their old password' });
    expect((await eraseUserPersonalData(db, { actor: { id: admin, email: 'ada@example.com' }, ip: null }, gone, 'gone@example.com')).ok).toBe(true);
    const placeholder = erasedEmail((await rawDrizzle(db).select().from(users)).find((u) => u.id === gone)!.publicId);
    void db.close();

    const result = run('src/cli/user-password.ts', ['--email', placeholder, '--password-stdin'], 'a brand new password\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/personal data was erased/);
    expect((await readTables()).users.find((u) => u.id === gone)!.passwordHash).toBeNull();
  });
});

describe('npm run build', () => {
  it('fails on a dangling course reference and names the file', () => {
    const content = path.join(dir, 'content');
    fs.cpSync(path.join(ROOT, 'tests/fixtures/content'), content, { recursive: true });
    const lesson = path.join(content, 'lessons/ja/basic-ai-essentials/safe-use-basics.mdx');
    fs.writeFileSync(lesson, fs.readFileSync(lesson, 'utf8').replace('course: basic-ai-essentials', 'course: missing-course'));
    const result = spawnSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build', '--outDir', path.join(dir, 'dist')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, MANABI_CONTENT_DIR: content },
    });
    expect(result.status).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain('lessons/ja/basic-ai-essentials/safe-use-basics.mdx: course "missing-course" does not exist');
    // The config is read before the content: no warning about syntax highlighting under the CSP.
    expect(output).not.toMatch(/Shiki|\[WARN\] \[config\]/);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});

describe('npm start on an old Node.js', () => {
  it('names the version needed, the version found and the README section, in one line', () => {
    expect(nodeVersionProblem('v24.1.0')).toBeNull();
    expect(nodeVersionProblem('v22.12.0')).toBeNull();
    const problem = nodeVersionProblem('v20.20.2');
    expect(problem).toContain('22.12');
    expect(problem).toContain('v20.20.2');
    expect(problem).toContain('README.md');
    expect(nodeVersionProblem('v22.11.9')).not.toBeNull();
  });

  it.skipIf(!fs.existsSync('/usr/bin/node') || !/^v(1\d|20|21)\./.test(spawnSync('/usr/bin/node', ['-v']).stdout?.toString() ?? ''))(
    'stops before any TypeScript is loaded when npm start runs on the system Node.js 20',
    () => {
      const result = spawnSync('/usr/bin/node', ['scripts/require-node.mjs'], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('Node.js 22.12 or newer');
      expect(result.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    },
  );
});

describe('npm start', () => {
  it('migrates, seeds a demo organisation once, prints credentials that sign in', async () => {
    const server = await startServer({ databasePath: dbFile, script: 'src/cli/start.ts' });
    try {
      // The accounts come last, boxed, after the build log and the listening line.
      const output = await server.waitForOutput(/┘/);
      expect(output.indexOf('shown once')).toBeGreaterThan(output.search(/listening on/i));
      expect(output.trimEnd().endsWith('┘'), output).toBe(true);
      const learner = /learner\s+(\S+@\S+)\s+(\S+)/.exec(output);
      expect(learner, output).not.toBeNull();
      expect(output).toMatch(/champion\s+\S+@\S+\s+\S+/);
      expect(output).toMatch(/admin\s+\S+@\S+\s+\S+/);
      const { cookie } = await signIn(server.url, learner![1]!, learner![2]!);
      expect(cookie).not.toBeNull();
      const home = await get(server.url, '/home', cookie);
      expect(home.status).toBe(200);
    } finally {
      await server.stop();
    }
    // a second start finds users and does not seed again
    const again = await startServer({ databasePath: dbFile, script: 'src/cli/start.ts' });
    await again.stop();
    expect(again.output()).not.toContain('Seeded');
    expect((await readTables()).users).toHaveLength(3);
  });

  it('never seeds demo users with NODE_ENV=production', async () => {
    const server = await startServer({ databasePath: dbFile, script: 'src/cli/start.ts', env: { NODE_ENV: 'production' } });
    await server.stop();
    expect(server.output()).not.toContain('Seeded');
    expect((await readTables()).users).toEqual([]);
  });
});
