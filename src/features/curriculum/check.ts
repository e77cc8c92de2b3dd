import type { RawCorpus } from './corpus.ts';
import { validateCorpus } from './corpus.ts';
import { readCorpus } from './read-corpus.ts';

/** The curriculum at `dir` as read, with every problem: schema errors first, then (if none) the cross-file checks. */
export function inspectContent(dir: string, root: string = process.cwd()): { corpus: RawCorpus; problems: string[] } {
  const { corpus, problems } = readCorpus(dir, root);
  // Cross-file checks on half-parsed content would only repeat the schema errors.
  return { corpus, problems: problems.length > 0 ? problems : validateCorpus(corpus) };
}

/** Every problem in the curriculum at `dir`. */
export function checkContent(dir: string, root: string = process.cwd()): string[] {
  return inspectContent(dir, root).problems;
}
