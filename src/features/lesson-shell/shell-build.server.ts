/**
 * What a lesson page renders while its shell is built (scripts/build-shells.ts starts the built
 * server with MANABI_SHELL_BUILD=1 on a throwaway database): each slot's marker instead of the
 * user's part, and after the progress box's marker one template per shape, rendered by the real
 * component with holes for the values. The build cuts the templates out of the page.
 */
import { getConfig } from '../../platform/config.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { slotMarker } from './holes.ts';
import { PROGRESS_SHAPES, progressTemplateView, type ProgressView } from './progress-view.ts';

export const TEMPLATE_END = '<!--manabi:tpl:end-->';

export function templateStart(slot: string, shape: string): string {
  return `<!--manabi:tpl:${slot}:${shape}-->`;
}

export interface ShellBuildTemplates {
  progress: { before: string; view: ProgressView; after: string }[];
}

export function shellBuildMode(): boolean {
  return getConfig().shellBuild;
}

/** Null on every server but the shell build's. */
export function shellBuild(locale: Locale): ShellBuildTemplates | null {
  if (!shellBuildMode()) return null;
  return {
    progress: PROGRESS_SHAPES.map((shape, i) => ({
      before: (i === 0 ? slotMarker('progress') : '') + templateStart('progress', shape),
      view: progressTemplateView(shape, locale),
      after: TEMPLATE_END,
    })),
  };
}
