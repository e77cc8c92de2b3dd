// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';
import { contentCheck } from './src/integrations/content-check.ts';

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [contentCheck(), mdx()],
  server: { port: 4321 },
  vite: {
    build: {
      rollupOptions: {
        onwarn(warning, warn) {
          // MDX modules carry Astro's "use astro:head-inject" directive; the bundler's note about it is noise.
          if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
          warn(warning);
        },
      },
    },
  },
});
