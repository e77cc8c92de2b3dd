/**
 * Issue 11, item 10: look-alike identities. `ｌｅａｒｎｅｒ@manabi.example` (full-width) became a
 * second account next to `learner@manabi.example`, `learner@ｍａｎａｂｉ.example` was accepted,
 * names made of U+200B or holding U+202E were accepted, and an invisible department was
 * created. Emails are now NFKC-normalised and lower-cased before every comparison and store
 * (src/platform/input/email.ts); invisible, control and bidi-override characters are refused in names,
 * departments, wave names, descriptions, comments and check-in text with a message naming the
 * field (src/platform/input/text.ts), at every door: sign-in, the admin form, the CLI, CSV import, single
 * sign-on, waves, lesson feedback and the check-in.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departments, lessonFeedback, users, waves } from '../../db/schema/index.ts';
import { isValidEmail, normalizeEmail } from '../../src/platform/input/email.ts';
import { hasInvisibleCharacters, normalizeName } from '../../src/platform/input/text.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { finish, toCallback } from '../helpers/oidc-flow.ts';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { freePort } from '../helpers/server.ts';
import { afterPost, PASSWORD, post, ROOT, sessionCookieFrom, rawRequest, startApp, submit, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { databaseEnv, sqlRows } from '../helpers/db.ts';
import { first } from '../../src/platform/query.ts';

const FULL_WIDTH = 'ｌｅａｒｎｅｒ@example.com';
const FULL_WIDTH_DOMAIN = 'learner@ｅｘａｍｐｌｅ.com';
/** Names that look empty, or that turn the text around, or hide something. */
const HIDDEN = [
  '\u200b',
  '\u200b\u200b\u200b',
  'Admin\u202e',
  'ad\u200bmin',
  '\u2066Sato\u2069',
  '\ufeffSato',
  'Sa\u00adto',
  '\u3164',
  '\u2800',
  'Sa\u0007to',
  'Sa\nto',
  'Sato\u200f',
];

