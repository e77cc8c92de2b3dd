/**
 * The production server (src/cli/serve.ts) with its WebCrypto digests counted on both sides of
 * the digest cache (src/platform/http/digest-cache.server.ts): `asked` is every `crypto.subtle.digest`
 * call (Astro's per-request CSP hashing), `computed` the ones the cache let through to the real
 * digest. After every response it prints one line,
 * `digests <x-request-id> <path> asked=<n> computed=<m> shapes=<algorithm>:<input type>,…`, and starts over.
 * Started by tests/integration/astro-csp-digest.test.ts through `startServer({ script })`.
 */
import { installDigestCache } from '../../src/platform/http/digest-cache.server.ts';
import { serve } from '../../src/cli/serve.ts';

const subtle = globalThis.crypto.subtle;
const real = subtle.digest.bind(subtle);
let asked = 0;
let computed = 0;
const shapes = new Set<string>();

// Under the cache: only a miss reaches this counter.
subtle.digest = ((algorithm: AlgorithmIdentifier, data: BufferSource) => {
  computed++;
  return real(algorithm, data);
}) as SubtleCrypto['digest'];
// The same call the app handler makes (idempotent: its own call then changes nothing).
installDigestCache(subtle);
const cached = subtle.digest.bind(subtle);
// Over the cache: every call Astro makes.
subtle.digest = ((algorithm: AlgorithmIdentifier, data: BufferSource) => {
  asked++;
  const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
  shapes.add(`${name}:${Object.prototype.toString.call(data).slice(8, -1)}`);
  return cached(algorithm, data);
}) as SubtleCrypto['digest'];

const server = await serve();
server.on('request', (req, res) => {
  res.on('finish', () => {
    console.log(`digests ${req.headers['x-request-id']} ${(req.url ?? '').split('?')[0]} asked=${asked} computed=${computed} shapes=${[...shapes].join(',')}`);
    asked = 0;
    computed = 0;
    shapes.clear();
  });
});
