/**
 * Fails `astro build` when the curriculum is inconsistent, naming the file: schema errors,
 * unknown course or tier references, duplicate ids, questions without a correct option,
 * quizzes or lessons whose languages disagree, policies whose languages disagree on version, date,
 * audience or being required. In `astro dev` it reports instead of failing.
 */
import type { AstroIntegration } from 'astro';
import { checkContent } from '../features/curriculum/check.ts';
import { contentDir } from '../features/curriculum/location.ts';
import { checkPolicies } from '../features/policies/read-policies.ts';
import { getBuildConfig } from '../platform/config.server.ts';

export function contentCheck(): AstroIntegration {
  return {
    name: 'manabi:content-check',
    hooks: {
      'astro:config:setup': ({ command, logger }) => {
        if (command !== 'build' && command !== 'dev') return;
        const dir = contentDir(getBuildConfig().contentDir);
        const problems = [...checkContent(dir), ...checkPolicies(dir)];
        if (problems.length === 0) {
          logger.info('content ok');
          return;
        }
        const message = `Content has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`;
        if (command === 'build') throw new Error(message);
        logger.error(message);
      },
    },
  };
}
