/**
 * What a lesson page renders while its shell is built (scripts/build-shells.ts starts the built
 * server with MANABI_SHELL_BUILD=1 on a throwaway database): each slot's marker instead of the
 * user's part, and after the progress box's marker one template per shape, rendered by the real
 * component with holes for the values. The build cuts the templates out of the page.
 */
import { getPolicyCatalog } from '../policies/catalog.server.ts';
import { type PolicyNotice, policyText } from '../policies/policies.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { bannerKey } from './banner-key.ts';
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

/** At most this many notices at once get a banner template; more fall through to Astro. */
const MAX_BANNER_NOTICES = 3;

/**
 * Null on every server but the shell build's. There, after the banner's marker, the real
 * banner for every list of notices a user can have: each required policy absent, new or an
 * update, in the catalog's order (the order the banner lists them in).
 */
export async function shellBannerTemplates(locale: Locale): Promise<{ before: string; notices: PolicyNotice[]; after: string }[] | null> {
  if (!shellBuildMode()) return null;
  const required = (await getPolicyCatalog()).policies.filter((p) => p.required);
  let lists: PolicyNotice[][] = [[]];
  for (const policy of required) {
    const title = policyText(policy, locale).title;
    lists = lists.flatMap((list) =>
      list.length >= MAX_BANNER_NOTICES
        ? [list]
        : [list, [...list, { id: policy.id, version: policy.version, title, updated: false }], [...list, { id: policy.id, version: policy.version, title, updated: true }]],
    );
  }
  return lists
    .filter((list) => list.length > 0)
    .map((notices, i) => ({ before: (i === 0 ? slotMarker('policy-banner') : '') + templateStart('policy-banner', bannerKey(notices)), notices, after: TEMPLATE_END }));
}
