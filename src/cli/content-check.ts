/** `npm run content:check`: checks content/ (or MANABI_CONTENT_DIR) without building; exits 1 with every problem listed. */
import { checkContent } from '../features/curriculum/check.ts';
import { contentDir } from '../features/curriculum/location.ts';
import { checkPolicies } from '../features/policies/read-policies.ts';
import { exitOnConfigError, getBuildConfig } from '../platform/config.server.ts';

const dir = contentDir(exitOnConfigError(getBuildConfig, 'content:check').contentDir);
const problems = [...checkContent(dir), ...checkPolicies(dir)];
if (problems.length > 0) {
  console.error(`Content has ${problems.length} problem(s):`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log('Content ok.');
