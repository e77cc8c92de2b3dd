/**
 * Remembers WebCrypto digests of small inputs. Astro hashes every inline script and style of a
 * page into its Content-Security-Policy on every request, through the asynchronous
 * `crypto.subtle.digest` (a thread-pool round trip each), although those inputs are the same
 * few build-time strings each time: about a tenth of a lesson page's CPU time in the benchmark.
 * A digest is a pure function of its input, so answering a repeated input from memory changes
 * nothing but the cost; large or unusual inputs pass straight through.
 *
 * A platform concern, not app logic: Astro 7 has no supported way around it. With
 * `security.csp` on, `FetchState.createResult` (astro/dist/core/fetch/fetch-state.js) calls
 * `generateCspDigest(element.children, algorithm)` (core/encryption.js) for every head style and
 * script element of the route, linked ones too (as the empty string), whatever the config:
 * `security.csp` takes only the algorithm, directives and extra hashes/resources, the build
 * manifest's precomputed hashes are added beside these, not instead, and the adapter's
 * `staticHeaders` covers prerendered pages only. tests/integration/astro-csp-digest.test.ts pins
 * that call and fails when Astro changes it.
 */

const MAX_INPUT_BYTES = 16 * 1024;
const MAX_ENTRIES = 512;

type Digest = SubtleCrypto['digest'];

let installed: Digest | null = null;

function algorithmName(algorithm: AlgorithmIdentifier): string | null {
  if (typeof algorithm === 'string') return algorithm.toUpperCase();
  return typeof algorithm?.name === 'string' ? algorithm.name.toUpperCase() : null;
}

function bytesOf(data: BufferSource): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** Wraps `crypto.subtle.digest` in the process with the cache; idempotent. Returns the original. */
export function installDigestCache(subtle: SubtleCrypto = globalThis.crypto.subtle): Digest {
  if (installed) return installed;
  const original = subtle.digest.bind(subtle) as Digest;
  const cache = new Map<string, ArrayBuffer>();

  const cached = async (algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> => {
    const name = algorithmName(algorithm);
    const bytes = bytesOf(data);
    if (name === null || bytes === null || bytes.byteLength > MAX_INPUT_BYTES) return original(algorithm, data);
    const key = `${name}\0${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')}`;
    const hit = cache.get(key);
    // A copy each time: a caller may write into the buffer it is given.
    if (hit) return hit.slice(0);
    const digest = await original(algorithm, data);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, digest.slice(0));
    return digest;
  };
  subtle.digest = cached as Digest;
  installed = original;
  return original;
}
