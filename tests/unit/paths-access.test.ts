import { describe, expect, it } from 'vitest';
import { actionAccess, decide, routeAccess, stricter } from '../../src/features/auth/access.ts';
import { lessonPath, localePath, safeNextPath, splitLocale, switchLocale } from '../../src/platform/i18n/paths.ts';

describe('locale paths', () => {
  it('has no prefix for Japanese and /en for English', () => {
    expect(localePath('ja', '/home')).toBe('/home');
    expect(localePath('en', '/home')).toBe('/en/home');
    expect(localePath('en', '/')).toBe('/en/');
    expect(lessonPath('en', 'c', 'l')).toBe('/en/learn/c/l');
  });

  it('splits the language off a path', () => {
    expect(splitLocale('/en/learn/a/b')).toEqual({ locale: 'en', path: '/learn/a/b' });
    expect(splitLocale('/en')).toEqual({ locale: 'en', path: '/' });
    expect(splitLocale('/english')).toEqual({ locale: 'ja', path: '/english' });
    expect(splitLocale('/home')).toEqual({ locale: 'ja', path: '/home' });
  });

  it('switches language on the same page, keeping the query but not a form action marker', () => {
    expect(switchLocale(new URL('http://x/learn/a/b?tab=2'), 'en')).toBe('/en/learn/a/b?tab=2');
    expect(switchLocale(new URL('http://x/en/learn/a/b'), 'ja')).toBe('/learn/a/b');
    expect(switchLocale(new URL('http://x/login?_action=auth.login&next=%2Fhome'), 'en')).toBe('/en/login?next=%2Fhome');
  });
});

describe('safe redirect after sign-in', () => {
  it('allows same-site paths', () => {
    expect(safeNextPath('/en/learn/a/b?x=1#top', '/home')).toBe('/en/learn/a/b?x=1#top');
  });

  it.each([
    ['https://evil.example/'],
    ['//evil.example/path'],
    ['/\\evil.example'],
    ['\\\\evil.example'],
    ['javascript:alert(1)'],
    ['home'],
    [''],
    [null],
    ['/' + 'a'.repeat(3000)],
  ])('refuses %s', (next) => {
    expect(safeNextPath(next, '/home')).toBe('/home');
  });
});

describe('access rules (deny by default)', () => {
  it('classifies routes', () => {
    expect(routeAccess('/[...locale]')).toBe('public');
    expect(routeAccess('/[...locale]/login')).toBe('public');
    expect(routeAccess('/[...locale]/home')).toBe('user');
    expect(routeAccess('/[...locale]/learn/[course]/[lesson]')).toBe('user');
    expect(routeAccess('/[...locale]/admin')).toBe('admin');
    expect(routeAccess('/[...locale]/admin/users')).toBe('admin');
    expect(routeAccess('/[...locale]/administrator')).toBe('user');
    expect(routeAccess('/[...locale]/champion')).toBe('champion');
    expect(routeAccess('/some-new-route')).toBe('user');
  });

  it('decides by role', () => {
    expect(decide('public', null)).toBe('allow');
    expect(decide('user', null)).toBe('sign-in');
    expect(decide('admin', null)).toBe('sign-in');
    expect(decide('user', 'learner')).toBe('allow');
    expect(decide('champion', 'learner')).toBe('forbidden');
    expect(decide('champion', 'champion')).toBe('allow');
    expect(decide('champion', 'admin')).toBe('allow');
    expect(decide('admin', 'champion')).toBe('forbidden');
    expect(decide('admin', 'admin')).toBe('allow');
  });

  it('only sign-in and sign-out actions are open to anonymous visitors', () => {
    expect(actionAccess('auth.login')).toBe('public');
    expect(actionAccess('auth.logout')).toBe('public');
    expect(actionAccess('progress.complete')).toBe('user');
    expect(stricter('public', 'user')).toBe('user');
    expect(stricter('admin', 'public')).toBe('admin');
  });
});
