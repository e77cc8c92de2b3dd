/** The measured server: the tests' server helper, in production mode. */
import { startServer, type RunningServer } from '../tests/helpers/server.ts';

export type { RunningServer };

/** Starts `src/cli/serve.ts` of `root` (this checkout by default) on a free port of 127.0.0.1. */
export function startProductionServer(options: { databasePath: string; outDir: string; root?: string }): Promise<RunningServer> {
  // At 20,000 users the start (migrate, the first request) takes longer than a test fixture's.
  return startServer({ ...options, env: { NODE_ENV: 'production' }, timeoutMs: 120_000 });
}
