/**
 * The end of a single sign-on: validated claims → second-factor rule → identity → the
 * provisioned user → a fresh session. Each refusal is audited with its reason.
 */
import type { APIContext } from 'astro';
import { hasSecondFactor, identityFromClaims } from './oidc-claims.ts';
import { audit } from '../audit/audit.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { logger, requestIdOf } from '../../platform/log.server.ts';
import { completeSignIn, OidcError, type OidcFlow } from './oidc.server.ts';
import { signInRequest, startSession } from './sign-in.server.ts';
import { provisionSsoUser } from './sso-user.server.ts';

/** Reasons shown on the sign-in page (`?sso=…`), each with a message in both languages. */
export const SSO_FAILURES = [
  'no_flow',
  'state',
  'provider_error',
  'code_rejected',
  'nonce',
  'issuer',
  'audience',
  'invalid_token',
  'unavailable',
  'mfa_required',
  'no_email',
  'email_unverified',
  'invisible_characters',
  'no_subject',
  'conflict',
  'deactivated',
  'disabled',
] as const;
export type SsoFailure = (typeof SSO_FAILURES)[number];

export type SsoResult = { ok: true; locale: Locale } | { ok: false; reason: SsoFailure };

export async function finishSsoSignIn(db: Db, context: APIContext, flow: OidcFlow | null): Promise<SsoResult> {
  const { oidc } = getConfig();
  const request = signInRequest(context);
  const { ip } = request;
  const refuse = async (reason: SsoFailure, label: string | null = null, detail: string | null = null): Promise<SsoResult> => {
    await db.write(
      async (tx) =>
        await audit(tx, {
          actor: null,
          actorLabel: label ?? 'sso',
          action: 'auth.sign_in_failed',
          details: { method: 'oidc', reason, ...(detail ? { detail: detail.slice(0, 200) } : {}) },
          ip,
        }),
    );
    return { ok: false, reason };
  };
  if (!oidc) return { ok: false, reason: 'disabled' };

  let claims: Record<string, unknown>;
  try {
    claims = await completeSignIn(oidc, context.url, flow);
  } catch (error) {
    if (error instanceof OidcError) {
      if (error.reason === 'unavailable') logger.error({ requestId: requestIdOf(context.request), err: error }, 'single sign-on failed');
      return refuse(error.reason, null, error.message);
    }
    throw error;
  }

  const mapped = identityFromClaims(claims, { ...oidc.claims, adminGroups: oidc.adminGroups, championGroups: oidc.championGroups });
  const label = typeof claims.email === 'string' ? claims.email.slice(0, 254) : typeof claims.sub === 'string' ? `sub:${claims.sub.slice(0, 100)}` : null;
  if (oidc.requireMfa && !hasSecondFactor(claims, { amr: oidc.mfaAmr, acr: oidc.mfaAcr })) {
    return refuse('mfa_required', label, `amr=${JSON.stringify(claims.amr ?? null)} acr=${JSON.stringify(claims.acr ?? null)}`);
  }
  if ('problem' in mapped) return refuse(mapped.problem, label);

  const result = await provisionSsoUser(db, oidc.issuer, mapped.identity);
  if (result.status === 'conflict') return refuse('conflict', mapped.identity.email);
  if (result.status === 'deactivated') return refuse('deactivated', mapped.identity.email);
  const user = result.user;
  if (result.status === 'created') {
    await db.write(
      async (tx) =>
        await audit(tx, {
          actor: user,
          action: 'user.created',
          target: { type: 'user', id: user.id },
          details: { via: 'oidc', role: mapped.identity.role ?? 'learner', department: mapped.identity.department ?? null },
          ip,
        }),
    );
  } else if (result.status === 'updated') {
    const { changes } = result;
    await db.write(async (tx) => await audit(tx, { actor: user, action: 'user.updated', target: { type: 'user', id: user.id }, details: { via: 'oidc', changes }, ip }));
  }
  if ((result.status === 'updated' || result.status === 'unchanged') && result.roleKept) {
    // The sign-in goes on with the old role; the refusal is on record, and in the log for whoever fixes the groups.
    const { from, to, reason } = result.roleKept;
    await db.write(
      async (tx) => await audit(tx, { actor: user, action: 'user.role_change_refused', target: { type: 'user', id: user.id }, details: { via: 'oidc', from, to, reason }, ip }),
    );
    logger.warn({ requestId: requestIdOf(context.request), userId: user.id, from, to, reason }, 'single sign-on: role from the groups not applied');
  }

  await startSession(db, request, user, 'oidc');
  return { ok: true, locale: flow?.locale ?? user.locale };
}
