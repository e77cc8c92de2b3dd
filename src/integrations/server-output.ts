/**
 * Marks the built server folder as ES modules with its own package.json. Astro loads each
 * route's module with `import()` on every request, and Node then looks for the nearest
 * package.json from dist/server/chunks upwards each time; a package.json right there ends
 * that search at once (it was the single largest cost of a lesson page in the benchmark).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

export function serverOutput(): AstroIntegration {
  let serverDir = '';
  return {
    name: 'manabi:server-output',
    hooks: {
      'astro:config:done': ({ config }) => {
        serverDir = fileURLToPath(config.build.server);
      },
      'astro:build:done': () => {
        for (const dir of [serverDir, path.join(serverDir, 'chunks')]) {
          if (fs.existsSync(dir)) fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
        }
      },
    },
  };
}
