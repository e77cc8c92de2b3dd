/**
 * Checklist 7: passwords are hashed with argon2id (m=19456 KiB, t=2, p=1); the policy is 8–256
 * characters, no composition rules, no truncation, and common passwords are refused — checked
 * through the real account page and one-time link page, not only the policy function.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginTokens, users } from '../../db/schema/index.ts';
import { checkPasswordPolicy, hashPassword, PASSWORD_HASH_OPTIONS, verifyPassword } from '../../src/features/auth/password.server.ts';
import { signIn } from '../helpers/http.ts';
import { afterPost, PASSWORD, post, startApp, submit, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

const ARGON2ID_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';
let app: App;
let current = PASSWORD;

beforeAll(async () => {
  app = await startApp({ users: { pat: {}, admin: { role: 'admin', department: 'IT' }, invited: { password: null } } });
});

afterAll(async () => {
  await app?.stop();
});

const storedHash = async (key: string) => first(await rawDrizzle(app.db).select({ hash: users.passwordHash }).from(users).where(eq(users.id, app.ids[key]!)))!.hash;

/**
 * Changes pat's password on the account page; on success the new one is current. Post/redirect/get:
 * the post answers 303, and the page it leads to shows the answer once (400 refused, 200 changed).
 */
async function change(newPassword: string, locale = ''): Promise<{ posted: number; status: number; html: string }> {
  const response = await post(app.url, `${locale}/account?_action=auth.changePassword`, app.cookies.pat, { currentPassword: current, newPassword });
  const page = await afterPost(app.url, response, app.cookies.pat);
  const html = await page.text();
  if (page.status === 200) current = newPassword;
  return { posted: response.status, status: page.status, html };
}

async function expectRefused(newPassword: string, message: string, locale = ''): Promise<void> {
  const hash = await storedHash('pat');
  const { posted, status, html } = await change(newPassword, locale);
  expect(posted).toBe(303);
  expect(status, `${[...newPassword].length} characters`).toBe(400);
  expect(html).toContain(message);
  expect(await storedHash('pat')).toBe(hash);
}

async function expectAccepted(newPassword: string): Promise<void> {
  const { posted, status, html } = await change(newPassword);
  expect(posted).toBe(303);
  expect(status, `${[...newPassword].length} characters: ${newPassword.slice(0, 20)}`).toBe(200);
  expect(html).toContain('パスワードを変更しました');
  expect((await storedHash('pat'))!.startsWith(ARGON2ID_PREFIX)).toBe(true);
  expect(await verifyPassword((await storedHash('pat'))!, newPassword)).toBe(true);
}

