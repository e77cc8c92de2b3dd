/**
 * Integration and end-to-end tests run against real built servers: the app with the shipped
 * curriculum (dist/) and with the small fixture curriculum (.test-builds/fixture/), each built
 * once if stale.
 */
import { buildIfStale } from '../../src/cli/build-if-stale.ts';

export const FIXTURE_OUT_DIR = '.test-builds/fixture';

export default function setup(): void {
  buildIfStale();
  buildIfStale({ outDir: FIXTURE_OUT_DIR, contentDir: 'tests/fixtures/content' });
}
