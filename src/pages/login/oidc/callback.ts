/**
 * The provider sends the browser back here with a code. A GET by protocol (the one sign-in
 * that is not a POST): it is bound to this browser by the state, the PKCE verifier and the
 * nonce, each single use. Every refusal is audited and explained on the sign-in page.
 */
import type { APIRoute } from 'astro';
import { localePath, safeNextPath } from '../../../platform/i18n/paths.ts';
import { getConfig } from '../../../platform/config.server.ts';
import { finishSsoSignIn } from '../../../features/auth/sso-sign-in.server.ts';
import { takeFlow } from '../../../features/auth/oidc.server.ts';

export const GET: APIRoute = async (context) => {
  if (!getConfig().oidc) return new Response(null, { status: 404 });
  const flow = takeFlow(context.cookies, context.url);
  const result = await finishSsoSignIn(context.locals.db, context, flow);
  const locale = result.ok ? result.locale : (flow?.locale ?? 'ja');
  const headers = { 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };
  if (!result.ok) {
    return new Response(null, { status: 303, headers: { ...headers, location: `${localePath(locale, '/login')}?sso=${result.reason}` } });
  }
  return new Response(null, { status: 303, headers: { ...headers, location: safeNextPath(flow?.next ?? undefined, localePath(locale, '/home')) } });
};
