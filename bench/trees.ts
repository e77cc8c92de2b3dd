/**
 * Private copies of the two trees bench/compare.ts measures, so that building and serving them
 * never writes into the checkouts given: a checkout's files as they are on disk (tracked and
 * untracked, not ignored), or a commit of this repository; node_modules linked package by package.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './config.ts';

export interface Tree {
  /** Where the copy is: build and serve here. */
  dir: string;
  /** What was copied, for the report: a path or a ref, its commit, and whether it had changes. */
  source: string;
  commit: string;
  dirty: boolean;
}

/** node_modules entries that builds write (caches): real folders in the copy, never links. */
const WRITTEN_BY_BUILDS = new Set(['.astro', '.astro-content', '.vite', '.cache']);

const git = (cwd: string, args: string[], input?: Buffer): Buffer =>
  // --no-optional-locks: reading a checkout must not refresh (write) its index.
  execFileSync('git', ['--no-optional-locks', ...args], { cwd, input, maxBuffer: 512 * 1024 * 1024 });

/** `spec` is a directory (a git checkout) or a commit-ish of this repository (e.g. `main~3`). */
export function copyTree(spec: string, into: string): Tree {
  fs.rmSync(into, { recursive: true, force: true });
  fs.mkdirSync(into, { recursive: true });
  if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) {
    const checkout = fs.realpathSync(spec);
    const commit = git(checkout, ['rev-parse', 'HEAD']).toString().trim();
    const dirty = git(checkout, ['status', '--porcelain']).length > 0;
    const files = git(checkout, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']).toString().split('\0').filter(Boolean);
    for (const file of files) {
      const from = path.join(checkout, file);
      if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) continue; // deleted, or a submodule
      fs.mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
      fs.copyFileSync(from, path.join(into, file));
    }
    linkModules(path.join(checkout, 'node_modules'), path.join(into, 'node_modules'));
    return { dir: into, source: checkout, commit, dirty };
  }
  let commit: string;
  try {
    commit = git(ROOT, ['rev-parse', '--verify', '--quiet', `${spec}^{commit}`])
      .toString()
      .trim();
  } catch {
    throw new Error(`${spec} is neither a directory nor a commit of ${ROOT}`);
  }
  execFileSync('tar', ['-x', '-C', into], { input: git(ROOT, ['archive', commit]) });
  // A commit has no node_modules of its own: this checkout's (the lockfiles may differ; the report says so).
  linkModules(path.join(ROOT, 'node_modules'), path.join(into, 'node_modules'));
  return { dir: into, source: `${spec} (node_modules of ${ROOT})`, commit, dirty: false };
}

function linkModules(from: string, to: string): void {
  if (!fs.existsSync(from)) throw new Error(`${from} is missing: run npm ci in that checkout first`);
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from)) {
    if (WRITTEN_BY_BUILDS.has(entry)) continue;
    fs.symlinkSync(path.join(from, entry), path.join(to, entry));
  }
}
