/**
 * The request handler of a build: its few static files from an index made once at start, every
 * other request straight to Astro's server-side handler. The adapter's standalone handler
 * looked each request up on disk first (an lstat and a stat for every page, about a tenth of
 * a page's CPU time); the build's static files only change with a new build, and a new build
 * means a restart.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sirv from 'sirv';
import { installDigestCache } from './digest-cache.server.ts';

export type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

type FastHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

type AstroMiddleware = (req: http.IncomingMessage, res: http.ServerResponse, next?: (error?: unknown) => void, locals?: object) => Promise<void>;

/** Where a fast handler leaves the locals for Astro on the Node request (the same key in src/platform/http/pipeline.server.ts). */
const ASTRO_LOCALS = Symbol.for('manabi.astroLocals');

const ASSETS_PREFIX = '/_astro/';

/** Loads `<outDir>/server/entry.mjs` (the adapter in middleware mode) and serves `<outDir>/client`. */
export async function loadAppHandler(outDir: string): Promise<RequestListener> {
  // Before Astro loads: its per-request CSP hashing then answers from memory.
  installDigestCache();
  const entry = path.resolve(outDir, 'server', 'entry.mjs');
  const { handler: astro } = (await import(pathToFileURL(entry).href)) as { handler: AstroMiddleware };
  const { lessons, forms } = await loadFastHandlers(outDir);
  const assets = sirv(path.resolve(outDir, 'client'), {
    dev: false,
    etag: true,
    extensions: [],
    dotfiles: false,
    setHeaders: (res, pathname) => {
      // Hashed file names: a changed file gets a new name.
      if (pathname.startsWith(ASSETS_PREFIX)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      // Fixed names (the favicon): reuse only after asking, with the ETag.
      else res.setHeader('cache-control', 'no-cache');
    },
  });

  return (req, res) => {
    standardReasonPhrase(res);
    try {
      decodeURI(req.url ?? '/');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad request.');
      return;
    }
    const render = (): void => {
      // What a fast handler already did for this request (src/platform/http/pipeline.server.ts `handOff`), as Astro's locals.
      void astro(req, res, undefined, Reflect.get(req, ASTRO_LOCALS) as object | undefined);
    };
    if (req.method === 'POST' && forms !== null) {
      // A learner's lesson form answered before Astro (src/actions/fast-forms.server.ts), or Astro.
      void forms(req, res)
        .catch(() => false)
        .then((answered) => {
          if (!answered) render();
        });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return render();
    if (lessons === null) return assets(req, res, render);
    // A lesson page from its prerendered shell, or, for every state the shells do not cover, Astro.
    void lessons(req, res).then((answered) => {
      if (!answered) assets(req, res, render);
    });
  };
}

/**
 * The fast lesson handler (src/features/lesson-shell/handler.server.ts) and the fast form handler
 * (src/actions/fast-forms.server.ts) are part of the server build: its middleware module
 * registers their factories when loaded. Null without shells, or when switched off.
 */
async function loadFastHandlers(outDir: string): Promise<{ lessons: FastHandler | null; forms: FastHandler | null }> {
  const middleware = path.resolve(outDir, 'server', 'virtual_astro_middleware.mjs');
  if (!fs.existsSync(middleware)) return { lessons: null, forms: null };
  await import(pathToFileURL(middleware).href);
  const registry = globalThis as Record<symbol, unknown>;
  const lessons = registry[Symbol.for('manabi.fastLessonHandler')] as ((dir: string) => FastHandler | null) | undefined;
  const forms = registry[Symbol.for('manabi.fastFormHandler')] as (() => FastHandler | null) | undefined;
  return { lessons: lessons?.(outDir) ?? null, forms: forms?.() ?? null };
}

/**
 * Every status line gets Node's standard reason phrase (`401 Unauthorized`): Astro's Node
 * adapter copies a Response's statusText into it, and a failed action's statusText is the
 * error's type, which made `HTTP/1.1 401 AstroActionError`.
 */
function standardReasonPhrase(res: http.ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, reason: string, headers?: http.OutgoingHttpHeaders | http.OutgoingHttpHeader[]) => http.ServerResponse;
  res.writeHead = ((status: number, reasonOrHeaders?: unknown, headers?: unknown) => {
    const given = typeof reasonOrHeaders === 'string' ? headers : reasonOrHeaders;
    return writeHead(status, http.STATUS_CODES[status] ?? 'Unknown', given as http.OutgoingHttpHeaders | undefined);
  }) as typeof res.writeHead;
}
