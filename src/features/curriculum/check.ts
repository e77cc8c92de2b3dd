import { validateCorpus } from './corpus.ts';
import { readCorpus } from './read-corpus.ts';

/** Every problem in the curriculum at `dir`: schema errors first, then (if none) the cross-file checks. */
export function checkContent(dir: string, root: string = process.cwd()): string[] {
  const { corpus, problems } = readCorpus(dir, root);
  // Cross-file checks on half-parsed content would only repeat the schema errors.
  return problems.length > 0 ? problems : validateCorpus(corpus);
}
