import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A SubtleCrypto whose digest is the real one, counting how often it runs. */
function countingSubtle(): { subtle: SubtleCrypto; calls: () => number } {
  let calls = 0;
  const subtle = {
    digest: (algorithm: AlgorithmIdentifier, data: BufferSource) => {
      calls++;
      return (globalThis.crypto.subtle as SubtleCrypto).digest(algorithm, data);
    },
  } as unknown as SubtleCrypto;
  return { subtle, calls: () => calls };
}

const hex = (buffer: ArrayBuffer) => Buffer.from(buffer).toString('hex');
const sha = (algorithm: string, text: string | Buffer) => createHash(algorithm).update(text).digest('hex');

async function install(subtle: SubtleCrypto) {
  vi.resetModules();
  const { installDigestCache } = await import('./digest-cache.server.ts');
  installDigestCache(subtle);
}

describe('digest cache', () => {
  beforeEach(() => vi.resetModules());

  it('answers a repeated input from memory with the same digest, and new inputs from the real digest', async () => {
    const { subtle, calls } = countingSubtle();
    await install(subtle);
    const style = new TextEncoder().encode('.lesson{margin:0}');
    const first = await subtle.digest('SHA-256', style);
    const second = await subtle.digest('SHA-256', style);
    expect(hex(first)).toBe(sha('sha256', '.lesson{margin:0}'));
    expect(hex(second)).toBe(hex(first));
    expect(calls()).toBe(1);

    const other = await subtle.digest('SHA-256', new TextEncoder().encode('.lesson{margin:1px}'));
    expect(hex(other)).toBe(sha('sha256', '.lesson{margin:1px}'));
    expect(calls()).toBe(2);
  });

  it('keeps algorithms apart and reads typed-array views by their own bytes', async () => {
    const { subtle } = countingSubtle();
    await install(subtle);
    const bytes = new TextEncoder().encode('same input');
    expect(hex(await subtle.digest('SHA-256', bytes))).toBe(sha('sha256', 'same input'));
    expect(hex(await subtle.digest({ name: 'SHA-384' }, bytes))).toBe(sha('sha384', 'same input'));
    const framed = new Uint8Array([0, 0, ...bytes, 9]);
    const view = framed.subarray(2, 2 + bytes.length);
    expect(hex(await subtle.digest('sha-256', view))).toBe(sha('sha256', 'same input'));
  });

  it('hands out a fresh buffer each time, so a caller writing into it cannot poison the cache', async () => {
    const { subtle } = countingSubtle();
    await install(subtle);
    const input = new TextEncoder().encode('x');
    const first = new Uint8Array(await subtle.digest('SHA-256', input));
    first.fill(0);
    expect(hex(await subtle.digest('SHA-256', input))).toBe(sha('sha256', 'x'));
  });

  it('passes large inputs straight through', async () => {
    const { subtle, calls } = countingSubtle();
    await install(subtle);
    const large = Buffer.alloc(64 * 1024, 7);
    await subtle.digest('SHA-256', large);
    expect(hex(await subtle.digest('SHA-256', large))).toBe(sha('sha256', large));
    expect(calls()).toBe(2);
  });
});
