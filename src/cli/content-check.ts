/** `npm run content:check`: checks content/ (or MANABI_CONTENT_DIR) without building; exits 1 with every problem listed. */
import { checkContent } from '../lib/content/check.ts';
import { contentDir } from '../lib/content/location.ts';
import { exitOnConfigError, getBuildConfig } from '../lib/server/config.ts';

const problems = checkContent(contentDir(exitOnConfigError(getBuildConfig, 'content:check').contentDir));
if (problems.length > 0) {
  console.error(`Content has ${problems.length} problem(s):`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log('Content ok.');
