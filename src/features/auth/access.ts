/**
 * Who may reach which route: deny by default. Every route needs a signed-in user unless
 * listed as public; `/admin…` needs an admin, `/champion…` a champion or admin. Pages and
 * actions still authorize themselves; this is the net under them.
 */
import type { Role } from '../users/roles.ts';

export type Access = 'public' | 'user' | 'champion' | 'admin';
export type Decision = 'allow' | 'sign-in' | 'forbidden';

/** Routes that are files or data, not pages: an anonymous request gets 401, not a sign-in redirect. */
export function isResourceRoute(routePattern: string): boolean {
  return routePattern.startsWith('/pagefind/') || routePattern.startsWith('/_actions/');
}

/** Route patterns (as Astro reports them, without the `/[...locale]` prefix) open to anyone (a secret token in the address is their authority). */
const PUBLIC_ROUTES = new Set([
  '/',
  '/login',
  '/logout',
  '/login/link/[token]',
  '/login/oidc',
  '/login/oidc/callback',
  '/403',
  '/404',
  '/500',
  '/verify/[code]',
  '/healthz',
  '/calendar/[token].ics',
  '/unsubscribe/[token]',
  // SCIM (issue 19): the bearer token is the authority, checked by the endpoint itself (src/features/scim/http.server.ts).
  '/scim/v2/[...path]',
]);
/** Actions an anonymous visitor may call. */
const PUBLIC_ACTIONS = new Set(['auth.login', 'auth.logout', 'auth.useLink']);

export const LOCALE_ROUTE_PREFIX = '/[...locale]';
export const ACTION_RPC_ROUTE = '/_actions/[...path]';

export function stripLocaleRoute(routePattern: string): string {
  if (routePattern === LOCALE_ROUTE_PREFIX) return '/';
  return routePattern.startsWith(`${LOCALE_ROUTE_PREFIX}/`) ? routePattern.slice(LOCALE_ROUTE_PREFIX.length) : routePattern;
}

export function routeAccess(routePattern: string): Access {
  const route = stripLocaleRoute(routePattern);
  if (PUBLIC_ROUTES.has(route)) return 'public';
  if (route === '/admin' || route.startsWith('/admin/')) return 'admin';
  if (route === '/champion' || route.startsWith('/champion/')) return 'champion';
  return 'user';
}

export function actionAccess(actionName: string): Access {
  if (PUBLIC_ACTIONS.has(actionName)) return 'public';
  return actionName.startsWith('admin.') ? 'admin' : 'user';
}

const RANK: Record<Role, number> = { learner: 0, champion: 1, admin: 2 };

export function decide(access: Access, role: Role | null): Decision {
  if (access === 'public') return 'allow';
  if (role === null) return 'sign-in';
  if (access === 'admin') return role === 'admin' ? 'allow' : 'forbidden';
  if (access === 'champion') return RANK[role] >= RANK.champion ? 'allow' : 'forbidden';
  return 'allow';
}

/** The stricter of two access levels. */
export function stricter(a: Access, b: Access): Access {
  const order: Access[] = ['public', 'user', 'champion', 'admin'];
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}
