/**
 * Moving the server's clock from a test: with MANABI_CLOCK_FILE set (never in production), the
 * clock runs shifted by the offset in that file, `{"offsetMs": <number>}`, re-read whenever the
 * file changes. A test process writes the file and the spawned server sees the new time on its
 * next request. Without the file (or with an unreadable one) the offset is 0.
 */
import fs from 'node:fs';
import { setClock } from './clock.ts';

interface Cached {
  ino: number;
  mtimeMs: number;
  size: number;
  offsetMs: number;
}

function readOffset(file: string): number {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const offset = (parsed as { offsetMs?: unknown } | null)?.offsetMs;
    return typeof offset === 'number' && Number.isFinite(offset) ? offset : 0;
  } catch {
    return 0;
  }
}

let installed: string | null = null;

/**
 * Installs the file-driven clock; a no-op when `file` is null or already installed. Called by
 * src/cli/serve.ts, the CLIs and the request pipeline (harmless twice: the clock is one for every
 * copy of the module, src/platform/clock.ts).
 */
export function installClockFile(file: string | null): void {
  if (file === null || installed === file) return;
  installed = file;
  let cached: Cached | null = null;
  setClock(() => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return Date.now();
    // The file is replaced by a rename, so a new inode means a new offset even within one millisecond.
    if (!cached || cached.ino !== stat.ino || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size)
      cached = { ino: stat.ino, mtimeMs: stat.mtimeMs, size: stat.size, offsetMs: readOffset(file) };
    return Date.now() + cached.offsetMs;
  });
}

/** Writes the offset the server's clock runs at (tests). */
export function writeClockFile(file: string, offsetMs: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify({ offsetMs }));
  fs.renameSync(temp, file);
}
