/** Fuzzing src/actions/auth.ts: sign-in, one-time links, password change, sign-out (see harness.ts). */
import fc from 'fast-check';
import { expect } from 'vitest';
import { checkPasswordPolicy } from '../../../src/features/auth/password.server.ts';
import { signIn } from '../../helpers/http.ts';
import { PASSWORD } from '../support.ts';
import { schemaMix, validFields } from './generate.ts';
import { fuzzFile, type ActionSpec } from './harness.ts';
import { pattern, schemaOf } from './schema.ts';
import { bad, blank, fieldsOf, replaced } from './values.ts';

const goodPassword = fc
  .stringMatching(/^[A-Za-z0-9]{4,20}$/)
  .map((s) => `zq-${s}-Kp9!`)
  .filter((p) => checkPasswordPolicy(p) === null);
/** Refused by the policy's refinement (a list JSON Schema cannot state). */
const commonPassword = fc
  .constantFrom('password', 'password1', 'iloveyou', 'sunshine', 'princess', 'football', 'baseball', 'qwertyuiop', '12345678', 'superman')
  .filter((p) => checkPasswordPolicy(p) === 'common');

const actions: ActionSpec[] = [
  {
    name: 'auth.login',
    as: 'anonymous',
    page: () => '/login',
    bodies: (ctx) => {
      const email = ctx.users.login.email;
      const valid = validFields('auth.login', {
        email: fc.constantFrom(email, email.toUpperCase(), ` ${email} `),
        password: fc.constant(PASSWORD),
        next: fc.option(fc.constantFrom('/home', '/en/admin', 'https://evil.example/'), { nil: undefined }),
      });
      const wrongPassword = fc.string({ minLength: 1, maxLength: 40 }).filter((p) => p !== PASSWORD);
      return schemaMix(
        'auth.login',
        valid,
        [
          fc.tuple(valid, wrongPassword).map(([f, p]) => bad(replaced(f, 'password', p), 'handler', 'wrong password')),
          fc
            .tuple(valid, fc.emailAddress())
            .filter(([, e]) => !e.startsWith('fuzz-'))
            .map(([f, e]) => bad(replaced(f, 'email', e), 'handler', `unknown email ${e}`)),
          valid.map((f) => bad(replaced(f, 'email', ctx.users.inactive.email), 'handler', 'deactivated account')),
        ],
        // The email is trimmed before its minimum length is checked.
        { validWeight: 1, alsoInvalid: { email: blank } },
      );
    },
  },
  {
    name: 'auth.useLink',
    as: 'anonymous',
    page: (body) => {
      const token = body.fields.find(([n]) => n === 'token')?.[1];
      const tokenPattern = pattern(schemaOf('auth.useLink').field('token'));
      return `/login/link/${typeof token === 'string' && tokenPattern.test(token) ? token : `${'a'.repeat(24)}.${'b'.repeat(24)}`}`;
    },
    bodies: (ctx) => {
      // A well-formed token (from the schema's own pattern) that names nothing.
      const wellFormed = fc.stringMatching(pattern(schemaOf('auth.useLink').field('token'))).filter((tk) => tk !== ctx.linkToken);
      // The real link (valid once; afterwards "used"), or a well-formed token that names nothing.
      const valid = validFields('auth.useLink', { token: fc.oneof(fc.constant(ctx.linkToken), wellFormed), password: goodPassword });
      return schemaMix(
        'auth.useLink',
        valid,
        [fc.tuple(wellFormed, goodPassword).map(([tk, p]) => bad(fieldsOf({ token: tk, password: p }), 'handler', 'a token that names no link'))],
        {
          validWeight: 1,
          alsoInvalid: { password: commonPassword },
        },
      );
    },
  },
  {
    name: 'auth.changePassword',
    as: 'password',
    page: () => '/account',
    afterSuccess: async (body, ctx) => {
      ctx.password = body.fields.find(([n]) => n === 'newPassword')![1] as string;
    },
    bodies: (ctx) => {
      const current = fc.constant(null).map(() => ctx.password);
      const valid = validFields('auth.changePassword', { currentPassword: current, newPassword: goodPassword });
      return schemaMix(
        'auth.changePassword',
        valid,
        [
          fc
            .tuple(fc.string({ minLength: 1, maxLength: 40 }), goodPassword)
            .filter(([c]) => c !== ctx.password)
            .map(([c, n]) => bad(fieldsOf({ currentPassword: c, newPassword: n }), 'handler', 'wrong current password')),
          current.map((c) => bad(fieldsOf({ currentPassword: c, newPassword: c }), 'handler', 'new password same as current')),
        ],
        { validWeight: 1, alsoInvalid: { newPassword: commonPassword } },
      );
    },
  },
  {
    name: 'auth.logout',
    as: 'logout',
    page: () => '/logout',
    afterSuccess: async (_body, ctx) => {
      const { cookie } = await signIn(ctx.base, ctx.users.logout.email, PASSWORD);
      expect(cookie).toBeTruthy();
      ctx.cookies.logout = cookie!;
    },
    // A valid sign-out ends the session (a new sign-in follows): kept to about one body in ten.
    bodies: () => schemaMix('auth.logout', validFields('auth.logout', {}), [], { validWeight: 1, unknownWeight: 4 }),
  },
];

fuzzFile(import.meta.url, { actions });
