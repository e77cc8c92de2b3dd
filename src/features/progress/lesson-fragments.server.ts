/**
 * SPIKE (issue 17, /work/wt/SHELLS.md): the lesson page's per-user parts rendered outside a page,
 * through Astro's Container API, by the same components the page uses. Imported by the middleware
 * so Astro's build bundles the components with the server; the front server, which loads the
 * build with `import()`, reaches the renderer through a global symbol (a spike shortcut: the real
 * form is an extra entry of the server build).
 */
import { experimental_AstroContainer } from 'astro/container';
import type { ComponentProps } from 'astro/types';
import type { Locale } from '../../platform/i18n/locales.ts';
import { translator } from '../../platform/i18n/index.ts';
import ProgressBox from './ProgressBox.astro';

export type ProgressBoxProps = ComponentProps<typeof ProgressBox>;

export interface LessonFragments {
  progressBox(props: ProgressBoxProps, locale: Locale): Promise<string>;
}

const REGISTRY = Symbol.for('manabi.lessonFragments');

/**
 * Astro 7.3.5's container adds a route to its manifest on every render and scans that list on
 * the next (memory and time grow per call), so a container serves a bounded number of renders.
 */
const RENDERS_PER_CONTAINER = 256;

let container: Promise<experimental_AstroContainer> | null = null;
let renders = 0;

async function progressBox(props: ProgressBoxProps, locale: Locale): Promise<string> {
  if (container === null || ++renders > RENDERS_PER_CONTAINER) {
    container = experimental_AstroContainer.create();
    renders = 1;
  }
  const c = await container;
  return c.renderToString(ProgressBox, { props, locals: { locale, t: translator(locale) } as unknown as App.Locals, partial: true });
}

/** The renderer, as the front server finds it once the build's middleware is loaded; null before. */
export function lessonFragments(): LessonFragments | null {
  return ((globalThis as Record<symbol, unknown>)[REGISTRY] as LessonFragments | undefined) ?? null;
}

(globalThis as Record<symbol, unknown>)[REGISTRY] = { progressBox } satisfies LessonFragments;
