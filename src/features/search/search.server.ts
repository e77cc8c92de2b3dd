/**
 * Full-text search over the lessons with the Pagefind index built at `astro build`.
 * The search page works without JavaScript: the server runs Pagefind's own search code in a
 * worker thread, where `fetch` reads the private bundle from disk (so nothing global in the
 * server process is patched). With JavaScript the browser uses the same bundle directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Locale } from '../../platform/i18n/locales.ts';
import { getConfig } from '../../platform/config.server.ts';

export function searchBundleDir(): string {
  return path.resolve(getConfig().searchIndexDir);
}

export function searchAvailable(): boolean {
  return fs.existsSync(path.join(searchBundleDir(), 'pagefind.js'));
}

export interface SearchHit {
  url: string;
  title: string;
  course: string | null;
  /** Pagefind's excerpt, with the matched words wrapped in <mark>. Render through `excerptParts`. */
  excerpt: string;
}

/** Runs inside the worker: Pagefind's browser module with a file-backed fetch and a language per instance. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const BASE = 'http://pagefind.invalid/pagefind/';
globalThis.fetch = async (input) => {
  const url = typeof input === 'string' ? input : input.url;
  if (!url.startsWith(BASE)) throw new Error('blocked fetch ' + url);
  const file = path.join(workerData.dir, path.normalize(decodeURIComponent(url.slice(BASE.length).split('?')[0])));
  if (!file.startsWith(workerData.dir)) throw new Error('outside the bundle');
  return new Response(fs.readFileSync(file));
};
// One worker per language: Pagefind's module keeps state that two languages must not share.
let instance = null;
async function getInstance() {
  if (!instance) {
    const pagefind = await import(workerData.module);
    // Pagefind picks its index from <html lang>; tell it the language the same way.
    globalThis.document = { querySelector: () => ({ getAttribute: () => workerData.language }) };
    instance = pagefind.createInstance({ basePath: BASE, excerptLength: 30 });
    await instance.init();
    delete globalThis.document;
  }
  return instance;
}
parentPort.on('message', async ({ id, query, limit }) => {
  try {
    const search = await (await getInstance()).search(query);
    const data = await Promise.all(search.results.slice(0, limit).map((r) => r.data()));
    const hits = data.map((d) => ({
      url: d.url.replace(/^http:\\/\\/pagefind\\.invalid/, ''),
      title: d.meta?.title ?? d.url,
      course: d.meta?.course ?? null,
      excerpt: d.excerpt,
    }));
    parentPort.postMessage({ id, hits });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

const workers = new Map<Locale, Worker>();
let nextId = 0;
const pending = new Map<number, { resolve: (hits: SearchHit[]) => void; reject: (error: Error) => void }>();

function getWorker(language: Locale): Worker {
  const existing = workers.get(language);
  if (existing) return existing;
  const dir = searchBundleDir();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { dir: dir + path.sep, module: pathToFileURL(path.join(dir, 'pagefind.js')).href, language },
  });
  workers.set(language, worker);
  worker.unref();
  worker.on('message', (message: { id: number; hits?: SearchHit[]; error?: string }) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiting.reject(new Error(message.error));
    else waiting.resolve(message.hits ?? []);
  });
  worker.on('error', (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    workers.delete(language);
  });
  return worker;
}

/** Lessons matching `query` in `locale`'s index, best first; [] when there is no index. */
export function searchLessons(query: string, locale: Locale, limit = 20): Promise<SearchHit[]> {
  const trimmed = query.trim().slice(0, 200);
  if (trimmed === '' || !searchAvailable()) return Promise.resolve([]);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    getWorker(locale).postMessage({ id, query: trimmed, limit });
  });
}

/** The search page: whether there is an index, and the hits for `query` (none for an empty one). */
export async function loadSearchPage(query: string, locale: Locale): Promise<{ available: boolean; hits: SearchHit[] }> {
  return { available: searchAvailable(), hits: query ? await searchLessons(query, locale) : [] };
}

export interface ExcerptPart {
  text: string;
  marked: boolean;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };

/** Splits an excerpt on Pagefind's <mark> tags into plain text parts; nothing else is trusted as HTML. */
export function excerptParts(excerpt: string): ExcerptPart[] {
  const decode = (s: string): string => s.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e]!);
  const parts: ExcerptPart[] = [];
  const pattern = /<mark>([\s\S]*?)<\/mark>/g;
  let last = 0;
  for (const match of excerpt.matchAll(pattern)) {
    if (match.index > last) parts.push({ text: decode(excerpt.slice(last, match.index)), marked: false });
    parts.push({ text: decode(match[1]!), marked: true });
    last = match.index + match[0].length;
  }
  if (last < excerpt.length) parts.push({ text: decode(excerpt.slice(last)), marked: false });
  return parts;
}
