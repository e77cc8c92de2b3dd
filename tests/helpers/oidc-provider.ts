/**
 * A real OpenID provider (the `oidc-provider` package) on 127.0.0.1 for the single sign-on
 * tests: one confidential client for Manabi, test accounts whose claims a test can change
 * between sign-ins, a minimal login page (no consent screen), and a switch that re-signs the
 * next ID token with another issuer or audience, or has a rogue signer (a key that is not in the
 * provider's JWKS) sign it, to prove Manabi refuses it.
 */
import http from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, decodeProtectedHeader, type JWK, type JWTPayload } from 'jose';

export interface TestAccount {
  email: string;
  name: string;
  department?: string;
  groups?: string[];
  email_verified?: boolean;
  /** Authentication methods the login reports, e.g. ['pwd'] or ['pwd', 'otp']. */
  amr?: string[];
}

/** How the next ID token is forged: signed by the provider's key with one claim changed, or by someone else. */
export type Tamper =
  | { claim: 'iss' | 'aud'; value: string }
  | {
      /**
       * `foreign-key`: an RSA key that is not in the JWKS, with its own kid; `foreign-key-same-kid`:
       * the same, claiming the JWKS key's kid; `client-secret`: HS256 with the client secret (which
       * whoever answers at the token endpoint learns); `none`: unsigned.
       */
      rogueSigner: 'foreign-key' | 'foreign-key-same-kid' | 'client-secret' | 'none';
      /** Claims the rogue changes, e.g. `{ groups: ['manabi-admins'] }`. */
      claims?: Record<string, unknown>;
    }
  | null;

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Applied to the next token response only. */
  tamperNextToken: (tamper: Tamper) => void;
  close: () => Promise<void>;
}

export async function startProvider(options: { port: number; redirectUris: string[]; postLogoutRedirectUris: string[] }): Promise<TestProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const clientId = 'manabi';
  const clientSecret = 'test-client-secret-0123456789abcdef';
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, TestAccount>();
  let tamper: Tamper = null;

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk as never] },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          const current = accounts.get(id) ?? account;
          return {
            sub: id,
            email: current.email,
            email_verified: current.email_verified ?? true,
            name: current.name,
            ...(current.department !== undefined ? { department: current.department } : {}),
            groups: current.groups ?? [],
          };
        },
      };
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups', 'department'], acr: null },
    // Manabi reads the ID token only, as it would from Entra ID or Keycloak.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    cookies: { keys: ['manabi-test-cookie-key'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    loadExistingGrant: async (ctx) => {
      // No consent screen: the test client is first-party.
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile groups');
      grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups', 'department', 'amr']);
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', issuer);
      const match = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
      if (match && req.method === 'GET') {
        const details = await provider.interactionDetails(req, res);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><html lang="en"><title>Test IdP</title><h1>Test IdP sign-in (${details.prompt.name})</h1>` +
            `<form method="post" action="/interaction/${match[1]}/login"><label>User <input name="login" autocomplete="off"></label>` +
            `<button type="submit">Continue</button></form></html>`,
        );
        return;
      }
      if (match?.[2] && req.method === 'POST') {
        const body = await new Promise<string>((resolve) => {
          let data = '';
          req.on('data', (c: Buffer) => (data += c.toString()));
          req.on('end', () => resolve(data));
        });
        const login = new URLSearchParams(body).get('login') ?? '';
        const account = accounts.get(login);
        if (!account) {
          await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown test user' }, { mergeWithLastSubmission: false });
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: login, amr: account.amr ?? ['pwd'] } }, { mergeWithLastSubmission: false });
        return;
      }
      if (tamper && req.method === 'POST' && url.pathname === '/token') {
        const active = tamper;
        tamper = null;
        interceptJson(res, async (json) => {
          const idToken = json.id_token;
          if (typeof idToken !== 'string') return json;
          const { payload } = await jwtVerify(idToken, publicKey);
          const header = decodeProtectedHeader(idToken);
          if ('claim' in active) {
            const changed = { ...payload, [active.claim]: active.value };
            json.id_token = await new SignJWT(changed).setProtectedHeader({ alg: 'RS256', kid: header.kid, typ: header.typ }).sign(privateKey);
            return json;
          }
          json.id_token = await rogueSign({ ...payload, ...active.claims }, active.rogueSigner, header.kid, clientSecret);
          return json;
        });
      }
      callback(req, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    tamperNextToken: (next) => {
      tamper = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An ID token signed by someone who does not hold the provider's key. */
async function rogueSign(
  payload: JWTPayload,
  signer: 'foreign-key' | 'foreign-key-same-kid' | 'client-secret' | 'none',
  providerKid: string | undefined,
  clientSecret: string,
): Promise<string> {
  if (signer === 'none') {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
  }
  if (signer === 'client-secret') {
    return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(clientSecret));
  }
  const { privateKey } = await generateKeyPair('RS256');
  const kid = signer === 'foreign-key-same-kid' ? providerKid : 'rogue-key';
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
}

/** Rewrites a JSON response body on its way out (Koa sends it with one `end`). */
function interceptJson(res: http.ServerResponse, rewrite: (json: Record<string, unknown>) => Promise<Record<string, unknown>>): void {
  const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
  const chunks: Buffer[] = [];
  const write = res.write.bind(res);
  res.write = ((chunk: unknown) => {
    chunks.push(Buffer.from(chunk as Buffer));
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: unknown) => {
    if (chunk) chunks.push(Buffer.from(chunk as Buffer));
    const text = Buffer.concat(chunks).toString('utf8');
    void (async () => {
      let out = text;
      try {
        out = JSON.stringify(await rewrite(JSON.parse(text) as Record<string, unknown>));
      } catch {
        // not JSON: pass it through unchanged
      }
      if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(out));
      res.write = write;
      end(out);
    })();
    return res;
  }) as typeof res.end;
}
