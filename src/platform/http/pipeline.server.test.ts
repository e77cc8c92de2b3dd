import { describe, expect, it } from 'vitest';
import { cacheControlFor, decideAccess, handedOff, handOff, needsSession, originAllowed, resolveLocale, resolveSessionOnce } from './pipeline.server.ts';

const LESSON = '/[...locale]/learn/[course]/[lesson]';

describe('request pipeline decisions', () => {
  it('resolves the language from the address: no prefix Japanese, /en English, /ja redirected, others 404', () => {
    expect(resolveLocale(LESSON, undefined, new URL('http://x/learn/a/b'), undefined)).toEqual({ kind: 'ok', locale: 'ja' });
    expect(resolveLocale(LESSON, 'en', new URL('http://x/en/learn/a/b'), undefined)).toEqual({ kind: 'ok', locale: 'en' });
    expect(resolveLocale(LESSON, 'ja', new URL('http://x/ja/learn/a/b?x=1'), undefined)).toEqual({ kind: 'redirect', location: '/learn/a/b?x=1' });
    expect(resolveLocale(LESSON, 'fr', new URL('http://x/fr/learn/a/b'), undefined).kind).toBe('not-found');
    expect(resolveLocale('/500', undefined, new URL('http://x/500'), 'en')).toEqual({ kind: 'ok', locale: 'en' });
  });

  it('refuses a state-changing request without its own Origin, except the one-click unsubscribe', () => {
    const url = new URL('http://127.0.0.1:4321/learn/a/b');
    expect(originAllowed('GET', LESSON, url, null)).toBe(true);
    expect(originAllowed('POST', LESSON, url, null)).toBe(false);
    expect(originAllowed('POST', LESSON, url, 'http://evil.example')).toBe(false);
    expect(originAllowed('POST', LESSON, url, 'http://127.0.0.1:4321')).toBe(true);
    const unsubscribe = new URL('http://127.0.0.1:4321/unsubscribe/t');
    expect(originAllowed('POST', '/[...locale]/unsubscribe/[token]', unsubscribe, null)).toBe(true);
    expect(originAllowed('POST', '/[...locale]/unsubscribe/[token]', new URL('http://127.0.0.1:4321/unsubscribe/t?_action=x'), null)).toBe(false);
    expect(needsSession('/healthz')).toBe(false);
    expect(needsSession(LESSON)).toBe(true);
  });

  it('denies by default: sign-in redirect for pages, 401 for posts and resources, 403 below the level', () => {
    const url = new URL('http://x/en/learn/a/b?q=1');
    expect(decideAccess('GET', LESSON, url, 'en', null)).toEqual({ kind: 'sign-in', location: '/en/login?next=%2Fen%2Flearn%2Fa%2Fb%3Fq%3D1' });
    expect(decideAccess('POST', LESSON, url, 'en', null)).toEqual({ kind: 'unauthorized' });
    expect(decideAccess('GET', LESSON, url, 'en', 'learner')).toEqual({ kind: 'allow' });
    expect(decideAccess('GET', '/[...locale]/admin', new URL('http://x/admin'), 'ja', 'champion')).toEqual({ kind: 'forbidden' });
    expect(decideAccess('POST', '/[...locale]/login', new URL('http://x/login?_action=admin.users.create'), 'ja', 'learner')).toEqual({ kind: 'forbidden' });
  });

  it('stores nothing for a signed-in user unless the route chose a private policy', () => {
    expect(cacheControlFor(null, false)).toBe('no-store');
    expect(cacheControlFor('public, max-age=60', true)).toBe('no-store');
    expect(cacheControlFor('private, max-age=60', true)).toBeNull();
    expect(cacheControlFor('public, max-age=60', false)).toBeNull();
  });

  it("takes a fast handler's session for the same token only, and only from its hand-off", async () => {
    const validated = { session: { id: 's' }, user: { id: 1 } } as never;
    const req = {};
    const locals: Record<PropertyKey, unknown> = {};
    handOff(req, locals, { session: { token: 'a.b', validated, clearCookie: false }, action: null });
    expect(Reflect.get(req, Symbol.for('manabi.astroLocals'))).toBe(locals);
    // No database is touched for the handed-on token (the handle here would throw).
    expect(await resolveSessionOnce(null as never, 'a.b', locals)).toEqual({ validated, clearCookie: false });
    expect(await resolveSessionOnce(null as never, null, locals)).toEqual({ validated: null, clearCookie: false });
    await expect(resolveSessionOnce(null as never, 'other.token', locals)).rejects.toThrow();
    // A look-alike key is not a hand-off.
    expect(handedOff({ [Symbol.for('manabi.handoff')]: { session: { token: 'a.b', validated, clearCookie: false } } })).toBeNull();
  });
});
