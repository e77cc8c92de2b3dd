/**
 * Integration and end-to-end tests run against real built servers: the app with the shipped
 * curriculum (dist/), with the small fixture curriculum (.test-builds/fixture/), and with the
 * fixture after a major and a minor lesson revision (.test-builds/fixture-revised/, see
 * fixture-revised.ts), each built once if stale.
 */
import { buildIfStale } from '../../src/cli/build-if-stale.ts';
import { FIXTURE_REVISED_CONTENT, FIXTURE_REVISED_OUT_DIR, writeRevisedFixture } from './fixture-revised.ts';

export const FIXTURE_OUT_DIR = '.test-builds/fixture';
export { FIXTURE_REVISED_OUT_DIR };

export default function setup(): void {
  // For a quick run of tests that need no server (MANABI_SKIP_BUILD=1); CI never sets it.
  if (process.env.MANABI_SKIP_BUILD === '1') return;
  buildIfStale();
  buildIfStale({ outDir: FIXTURE_OUT_DIR, contentDir: 'tests/fixtures/content' });
  writeRevisedFixture();
  buildIfStale({ outDir: FIXTURE_REVISED_OUT_DIR, contentDir: FIXTURE_REVISED_CONTENT });
}
