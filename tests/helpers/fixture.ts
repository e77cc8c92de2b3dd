/** The small fixture curriculum (tests/fixtures/content): stable ids for tests of logic and pages. */
import path from 'node:path';
import { buildCatalog, type Catalog } from '../../src/features/curriculum/catalog.ts';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURE_CONTENT = path.join(ROOT, 'tests/fixtures/content');

export function fixtureCatalog(): Catalog {
  return buildCatalog(readCorpus(FIXTURE_CONTENT, ROOT).corpus);
}
