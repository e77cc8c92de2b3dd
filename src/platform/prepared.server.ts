/**
 * Prepared statements kept per connection: hot paths (every lesson page) run the same few
 * queries, and preparing each one anew showed up in profiles. Keyed by the connection or
 * transaction object, so a transaction's statements are prepared on it.
 */
const caches = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: object, key: string, build: () => T): T {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(key) as T | undefined;
  if (statement === undefined) {
    statement = build();
    cache.set(key, statement);
  }
  return statement;
}
