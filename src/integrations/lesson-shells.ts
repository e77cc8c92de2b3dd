/**
 * After every build, its lesson shells (scripts/build-shells.ts, issue 17): `npm run build`, the
 * test setup's builds and `npm start` all get them. Rendered by the built server itself, so the
 * shells are the pages this build serves.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

export function lessonShells(): AstroIntegration {
  let root = '';
  let outDir = '';
  return {
    name: 'manabi:lesson-shells',
    hooks: {
      'astro:config:done': ({ config }) => {
        root = fileURLToPath(config.root);
        outDir = path.relative(root, fileURLToPath(config.outDir));
      },
      'astro:build:done': ({ logger }) => {
        const result = spawnSync(process.execPath, ['scripts/build-shells.ts', '--outDir', outDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
        if (result.status !== 0) throw new Error('The lesson shells could not be built; see the messages above.');
        logger.info(result.stdout.trim());
      },
    },
  };
}
