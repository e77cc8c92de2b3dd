/**
 * The lesson page's per-learner parts below the progress box (issue 17): the feedback form and
 * the tier's results panel. The shell build renders each through its real component once per
 * key, with holes for the values (src/features/lesson-shell/shell-build.server.ts); the fast
 * handler picks the template by the same key. A key names everything that changes the markup.
 */
import type { Lock } from '../progress/progress.ts';
import { hole } from './holes.ts';

/** What the feedback form depends on (OwnFeedback of src/features/feedback/feedback.server.ts). */
export type FeedbackState = { kind: 'none' } | { kind: 'anonymous' } | { kind: 'named'; feedback: { rating: number; comment: string | null } };

export const RATINGS = [1, 2, 3, 4, 5] as const;

export function feedbackKey(own: FeedbackState): string {
  return own.kind === 'named' ? `named-${own.feedback.rating}` : own.kind;
}

/** Every feedback state a template is rendered for: the comment is a hole. */
export function feedbackTemplateStates(): FeedbackState[] {
  return [{ kind: 'none' }, { kind: 'anonymous' }, ...RATINGS.map((rating): FeedbackState => ({ kind: 'named', feedback: { rating, comment: hole('text', 'comment') } }))];
}

/** The hole values of a feedback state, by hole name. */
export function feedbackHoles(own: FeedbackState, action: string, lessonId: string): Record<string, string> {
  return { feedbackAction: action, lessonId, comment: own.kind === 'named' ? (own.feedback.comment ?? '') : '' };
}

/** The tier's results panel: which tier, the next one open, and whether the certificate is there. */
export function tierCompleteKey(tierId: string, nextTierId: string | null, issued: boolean): string {
  return `${tierId}@${nextTierId ?? ''}@${issued ? 'issued' : 'pending'}`;
}

/** A practice task's slot in the lesson body (one per `<TryIt id>`). */
export function tryItSlot(taskId: string): string {
  return `tryit-${taskId}`;
}

export const TRYIT_STATES = ['open', 'answered'] as const;

/** The header's template: its section links follow the role, and "My team" whether anyone reports to the user. */
export function headerKey(role: string, hasReports: boolean): string {
  return hasReports ? `${role}+team` : role;
}

/** The lock notice: what to finish first (a tier's required tiers, or a course's prerequisites), in the catalog's order. */
export function lockKey(lock: Lock): string {
  return `${lock.kind}@${lock.ids.join('+')}`;
}

/** Above this many required tiers or prerequisites, only the single ones and the whole list get a notice template; others go to Astro. */
const MAX_LOCK_SUBSET = 4;

/**
 * Every lock a learner can meet: for each tier, the non-empty lists of its required tiers still
 * missing, and for each course the same of its prerequisites, in the order progress.ts keeps them.
 */
export function possibleLocks(tiers: readonly { requires: readonly string[]; courses: readonly { prerequisites: readonly string[] }[] }[]): Lock[] {
  const lists = (ids: readonly string[]): string[][] => {
    if (ids.length === 0) return [];
    if (ids.length > MAX_LOCK_SUBSET) return [...ids.map((id) => [id]), [...ids]];
    const out: string[][] = [];
    for (let mask = 1; mask < 1 << ids.length; mask++) out.push(ids.filter((_, i) => mask & (1 << i)));
    return out;
  };
  const seen = new Map<string, Lock>();
  const add = (lock: Lock): void => {
    if (!seen.has(lockKey(lock))) seen.set(lockKey(lock), lock);
  };
  for (const tier of tiers) {
    for (const ids of lists(tier.requires)) add({ kind: 'tier', ids } as Lock);
    for (const course of tier.courses) for (const ids of lists(course.prerequisites)) add({ kind: 'course', ids });
  }
  return [...seen.values()];
}
