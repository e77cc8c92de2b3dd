/** Starts the built server (dist/server/entry.mjs) on a free port against a given database file. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { writeClockFile } from '../../src/platform/clock.server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The environment that points a server or a command-line tool at a tempDb's database. */
export function databaseEnv(file: string): Record<string, string> {
  return file.startsWith('postgres://') ? { DATABASE_URL: file } : { DATABASE_PATH: file };
}

export interface RunningServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  /** Waits (bounded) until the output matches, e.g. what a server prints after it listens. */
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The content folder of each test build (global-build.ts), for what the server reads from the folder at run time. */
const CONTENT_OF_BUILD: Record<string, string> = {
  '.test-builds/fixture': 'tests/fixtures/content',
  '.test-builds/fixture-revised': '.test-builds/fixture-revised-content',
};

/** Spawns `node <script>` from the project root and waits until it prints that it is listening. */
export async function startServer(options: {
  databasePath: string;
  env?: Record<string, string>;
  script?: string;
  /** Build output to serve, relative to `root`: `dist` (shipped curriculum) or `.test-builds/fixture`. */
  outDir?: string;
  /** The checkout to run the server from (bench/compare.ts runs two); this project by default. */
  root?: string;
  timeoutMs?: number;
  /** A port chosen in advance (when the address must be known before start, e.g. for OIDC). */
  port?: number;
  /** MANABI_CLOCK_FILE: the server's clock runs shifted by the offset in this file (`moveClock`). */
  clockFile?: string;
}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const outDir = options.outDir ?? 'dist';
  const root = options.root ?? ROOT;
  const child = spawn(process.execPath, [options.script ?? 'src/cli/serve.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      // Suites sign in many times from one address; the throttling tests pass their own limits.
      SIGNIN_IP_PER_MINUTE: '100000',
      SIGNIN_ACCOUNT_PER_MINUTE: '100000',
      ...options.env,
      ...(options.clockFile ? { MANABI_CLOCK_FILE: options.clockFile } : {}),
      HOST: '127.0.0.1',
      PORT: String(port),
      // A tempDb() on PostgreSQL (the `*-pg` projects) is a URL: the server's DATABASE_URL.
      ...databaseEnv(options.databasePath),
      SEARCH_INDEX_DIR: path.resolve(root, outDir, 'search', 'pagefind'),
      MANABI_DIST: outDir,
      // The curriculum the build was made from: the notification scheduler reads it from the folder.
      ...(CONTENT_OF_BUILD[outDir] && !options.env?.MANABI_CONTENT_DIR ? { MANABI_CONTENT_DIR: CONTENT_OF_BUILD[outDir] } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), options.timeoutMs ?? 30_000);
    const check = (): void => {
      if (/listening on/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    waitForOutput: async (pattern, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`output never matched ${pattern}:\n${output}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return output;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const DAY_MS = 86_400_000;

/**
 * A new clock file in `dir` that makes every process started with it read `iso` as "now" (and
 * time flowing from there): for tests whose fixtures hold fixed dates, so that they do not change
 * meaning as the real calendar passes them.
 */
export function pinnedClockFile(dir: string, iso: string): string {
  const file = path.join(dir, 'clock.json');
  writeClockFile(file, Date.parse(iso) - Date.now());
  return file;
}

/** The offset a clock file holds (0 when there is none yet). */
export function clockOffset(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const { offsetMs } = JSON.parse(fs.readFileSync(file, 'utf8')) as { offsetMs: number };
  return offsetMs;
}

/**
 * Moves the clock of every process started with this `clockFile` (the server, a CLI) by `days`
 * (fractions allowed; negative goes back), from where it stands; they see it on their next read.
 * Returns the new offset in milliseconds.
 */
export function moveClock(file: string, days: number): number {
  const offsetMs = clockOffset(file) + Math.round(days * DAY_MS);
  writeClockFile(file, offsetMs);
  return offsetMs;
}
