/**
 * The lesson page's per-learner parts below the progress box (issue 17): the feedback form and
 * the tier's results panel. The shell build renders each through its real component once per
 * key, with holes for the values (src/features/lesson-shell/shell-build.server.ts); the fast
 * handler picks the template by the same key. A key names everything that changes the markup.
 */
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
