/**
 * Issue 11, item 17: after an uncaught exception the server logs it and exits non-zero (so a
 * supervisor with Restart=on-failure starts a clean process) instead of serving on in an
 * unknown state; the next start on the same database works at once (the lock died with it).
 */
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { tempDb, type TempDb } from '../helpers/db.ts';

let t: TempDb | null = null;
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

it('logs an uncaught exception and exits with a non-zero code; a restart serves again', async () => {
  t = tempDb();
  void t.db.close();
  const preload = path.resolve(import.meta.dirname, 'fixtures/throw-on-sigusr2.mjs');
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, env: { NODE_OPTIONS: `--import=${preload}` } });
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  const exited = new Promise<number | null>((resolve) => server!.process.once('exit', (code) => resolve(code)));
  server.process.kill('SIGUSR2');
  const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 5000))]);
  expect(code, server.output().slice(-2000)).toBe(1);
  const fatal = server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } })
    .find((entry) => entry.msg.includes('uncaught exception'));
  expect(fatal?.level).toBe(60);
  expect(fatal?.err?.message).toBe('test: an exception nobody catches');

  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
});
