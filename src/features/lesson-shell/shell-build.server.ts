/**
 * What a lesson page renders while its shell is built (scripts/build-shells.ts starts the built
 * server with MANABI_SHELL_BUILD=1 on a throwaway database): each slot's marker instead of the
 * user's part, and after the progress box's marker one template per shape, rendered by the real
 * component with holes for the values. The build cuts the templates out of the page.
 */
import type { Catalog } from '../curriculum/catalog.ts';
import type { TierId } from '../curriculum/schemas.ts';
import { getPolicyCatalog } from '../policies/catalog.server.ts';
import { type PolicyNotice, policyText } from '../policies/policies.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import type { PracticeAnswer } from '../practice/practice.ts';
import type { SessionUser } from '../auth/session.server.ts';
import { ROLES } from '../users/roles.ts';
import { bannerKey } from './banner-key.ts';
import type { Lock } from '../progress/progress.ts';
import { type FeedbackState, feedbackKey, feedbackTemplateStates, headerKey, lockKey, possibleLocks, TRYIT_STATES, tierCompleteKey, tryItSlot } from './fragment-keys.ts';
import { hole, slotMarker } from './holes.ts';
import { PROGRESS_SHAPES, progressTemplateView, type ProgressView } from './progress-view.ts';

export const TEMPLATE_END = '<!--manabi:tpl:end-->';

export function templateStart(slot: string, shape: string): string {
  return `<!--manabi:tpl:${slot}:${shape}-->`;
}

export interface ShellBuildTemplates {
  progress: { before: string; view: ProgressView; after: string }[];
  /** The feedback form per state; its action, lesson id and comment are holes. */
  feedback: { before: string; own: FeedbackState; after: string }[];
  /** The tier's results panel per tier and next tier, with the certificate; its code and date are holes. */
  tierComplete: { before: string; tierId: TierId; nextTierId: TierId | null; certificate: { code: string; issuedAt: Date }; after: string }[];
  /** The lock notice of a locked lesson, for every lock of the catalog (it has no values of its own). */
  locks: { before: string; lock: Lock; after: string }[];
  /** The feedback form's hole values (the page's own are not used while the shells are built). */
  feedbackAction: string;
  lessonId: string;
  certificateDate: string;
}

/** Stands for a certificate in the tier panel's templates: its code is a hole, its date given as `certificateDate`. */
const TEMPLATE_CERTIFICATE = { code: hole('attr', 'certificateCode'), issuedAt: new Date(0) };

export function shellBuildMode(): boolean {
  return getConfig().shellBuild;
}

/** Null on every server but the shell build's. */
export function shellBuild(locale: Locale, catalog: Catalog): ShellBuildTemplates | null {
  if (!shellBuildMode()) return null;
  const tiers = catalog.tiers.map((t) => t.id);
  // On a lesson page the panel shows only with the certificate the completion issued.
  const tierStates = tiers.flatMap((tierId) => [null, ...tiers].map((nextTierId) => ({ tierId, nextTierId, certificate: TEMPLATE_CERTIFICATE })));
  return {
    feedback: feedbackTemplateStates().map((own, i) => ({
      before: (i === 0 ? slotMarker('feedback') : '') + templateStart('feedback', feedbackKey(own)),
      own,
      after: TEMPLATE_END,
    })),
    tierComplete: tierStates.map((state, i) => ({
      before: (i === 0 ? slotMarker('tier-complete') : '') + templateStart('tier-complete', tierCompleteKey(state.tierId, state.nextTierId, state.certificate !== null)),
      ...state,
      after: TEMPLATE_END,
    })),
    locks: possibleLocks(catalog.tiers).map((lock, i) => ({
      before: (i === 0 ? slotMarker('lock') : '') + templateStart('lock', lockKey(lock)),
      lock,
      after: TEMPLATE_END,
    })),
    feedbackAction: hole('attr', 'feedbackAction'),
    lessonId: hole('attr', 'lessonId'),
    certificateDate: hole('text', 'certificateDate'),
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

/**
 * Null on every server but the shell build's. There, after the task's marker, its answer part
 * unanswered and answered, the answer a hole (the dates are not shown).
 */
export function shellTryItTemplates(taskId: string, lessonId: string): { before: string; answer: PracticeAnswer | null; after: string }[] | null {
  if (!shellBuildMode()) return null;
  const at = new Date(0);
  return TRYIT_STATES.map((state, i) => ({
    before: (i === 0 ? slotMarker(tryItSlot(taskId)) : '') + templateStart(tryItSlot(taskId), state),
    answer: state === 'open' ? null : { lessonId, taskId, answer: hole('text', 'answer'), createdAt: at, updatedAt: at },
    after: TEMPLATE_END,
  }));
}

/**
 * Null on every server but the shell build's (and for nobody signed in). There, after the
 * header's marker, the header for every role, with and without reports ("My team"): the user's
 * name and the language switch's return address are holes.
 */
export function shellHeaderTemplates(user: SessionUser | null): { headers: { before: string; user: SessionUser; after: string }[]; localeNext: string } | null {
  if (!shellBuildMode() || user === null) return null;
  const variants = ROLES.flatMap((role) => [false, true].map((hasReports) => ({ ...user, displayName: hole('text', 'userName'), role, hasReports })));
  return {
    headers: variants.map((variant, i) => ({
      before: (i === 0 ? slotMarker('header') : '') + templateStart('header', headerKey(variant.role, variant.hasReports)),
      user: variant,
      after: TEMPLATE_END,
    })),
    localeNext: hole('attr', 'localeNext'),
  };
}
