/**
 * The policies for the running server, built once from the `policies` content collection
 * (rebuilt on each request in `astro dev`, so edits show up), and their rendered bodies.
 */
import { getCollection, getEntry, render } from 'astro:content';
import { isLocale } from '../../platform/i18n/locales.ts';
import { buildPolicyCatalog, type PolicyCatalog, type PolicyEntry } from './policies.ts';

let cached: Promise<PolicyCatalog> | null = null;

export function getPolicyCatalog(): Promise<PolicyCatalog> {
  if (import.meta.env.DEV) return loadPolicyCatalog();
  cached ??= loadPolicyCatalog();
  // A failed load is not kept, so the next request tries again.
  cached.catch(() => (cached = null));
  return cached;
}

async function loadPolicyCatalog(): Promise<PolicyCatalog> {
  const entries = await getCollection('policies');
  return buildPolicyCatalog(
    entries.map((entry): PolicyEntry => {
      const [id, locale] = entry.id.split('/');
      if (!id || !isLocale(locale)) throw new Error(`Policy entry ${entry.id} is not <policy-id>/<ja|en>`);
      return { id, locale, file: entry.filePath ?? entry.id, entryId: entry.id, data: entry.data };
    }),
  );
}

type Rendered = Awaited<ReturnType<typeof render>>;
const rendered = new Map<string, Promise<Rendered | null>>();

/** The rendered MDX body of one language of a policy; kept, as it is the same for every request. */
export function renderPolicy(entryId: string): Promise<Rendered | null> {
  const known = rendered.get(entryId);
  if (known && !import.meta.env.DEV) return known;
  const loading = (async () => {
    const entry = await getEntry('policies', entryId);
    return entry ? render(entry) : null;
  })();
  loading.catch(() => rendered.delete(entryId));
  rendered.set(entryId, loading);
  return loading;
}
