/**
 * The policy banner's templates in a shell (issue 17) are keyed by the notices they show: which
 * policies, in which version, and whether each is an update. The banner holds nothing else
 * that varies, so a key names one exact render of the real component.
 */
import type { PolicyNotice } from '../policies/policies.ts';

export function bannerKey(notices: readonly PolicyNotice[]): string {
  return notices.map((n) => `${n.id}@${n.version}${n.updated ? '+' : ''}`).join(' ');
}
