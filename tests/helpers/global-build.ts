/** Integration and end-to-end tests run against the real built server: build it once if stale. */
import { buildIfStale } from '../../src/cli/build-if-stale.ts';

export default function setup(): void {
  buildIfStale();
}
