/**
 * Single sign-on with the company's OpenID Connect provider (openid-client): authorization
 * code flow with PKCE, state and nonce. The flow's secrets wait in a short-lived HttpOnly
 * cookie between the redirect to the provider and the callback; openid-client checks the
 * state, exchanges the code with the verifier, and validates the ID token (signature against
 * the provider's JWKS, issuer, audience, nonce, expiry) before Manabi reads a single claim.
 */
import * as client from 'openid-client';
import type { AstroCookies } from 'astro';
import type { OidcSettings } from '../../platform/config.server.ts';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { Locale } from '../../platform/i18n/locales.ts';

const FLOW_COOKIE = 'manabi_oidc';
const FLOW_COOKIE_HTTPS = '__Host-manabi_oidc';
/** Long enough to type a password and answer an MFA prompt at the provider. */
const FLOW_MAX_AGE_SECONDS = 10 * 60;

export interface OidcFlow {
  state: string;
  nonce: string;
  verifier: string;
  /** Same-site path to continue to after sign-in. */
  next: string | null;
  locale: Locale;
}

/** Why a callback was refused; each is audited and shown as a translated message. */
export type OidcFailure = 'no_flow' | 'state' | 'provider_error' | 'code_rejected' | 'nonce' | 'issuer' | 'audience' | 'invalid_token' | 'unavailable';

export class OidcError extends Error {
  readonly reason: OidcFailure;
  constructor(reason: OidcFailure, message: string) {
    super(message);
    this.name = 'OidcError';
    this.reason = reason;
  }
}

let discovered: { key: string; config: Promise<client.Configuration> } | null = null;

/** Provider metadata, discovered once per process; a failed discovery is retried next time. */
export function providerConfiguration(settings: OidcSettings): Promise<client.Configuration> {
  const key = `${settings.issuer}|${settings.clientId}`;
  if (discovered?.key === key) return discovered.config;
  const config = client
    .discovery(
      new URL(settings.issuer),
      settings.clientId,
      settings.clientSecret ?? undefined,
      settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
      {
        // The ID token's signature is checked against the provider's JWKS: openid-client trusts
        // TLS for tokens from the token endpoint otherwise, and then a rogue answering there (a
        // plain-http issuer, a broken TLS path) could sign anyone in with a key of its own.
        // allowInsecureRequests is deprecated only as a nudge away from http; Manabi allows it
        // solely when OIDC_ALLOW_HTTP is set.
        execute: settings.allowHttp ? [client.allowInsecureRequests, client.enableNonRepudiationChecks] : [client.enableNonRepudiationChecks],
        timeout: 10,
      },
    )
    .catch((error: unknown) => {
      discovered = null;
      throw new OidcError('unavailable', `OpenID provider discovery failed: ${(error as Error).message}`);
    });
  discovered = { key, config };
  return config;
}

/** Where to send the browser, and the flow to remember in the cookie. */
export async function beginSignIn(settings: OidcSettings, next: string | null, locale: Locale): Promise<{ url: URL; flow: OidcFlow }> {
  const config = await providerConfiguration(settings);
  const flow: OidcFlow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next, locale };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUri,
    scope: settings.scopes,
    response_type: 'code',
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    ui_locales: locale,
  });
  return { url, flow };
}

/** Validates the callback and returns the ID token's claims; throws OidcError when refused. */
export async function completeSignIn(settings: OidcSettings, callbackUrl: URL, flow: OidcFlow | null): Promise<Record<string, unknown>> {
  if (!flow) throw new OidcError('no_flow', 'no sign-in in progress in this browser (or it expired)');
  const returnedState = callbackUrl.searchParams.get('state') ?? '';
  const encoder = new TextEncoder();
  const a = encoder.encode(returnedState);
  const b = encoder.encode(flow.state);
  if (a.length !== b.length || !constantTimeEqual(a, b)) throw new OidcError('state', 'state does not match this browser’s sign-in');
  const config = await providerConfiguration(settings);
  // The provider sees the registered redirect URI, whatever host header reached us.
  const current = new URL(settings.redirectUri);
  current.search = callbackUrl.search;
  try {
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new OidcError('invalid_token', 'no ID token in the token response');
    return claims as Record<string, unknown>;
  } catch (error) {
    throw classify(error);
  }
}

function classify(error: unknown): OidcError {
  if (error instanceof OidcError) return error;
  if (error instanceof client.AuthorizationResponseError) return new OidcError('provider_error', `provider answered ${error.error}`);
  if (error instanceof client.ResponseBodyError) return new OidcError('code_rejected', `token endpoint refused the code: ${error.error}`);
  if (error instanceof client.ClientError) {
    const claim = (error.cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim;
    if (claim === 'nonce') return new OidcError('nonce', 'ID token nonce does not match');
    if (claim === 'iss') return new OidcError('issuer', 'ID token from another issuer');
    if (claim === 'aud' || claim === 'azp') return new OidcError('audience', 'ID token for another audience');
    return new OidcError('invalid_token', `${error.code ?? 'client error'}: ${error.message}`);
  }
  return new OidcError('unavailable', `OpenID provider unreachable: ${(error as Error).message}`);
}

/** The provider's end-session address, when it has one. */
export async function endSessionUrl(settings: OidcSettings, postLogoutRedirect: string): Promise<string | null> {
  try {
    const config = await providerConfiguration(settings);
    if (!config.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(config, { client_id: settings.clientId, post_logout_redirect_uri: postLogoutRedirect }).href;
  } catch {
    return null;
  }
}

function flowCookieName(url: URL): string {
  return url.protocol === 'https:' ? FLOW_COOKIE_HTTPS : FLOW_COOKIE;
}

export function saveFlow(cookies: AstroCookies, url: URL, flow: OidcFlow): void {
  cookies.set(flowCookieName(url), Buffer.from(JSON.stringify(flow)).toString('base64url'), {
    httpOnly: true,
    // Lax: the provider's redirect back is a top-level GET navigation, which carries it.
    sameSite: 'lax',
    secure: url.protocol === 'https:',
    path: '/',
    maxAge: FLOW_MAX_AGE_SECONDS,
  });
}

/** Reads and clears the flow: each one is good for a single callback. */
export function takeFlow(cookies: AstroCookies, url: URL): OidcFlow | null {
  const name = flowCookieName(url);
  const raw = cookies.get(name)?.value ?? null;
  cookies.set(name, '', { httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', path: '/', maxAge: 0 });
  if (!raw || raw.length > 2048) return null;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<OidcFlow>;
    if (typeof value.state !== 'string' || typeof value.nonce !== 'string' || typeof value.verifier !== 'string') return null;
    return {
      state: value.state,
      nonce: value.nonce,
      verifier: value.verifier,
      next: typeof value.next === 'string' ? value.next : null,
      locale: value.locale === 'en' ? 'en' : 'ja',
    };
  } catch {
    return null;
  }
}