describe('the one normaliser and validator', () => {
  it('makes full-width and differently cased spellings one address', () => {
    for (const spelling of [FULL_WIDTH, FULL_WIDTH_DOMAIN, ' LEARNER@Example.COM ', 'ｌｅａｒｎｅｒ＠ｅｘａｍｐｌｅ．ｃｏｍ']) {
      expect(normalizeEmail(spelling), spelling).toBe('learner@example.com');
      expect(isValidEmail(spelling), spelling).toBe(true);
    }
  });

  it('refuses addresses that stay look-alikes or hide characters after NFKC', () => {
    for (const bad of [
      'lеarner@example.com' /* Cyrillic е */,
      'learner\u200b@example.com',
      'learner@exam\u202eple.com',
      'ﾚ@example.com',
      'learner@example',
      '@example.com',
      'a b@example.com',
    ]) {
      expect(isValidEmail(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('refuses invisible, control and bidi characters in names, and keeps real names', () => {
    for (const name of HIDDEN) expect(hasInvisibleCharacters(name), JSON.stringify(name)).toBe(true);
    for (const name of ['山田 太郎', 'José Müller', '葛\u{E0100}城 一郎', 'ＩＴ部', 'ｶﾀｶﾅ', 'O’Brien', '情報システム部']) expect(hasInvisibleCharacters(name), name).toBe(false);
    expect(normalizeName('  ＩＴ部 ')).toBe('IT部');
    expect(normalizeName('ｶﾀｶﾅ　部')).toBe('カタカナ 部');
    // comments may have line breaks, not bidi overrides
    expect(hasInvisibleCharacters('line one\nline two', { multiline: true })).toBe(false);
    expect(hasInvisibleCharacters('fine \u202eenif', { multiline: true })).toBe(true);
  });
});

describe('every door of the real server', () => {
  let app: App;
  let provider: TestProvider;
  const catalog = fixtureCatalog();
  const course = catalog.course('basic-ai-essentials')!;
  const lesson = course.lessons[0]!;
  const count = async (table: typeof users | typeof departments | typeof waves): Promise<number> => (await rawDrizzle(app.db).select().from(table)).length;

  beforeAll(async () => {
    const [port, providerPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    app = await startApp({
      users: { learner: {}, admin: { role: 'admin', department: 'IT' } },
      port,
      env: {
        SITE_URL: url,
        AUTH_MODE: 'both',
        OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
        OIDC_CLIENT_ID: 'manabi',
        OIDC_CLIENT_SECRET: 'test-client-secret-0123456789abcdef',
        OIDC_SCOPES: 'openid email profile groups',
        OIDC_CLAIM_DEPARTMENT: 'department',
        OIDC_ALLOW_HTTP: 'true',
      },
    });
    provider = await startProvider({ port: providerPort, redirectUris: [`${url}/login/oidc/callback`], postLogoutRedirectUris: [`${url}/login?signed_out=1`] });
  });

  afterAll(async () => {
    await app?.stop();
    await provider?.close();
  });

  // post/redirect/get: each answer (409, 400 with the message, 200 with the link) is on the page the 303 leads to
  const createUser = (fields: Record<string, string>) =>
    submit(app.url, '/admin/users?_action=admin.createUser', app.cookies.admin, { name: 'Someone', department: 'Sales', role: 'learner', ...fields });

  it('sign-in: a full-width spelling is the same account, not a different one', async () => {
    for (const spelling of [FULL_WIDTH, FULL_WIDTH_DOMAIN]) {
      const response = await rawRequest(app.url, '/login?_action=auth.login', {
        method: 'POST',
        headers: { origin: app.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: spelling, password: PASSWORD }).toString(),
      });
      expect(response.status, spelling).toBe(303);
      const cookie = sessionCookieFrom(response.setCookies)!;
      const home = await fetch(`${app.url}/home`, { headers: { cookie }, redirect: 'manual' });
      expect(await home.text()).toContain('learner');
    }
  });

  it('admin form: a full-width or full-width-domain twin of an existing email is refused as taken', async () => {
    const before = await count(users);
    for (const email of [FULL_WIDTH, FULL_WIDTH_DOMAIN]) {
      const response = await createUser({ email });
      expect(response.status, email).toBe(409);
    }
    expect(await count(users)).toBe(before);
    // a new full-width address is stored in its plain form
    expect((await createUser({ email: 'ｎｅｗｃｏｍｅｒ@Example.com', name: 'Newcomer' })).status).toBe(200);
    expect(first(await rawDrizzle(app.db).select().from(users).where(eq(users.email, 'newcomer@example.com')))?.displayName).toBe('Newcomer');
  });

  it('admin form: hidden characters in the name or the department are refused with a message naming the field; nothing is created', async () => {
    const [usersBefore, departmentsBefore] = [await count(users), await count(departments)];
    for (const name of HIDDEN) {
      const response = await createUser({ email: `hidden${HIDDEN.indexOf(name)}@example.com`, name });
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(await response.text(), JSON.stringify(name)).toContain('名前に、見えない文字や制御文字');
    }
    for (const department of ['\u200b', 'Sales\u202e', '\u3164\u3164']) {
      const response = await createUser({ email: 'dept@example.com', department });
      expect(response.status, JSON.stringify(department)).toBe(400);
      expect(await response.text()).toContain('部門名に、見えない文字や制御文字');
    }
    // the English page names the field in English
    const en = await submit(app.url, '/en/admin/users?_action=admin.createUser', app.cookies.admin, {
      email: 'e@example.com',
      name: '\u200b',
      department: 'Sales',
      role: 'learner',
    });
    expect(await en.text()).toContain('The name contains invisible or control characters');
    expect([await count(users), await count(departments)]).toEqual([usersBefore, departmentsBefore]);
  });

  it('admin form: a full-width department is the same department as its plain spelling, also for one stored before the fix', async () => {
    const before = await count(departments);
    expect((await createUser({ email: 'it1@example.com', department: 'IT' })).status).toBe(200);
    expect((await createUser({ email: 'it2@example.com', department: 'ＩＴ' })).status).toBe(200);
    expect(await count(departments)).toBe(before);
    // a row created in full width by the old code still takes its plain spelling
    await rawDrizzle(app.db).insert(departments).values({ name: 'ＨＲ部' });
    expect((await createUser({ email: 'hr1@example.com', department: 'hr部' })).status).toBe(200);
    expect(await count(departments)).toBe(before + 1);
  });

  it('CSV import: look-alike duplicates and hidden characters are reported by line, and nothing is imported', async () => {
    const csv = [
      'email,name,department,role',
      `${FULL_WIDTH},Twin,Sales,learner`,
      'fine@example.com,\u200b,Sales,learner',
      'fine2@example.com,Fine,\u202eSales,learner',
      'fine3@example.com,Fine,Sales,learner',
      '',
    ].join('\n');
    const before = await count(users);
    // post/redirect/get: the import report (400, nothing imported) is on the page the 303 leads to
    const upload = async (page: string): Promise<string> => {
      const form = new FormData();
      form.set('file', new File([csv], 'users.csv', { type: 'text/csv' }));
      const response = await afterPost(
        app.url,
        await fetch(`${app.url}${page}?_action=admin.importUsers`, { method: 'POST', redirect: 'manual', headers: { cookie: app.cookies.admin!, origin: app.url }, body: form }),
        app.cookies.admin,
      );
      expect(response.status).toBe(400);
      return response.text();
    };
    const ja = await upload('/admin/users');
    expect(ja).toContain('2行目：重複：learner@example.com はすでに登録されています');
    expect(ja).toContain('3行目：氏名に、見えない文字や制御文字');
    expect(ja).toContain('4行目：部門名に、見えない文字や制御文字');
    expect(ja).toContain('既存ユーザーの氏名・部門・役割を更新する」にチェックを入れて');
    const en = await upload('/en/admin/users');
    expect(en).toContain('line 2: duplicate: learner@example.com is already a user');
    expect(en).toContain('line 3: name contains invisible or control characters');
    expect(en).toContain('line 4: department contains invisible or control characters');
    expect(await count(users)).toBe(before);
  });

  it('CLI user:create: a look-alike of an existing email and a hidden name are refused', async () => {
    // Asynchronously, so the test's own HTTP connections stay looked after meanwhile.
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['src/cli/user-create.ts', ...args, '--password-stdin'], { cwd: ROOT, env: { ...process.env, ...databaseEnv(app.file) } });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (status) => resolve({ status, stderr }));
        child.stdin.on('error', () => undefined);
        child.stdin.end('a long enough password\n');
      });
    const [twin, hidden] = await Promise.all([
      run(['--email', FULL_WIDTH, '--name', 'Twin', '--department', 'Sales']),
      run(['--email', 'cli@example.com', '--name', 'Cli\u202e', '--department', 'Sales']),
    ]);
    expect(twin.status).toBe(1);
    expect(twin.stderr).toContain('a user with the email learner@example.com already exists');
    expect(hidden.status).toBe(1);
    expect(hidden.stderr).toContain('--name contains invisible or control characters');
    expect(first(await rawDrizzle(app.db).select().from(users).where(eq(users.email, 'cli@example.com')))).toBeNull();
  });

  it('waves: a hidden wave name or description is refused, naming the field', async () => {
    const before = await count(waves);
    const wave = (fields: Record<string, string>) =>
      submit(app.url, '/admin/waves?_action=admin.saveWave', app.cookies.admin, {
        waveId: '',
        name: 'Pilot',
        position: '0',
        startDate: '2026-04-01',
        endDate: '2026-06-30',
        description: '',
        ...fields,
      });
    const name = await wave({ name: '\u200b' });
    expect(name.status).toBe(400);
    expect(await name.text()).toContain('展開の段階の名前に、見えない文字や制御文字');
    const description = await wave({ description: 'Pilot for sales \u202eevlos' });
    expect(description.status).toBe(400);
    expect(await description.text()).toContain('説明に、見えない文字や制御文字');
    expect(await count(waves)).toBe(before);
    // line breaks in a description are fine: the new wave's page confirms it
    const saved = await wave({ description: 'First line\nSecond line' });
    expect(saved.status).toBe(200);
    expect(saved.url).toMatch(/\/admin\/waves\/\d+$/);
  });

  it('lesson feedback and the monthly check-in: hidden characters are refused, naming the field; nothing is stored', async () => {
    const feedback = await submit(app.url, `/learn/${course.id}/${lesson.id}?_action=lesson.feedback`, app.cookies.learner, {
      lessonId: lesson.id,
      rating: '5',
      comment: 'Great \u202egnissim',
    });
    expect(feedback.status).toBe(400);
    expect(await feedback.text()).toContain('コメントに、見えない文字や制御文字');
    expect(await rawDrizzle(app.db).select().from(lessonFeedback)).toHaveLength(0);
    const multiline = await post(app.url, `/learn/${course.id}/${lesson.id}?_action=lesson.feedback`, app.cookies.learner, {
      lessonId: lesson.id,
      rating: '4',
      comment: 'Useful.\nThanks!',
    });
    expect(multiline.status).toBe(303);
    const checkin = await submit(app.url, '/home?_action=checkin.save', app.cookies.learner, { hoursSaved: '2', tasks: 'mail\u200b' });
    expect(checkin.status).toBe(400);
    expect(await checkin.text()).toContain('「どんな仕事で使いましたか？」の欄に、見えない文字や制御文字');
  });

  it('single sign-on: a full-width email signs in to the existing account; a hidden name or department is refused', async () => {
    const before = await count(users);
    provider.accounts.set('twin', { email: FULL_WIDTH, name: 'Learner', department: 'Sales' });
    const twin = await finish(await toCallback(app.url, provider.issuer, 'twin'));
    expect(twin.location).toBe('/home');
    expect(await count(users)).toBe(before);
    expect(first(await rawDrizzle(app.db).select().from(users).where(eq(users.email, 'learner@example.com')))!.oidcSubject).toBe('twin');

    for (const [key, account] of [
      ['hidden-name', { email: 'sso1@example.com', name: '\u200b\u200b' }],
      ['bidi-name', { email: 'sso2@example.com', name: 'Admin\u202e' }],
      ['hidden-department', { email: 'sso3@example.com', name: 'Sso Three', department: '\u200b' }],
    ] as const) {
      provider.accounts.set(key, account);
      const result = await finish(await toCallback(app.url, provider.issuer, key));
      expect(result.location, key).toBe('/login?sso=invisible_characters');
      expect(result.session, key).toBeNull();
    }
    expect(await count(users)).toBe(before);
    const page = await fetch(`${app.url}/login?sso=invisible_characters`);
    expect(await page.text()).toContain('見えない文字や制御文字が含まれているため、サインインできません');
  });

  it("a person's name is stored as given at every door (NFKC would rewrite ①, ㈱, ｶﾀｶﾅ and compatibility ideographs); a department stays NFKC", async () => {
    // U+F91D is a CJK compatibility ideograph: even NFC rewrites it (to U+6B04).
    const name = '佐藤　①㈱髙﨑ｶﾀｶﾅ\uF91D';
    const stored = async (email: string): Promise<{ name: string; department: string | null } | undefined> =>
      (
        await sqlRows<{ name: string; department: string | null }>(
          app.db,
          'select u.display_name name, d.name department from users u left join departments d on d.id = u.department_id where u.email = ?',
          email,
        )
      )[0];
    expect((await createUser({ email: 'form-name@example.com', name: `  ${name} `, department: 'ｓａｌｅｓ' })).status).toBe(200);
    expect(await stored('form-name@example.com')).toEqual({ name, department: 'Sales' });

    const cli = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['src/cli/user-create.ts', '--email', 'cli-name@example.com', '--name', name, '--department', 'Ｓａｌｅｓ', '--password-stdin'], {
        cwd: ROOT,
        env: { ...process.env, ...databaseEnv(app.file) },
      });
      child.on('exit', resolve);
      child.stdin.on('error', () => undefined);
      child.stdin.end('a long enough password\n');
    });
    expect(cli).toBe(0);
    expect(await stored('cli-name@example.com')).toEqual({ name, department: 'Sales' });

    provider.accounts.set('as-given', { email: 'sso-name@example.com', name: ` ${name} `, department: 'ＳＡＬＥＳ' });
    expect((await finish(await toCallback(app.url, provider.issuer, 'as-given'))).location).toBe('/home');
    expect(await stored('sso-name@example.com')).toEqual({ name, department: 'Sales' });
  });

  it('CSV import, browser (worker thread) and CLI: a plain spelling of a full-width email stored before normalisation is the same user', async () => {
    await sqlRows(app.db, "insert into users (public_id, email, display_name, role) values ('legacy-row', 'ｌｅｇａｃｙ@example.com', 'Legacy', 'learner')");
    const before = await count(users);
    const csv = 'email,name,department,role\nlegacy@example.com,Legacy Twin,Sales,learner\n';
    const form = new FormData();
    form.set('file', new File([csv], 'users.csv', { type: 'text/csv' }));
    // post/redirect/get: the report is on the page the 303 leads to
    const response = await afterPost(
      app.url,
      await fetch(`${app.url}/en/admin/users?_action=admin.importUsers`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: app.cookies.admin!, origin: app.url },
        body: form,
      }),
      app.cookies.admin,
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('line 2: duplicate: legacy@example.com is already a user');

    const file = path.join(app.dir, 'legacy.csv');
    fs.writeFileSync(file, csv);
    const importCli = (lang: string) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['src/cli/users-import.ts', file], {
          cwd: ROOT,
          env: { ...process.env, ...databaseEnv(app.file), LANG: lang, LC_ALL: '', LC_MESSAGES: '' },
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (status) => resolve({ status, stderr }));
      });
    const [english, japanese] = await Promise.all([importCli('C.UTF-8'), importCli('ja_JP.UTF-8')]);
    expect(english.status).toBe(1);
    expect(english.stderr).toContain('line 2: duplicate: legacy@example.com is already a user');
    expect(english.stderr).toContain('Use --update to change users who already exist.');
    // the problem lines in the user's language (LANG)
    expect(japanese.status).toBe(1);
    expect(japanese.stderr).toContain('2行目：重複：legacy@example.com はすでに登録されています');
    expect(japanese.stderr).toContain('--update を付けて実行してください');
    expect(await count(users)).toBe(before);
  });
});
