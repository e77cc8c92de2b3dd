/**
 * Headers every response carries, whoever produced it (page, endpoint, redirect, static
 * file). Pages also get Astro's own Content-Security-Policy with script and style hashes,
 * which replaces the strict default below.
 */

/** For anything that is not an Astro page: nothing may load, frame or be framed. */
export const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";

/**
 * Pagefind's web worker (/pagefind/pagefind-worker.js) runs under its own response's policy, not
 * the page's: it fetches the index (connect-src) and compiles Pagefind's WebAssembly
 * ('wasm-unsafe-eval'); it loads no scripts, styles or images.
 */
export const PAGEFIND_WORKER_CSP =
  "default-src 'none'; connect-src 'self'; script-src 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export function securityHeaders(production: boolean): Record<string, string> {
  return {
    'content-security-policy': DEFAULT_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}
