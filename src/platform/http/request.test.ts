import { afterEach, describe, expect, it, vi } from 'vitest';

async function load(trustProxy: string | undefined) {
  vi.resetModules();
  if (trustProxy === undefined) vi.stubEnv('TRUST_PROXY', '');
  else vi.stubEnv('TRUST_PROXY', trustProxy);
  return import('./request.server.ts');
}

const request = (xff: string | null) => new Request('http://manabi.test/login', { headers: xff ? { 'x-forwarded-for': xff } : {} });

afterEach(() => vi.unstubAllEnvs());

describe('clientIp', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const { clientIp } = await load(undefined);
    expect(clientIp({ clientAddress: '10.0.0.5', request: request('203.0.113.9') })).toBe('10.0.0.5');
  });

  it('behind a trusted proxy, takes the entry the proxy appended, not what the client sent', async () => {
    const { clientIp } = await load('true');
    expect(clientIp({ clientAddress: '10.0.0.5', request: request('1.2.3.4, 203.0.113.9') })).toBe('203.0.113.9');
    expect(clientIp({ clientAddress: '10.0.0.5', request: request(null) })).toBe('10.0.0.5');
  });

  it('returns null when the adapter cannot tell', async () => {
    const { clientIp } = await load(undefined);
    const context = {
      get clientAddress(): string {
        throw new Error('not available');
      },
    };
    expect(clientIp(context)).toBeNull();
  });
});
