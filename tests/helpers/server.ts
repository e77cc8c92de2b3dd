/** Starts the built server (dist/server/entry.mjs) on a free port against a given database file. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

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
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_PATH: options.databasePath,
      SEARCH_INDEX_DIR: path.resolve(root, outDir, 'search', 'pagefind'),
      MANABI_DIST: outDir,
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
