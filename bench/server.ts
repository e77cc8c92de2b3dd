/** The measured server: the tests' server helper, in production mode. */
import { startServer, type RunningServer } from '../tests/helpers/server.ts';

export type { RunningServer };

/** Starts `src/cli/serve.ts` of `root` (this checkout by default) on a free port of 127.0.0.1. */
export function startProductionServer(options: { databasePath: string; outDir: string; root?: string }): Promise<RunningServer> {
  // At 20,000 users the start (migrate, the first request) takes longer than a test fixture's.
  return startServer({ ...options, env: { NODE_ENV: 'production' }, timeoutMs: 120_000 });
}

/** The lesson handler's shutdown tally (src/features/lesson-shell/handler.server.ts): pages from shells, and why the others went to Astro. */
export interface ShellTally {
  shell: number;
  astro: Record<string, number>;
}

/** Reads the tally from a stopped server's log; null when the server logged none (no shells, or no lesson page asked). */
export function shellTally(output: string): ShellTally | null {
  for (const line of output.split('\n').reverse()) {
    if (!line.includes('"lessonShells"')) continue;
    try {
      return (JSON.parse(line) as { lessonShells: ShellTally }).lessonShells;
    } catch {
      return null;
    }
  }
  return null;
}
