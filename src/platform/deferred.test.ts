import { describe, expect, it } from 'vitest';
import { deferred } from './deferred.ts';

describe('deferred', () => {
  it('resolves at each call, also through a bundle taken apart before', () => {
    let current = 'pool';
    const make = (where: string) => ({ insert: { execute: (n: number) => `${where}:${n}` }, name: where });
    const bundle = deferred(() => make(current), []) as ReturnType<typeof make>;
    const { insert } = bundle;
    const execute = insert.execute;
    expect(insert.execute(1)).toBe('pool:1');
    current = 'tx';
    expect(insert.execute(2)).toBe('tx:2');
    expect(execute(3)).toBe('tx:3');
    expect(bundle.name).toBe('tx');
  });
});