describe('checklist 7: argon2id m=19456 KiB, t=2, p=1; 8–256 characters, no composition rules, no truncation, common passwords refused', () => {
  it('hashes with argon2id at m=19456 KiB, t=2, p=1, salted', async () => {
    expect(PASSWORD_HASH_OPTIONS).toEqual({ algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const a = await hashPassword('the same password');
    const b = await hashPassword('the same password');
    expect(a.startsWith(ARGON2ID_PREFIX)).toBe(true);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, 'the same password')).toBe(true);
    expect(await verifyPassword(a, 'the same passworD')).toBe(false);
    // what the app stored for the seeded user, and for a password set on the account page
    expect((await storedHash('pat'))!.startsWith(ARGON2ID_PREFIX)).toBe(true);
    await expectAccepted('a fresh password for pat');
  });

  it('refuses fewer than 8 characters and accepts 8, counting characters, not bytes or UTF-16 units', async () => {
    await expectRefused('short77', 'パスワードは8文字以上にしてください。');
    await expectRefused('short77', 'Use at least 8 characters.', '/en');
    await expectRefused('🦊🐙🦉🐢', 'パスワードは8文字以上にしてください。'); // 8 UTF-16 units, 4 characters
    await expectRefused('🦊🐙🦉🐢🦋🐝🦀', 'パスワードは8文字以上にしてください。');
    await expectAccepted('qzvxkwpt');
    await expectAccepted('🦊🐙🦉🐢🦋🐝🦀🐬');
  });

  it('accepts 256 characters and refuses 257', async () => {
    await expectAccepted('k'.repeat(200) + 'long but fine, exactly two hundred and fifty-six chars'.padEnd(56, '!'));
    expect([...current]).toHaveLength(256);
    await expectRefused('k'.repeat(257), 'パスワードは256文字以内にしてください。');
    await expectAccepted('🐙'.repeat(256)); // 512 UTF-16 units, 256 characters
    expect((await signIn(app.url, 'pat@example.com', current)).response.status).toBe(303);
    await expectRefused('🐙'.repeat(257), 'パスワードは256文字以内にしてください。');
  });

  it('has no composition rules: one kind of character is enough', async () => {
    for (const password of ['lowercase words only here', 'UPPERCASEONLYPASSWORD', '4711081523429917', 'ひらがなだけのながいあいことば', '........,,,,,,,,']) {
      expect(checkPasswordPolicy(password), password).toBeNull();
      await expectAccepted(password);
    }
  });

  it('refuses common passwords, whatever their case, on the account page', async () => {
    for (const password of ['password123', 'qwertyuiop', 'PassWord123', 'QWERTYUIOP', 'iloveyou']) {
      expect(checkPasswordPolicy(password), password).toBe('common');
      await expectRefused(password, 'よく使われているパスワードのため使えません。');
    }
    await expectRefused('password123', 'That password is too common.', '/en');
  });

  it('refuses short, long and common passwords on the one-time link page too, without using the link up', async () => {
    const page = await (await submit(app.url, '/admin/users?_action=admin.createLoginLink', app.cookies.admin, { userId: String(app.ids.invited) })).text();
    const token = /\/login\/link\/([a-z2-9]{24}\.[a-z2-9]{24})/.exec(page)![1]!;
    const use = (password: string) => post(app.url, `/login/link/${token}?_action=auth.useLink`, null, { token, password });
    for (const [password, message] of [
      ['password123', 'よく使われているパスワードのため使えません。'],
      ['qwertyuiop', 'よく使われているパスワードのため使えません。'],
      ['seven77', 'パスワードは8文字以上にしてください。'],
      ['z'.repeat(257), 'パスワードは256文字以内にしてください。'],
    ] as const) {
      const response = await use(password);
      expect(response.status, password).toBe(303);
      const shown = await afterPost(app.url, response, null);
      expect(shown.status, password).toBe(400);
      expect(await shown.text()).toContain(message);
    }
    expect(await storedHash('invited')).toBeNull();
    expect(first(await rawDrizzle(app.db).select().from(loginTokens).where(eq(loginTokens.userId, app.ids.invited!)))!.usedAt).toBeNull();
    expect((await use('an invited person’s first password')).status).toBe(303);
    expect((await storedHash('invited'))!.startsWith(ARGON2ID_PREFIX)).toBe(true);
  });

  it('never truncates: every character of a long password counts', async () => {
    const long = `${'x'.repeat(100)}${'the tail end matters'.repeat(8)}`.slice(0, 256);
    expect([...long]).toHaveLength(256);
    await expectAccepted(long);
    const attempts = [
      long.slice(0, 72), // where bcrypt would stop
      long.slice(0, 128),
      long.slice(0, 255),
      `${long.slice(0, 255)}${long.at(-1) === 'y' ? 'z' : 'y'}`, // only the 256th character differs
    ];
    for (const attempt of attempts) {
      expect((await signIn(app.url, 'pat@example.com', attempt)).page.status, `${attempt.length} characters`).toBe(401);
    }
    expect((await signIn(app.url, 'pat@example.com', long)).response.status).toBe(303);
  });

  it('refuses a sign-in password over 256 characters as too long, before any hashing', async () => {
    const response = await submit(app.url, '/login?_action=auth.login', null, { email: 'pat@example.com', password: 'p'.repeat(257) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('パスワードは256文字以内です。');
  });
});
