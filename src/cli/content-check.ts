/**
 * `npm run content:check`: checks content/ (or MANABI_CONTENT_DIR) without building and prints
 * its counts (lessons per tier and language, bank and draw per quiz, TryIt and sources per lesson);
 * exits 1 with every problem listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inspectContent } from '../features/curriculum/check.ts';
import { contentDir } from '../features/curriculum/location.ts';
import { checkPolicies } from '../features/policies/read-policies.ts';
import { contentSummary } from '../features/curriculum/summary.ts';
import { exitOnConfigError, getBuildConfig } from '../platform/config.server.ts';

const dir = contentDir(exitOnConfigError(getBuildConfig, 'content:check').contentDir);
const inspected = inspectContent(dir);
const problems = [...inspected.problems, ...checkPolicies(dir)];
const bodyOf = (file: string): string => fs.readFileSync(path.resolve(file), 'utf8').replace(/^---\r?\n[\s\S]*?\r?\n---(?:\r?\n|$)/, '');
for (const line of contentSummary(inspected.corpus, bodyOf)) console.log(line);
console.log('');
if (problems.length > 0) {
  console.error(`Content has ${problems.length} problem(s):`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log('Content ok.');
