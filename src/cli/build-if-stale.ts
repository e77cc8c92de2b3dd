/**
 * Builds the app when its output is missing or older than anything it is built from.
 * Used by `npm start` and the test setup (which also builds the fixture curriculum).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childEnv } from '../platform/config.server.ts';

const SOURCES = ['src', 'db', 'public', 'astro.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];
export const BUILD_MARKER = 'dist/server/entry.mjs';

export interface BuildOptions {
  root?: string;
  /** Output folder, relative to the root; must sit inside the project so packages resolve. */
  outDir?: string;
  /** Curriculum folder (MANABI_CONTENT_DIR); defaults to content/. */
  contentDir?: string;
}

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

export function isBuildStale({ root = process.cwd(), outDir = 'dist', contentDir = 'content' }: BuildOptions = {}): boolean {
  const marker = path.join(root, outDir, 'server', 'entry.mjs');
  if (!fs.existsSync(marker)) return true;
  const built = fs.statSync(marker).mtimeMs;
  return [...SOURCES, contentDir].some((source) => newestMtime(path.resolve(root, source)) > built);
}

export function buildIfStale(options: BuildOptions = {}): void {
  const { root = process.cwd(), outDir = 'dist', contentDir } = options;
  if (!isBuildStale(options)) return;
  // Several test runs may start at once: one builds, the others wait and then find it fresh.
  const lock = path.join(root, `${outDir.replace(/\/+$/, '')}.build-lock`);
  acquire(lock);
  try {
    if (!isBuildStale(options)) return;
    console.log(`Building Manabi into ${outDir}/ (missing or older than the sources)…`);
    const astro = path.join(root, 'node_modules', 'astro', 'bin', 'astro.mjs');
    const result = spawnSync(process.execPath, [astro, 'build', '--outDir', outDir], {
      cwd: root,
      stdio: 'inherit',
      // Always a production build: under Vitest NODE_ENV is `test`, which Vite turned into a
      // development build (import.meta.env.DEV true: the curriculum rebuilt on every request).
      env: childEnv({ NODE_ENV: 'production', ...(contentDir ? { MANABI_CONTENT_DIR: contentDir } : {}) }),
    });
    if (result.status !== 0) throw new Error('The build failed; see the messages above.');
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** A lock directory (mkdir is atomic); one left behind by a killed build expires after 10 minutes. */
function acquire(lock: string): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  // The lock sits next to the output folder, whose parent (e.g. .test-builds/) a fresh checkout lacks.
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Compared with the file system's mtime, so the real clock (not the app's, which tests may move).
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(sleeper, 0, 0, 500);
    }
  }
}

if (import.meta.main) {
  try {
    buildIfStale();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
