/**
 * Reporting lines (users.manager_id) as pure logic: whether giving someone a manager would make
 * a cycle (A reports to B who reports, somewhere up the chain, to A). The admin page and the
 * users CSV import ask this; SCIM writes whatever the directory says (last write wins), so a
 * walk must also stop on a cycle it finds above the person and on a chain longer than any company.
 */

/** More levels than any real organisation: a walk that reaches it stops (treated as a cycle). */
export const MAX_CHAIN = 1000;

/**
 * The cycle that `person` reporting to `manager` would close, as the chain from the person back
 * to themself (`[a, b, c, a]`), or null when there is none. `managerOf` answers the reporting
 * line as it would be after the change for everyone else. A loop above the person that does not
 * come back to them is not theirs to answer for: the walk stops there.
 */
export function reportingCycle<K>(person: K, manager: K, managerOf: (key: K) => K | null, limit = MAX_CHAIN): K[] | null {
  const chain: K[] = [person];
  const seen = new Set<K>([person]);
  let current: K | null = manager;
  for (let steps = 0; current !== null && steps < limit; steps++) {
    chain.push(current);
    if (current === person) return chain;
    if (seen.has(current)) return null;
    seen.add(current);
    current = managerOf(current);
  }
  // Longer than any company: refuse it as if it were a cycle rather than walk on.
  return current === null ? null : chain;
}

/** A chain for a message: whole when short, its ends around an ellipsis when long. */
export function chainText(chain: readonly string[]): string {
  const shown = chain.length > 8 ? [...chain.slice(0, 4), '…', ...chain.slice(-2)] : chain;
  return shown.join(' → ');
}
