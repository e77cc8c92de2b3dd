/** `npm run content:check`: checks content/ (or MANABI_CONTENT_DIR) without building; exits 1 with every problem listed. */
import { checkContent } from '../features/curriculum/check.ts';
import { contentDir } from '../features/curriculum/location.ts';
import { exitOnConfigError, getBuildConfig } from '../platform/config.server.ts';

const problems = checkContent(contentDir(exitOnConfigError(getBuildConfig, 'content:check').contentDir));
if (problems.length > 0) {
  console.error(`Content has ${problems.length} problem(s):`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log('Content ok.');
