/** A late-bound stand-in for a value that depends on the moment it is used (postgres.server.ts `prepared`). */

/**
 * A stand-in for `resolve()`'s value at `path` (a statement, or a bundle of them): each property
 * read and each call resolves it again, so a method runs on what `resolve` answers at call time.
 */
export function deferred(resolve: () => unknown, path: readonly PropertyKey[]): object {
  const at = (): unknown => path.reduce((value: unknown, key) => (value as Record<PropertyKey, unknown>)[key], resolve());
  return new Proxy(
    {},
    {
      get(_, prop) {
        const value = (at() as Record<PropertyKey, unknown>)[prop];
        if (typeof value === 'function') {
          return (...args: unknown[]) => {
            const owner = at() as Record<PropertyKey, (...a: unknown[]) => unknown>;
            return owner[prop]!(...args);
          };
        }
        return value !== null && typeof value === 'object' ? deferred(resolve, [...path, prop]) : value;
      },
    },
  );
}
