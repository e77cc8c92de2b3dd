/**
 * The whole product in pictures: every page for the three roles (and signed out), in both
 * languages, at 1280 and 390 px wide, as PNGs under `screenshots/` (git-ignored).
 * `npm run screenshots` builds if needed, generates a small organisation some months into its
 * rollout (the bench's generator, so the dashboards have data), serves it and drives Chromium.
 * `-- --only admin` limits the run to one role; `-- --out <dir>` writes elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { generateOrganisation } from '../bench/organisation.ts';
import { buildIfStale } from '../src/cli/build-if-stale.ts';
import { openDatabase } from '../src/lib/server/db.ts';
import { launchChromium } from '../tests/helpers/browser.ts';
import { shippedCatalog } from '../tests/helpers/catalog.ts';
import { tempDir } from '../tests/helpers/db.ts';
import { signIn } from '../tests/helpers/http.ts';
import { startServer } from '../tests/helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PASSWORD = 'gallery password 1';
const WIDTHS = [1280, 390] as const;
const LOCALES = ['ja', 'en'] as const;
type Role = 'anonymous' | 'learner' | 'newcomer' | 'champion' | 'admin';

const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string', default: 'screenshots' } } });
const outRoot = path.resolve(ROOT, values.out!);

buildIfStale({ root: ROOT });
const catalog = shippedCatalog();
const dir = tempDir('manabi-gallery-');
const file = path.join(dir, 'manabi.db');
const db = openDatabase(file);
const people = await generateOrganisation(db, catalog, { users: 240, departments: 6, attemptsPerUser: 2 }, PASSWORD, 'Asia/Tokyo');

// Pages that need an id from the data: a learner with a certificate and an attempt, one with nothing done.
const q = <T>(sql: string, ...args: unknown[]): T | undefined => db.$client.prepare(sql).get(...args) as T | undefined;
const learner = q<{ id: number; email: string }>(
  `select u.id, u.email from users u join certificates c on c.user_id = u.id
   where u.role = 'learner' and exists (select 1 from quiz_attempts a where a.user_id = u.id) order by u.id limit 1`,
) ?? { id: 0, email: people.learnerEmail };
const newcomer = q<{ email: string }>(
  `select u.email from users u where u.role = 'learner'
   and not exists (select 1 from lesson_completions c where c.user_id = u.id)
   and not exists (select 1 from quiz_attempts a where a.user_id = u.id) order by u.id limit 1`,
)?.email ?? people.learnerEmail;
const certificate = q<{ code: string }>('select code from certificates where user_id = ? limit 1', learner.id)?.code ?? null;
const attempt = q<{ id: string; quiz_id: string }>('select id, quiz_id from quiz_attempts where user_id = ? and submitted_at is not null limit 1', learner.id) ?? null;
const wave = q<{ id: number }>('select id from waves order by id limit 1')?.id ?? null;
db.$client.close();

const course = catalog.tiers[0]!.courses[0]!;
const lesson = course.lessons[0]!;
const quiz = course.quizzes[0]!;
const question = quiz.questions[0]!;

const PAGES: Record<Role, [name: string, path: string][]> = {
  anonymous: [
    ['landing', '/'],
    ['login', '/login'],
    ...(certificate ? ([['verify', `/verify/${certificate}`]] as [string, string][]) : []),
  ],
  newcomer: [
    ['home', '/home'],
    ['course', `/learn/${course.id}`],
  ],
  learner: [
    ['home', '/home'],
    ['tier', `/tiers/${catalog.tiers[0]!.id}`],
    ['course', `/learn/${course.id}`],
    ['lesson', `/learn/${course.id}/${lesson.id}`],
    ['quiz', `/quiz/${quiz.id}`],
    ...(attempt ? ([['quiz-result', `/quiz/${attempt.quiz_id}/attempts/${attempt.id}`]] as [string, string][]) : []),
    ...(certificate ? ([['certificate', `/certificates/${certificate}`]] as [string, string][]) : []),
    ['search', `/search?q=${encodeURIComponent('AI')}`],
    ['account', '/account'],
  ],
  champion: [['champion', '/champion']],
  admin: [
    ['dashboard', '/admin'],
    ['users', '/admin/users'],
    ['assignments', '/admin/assignments'],
    ['waves', '/admin/waves'],
    ...(wave ? ([['wave', `/admin/waves/${wave}`]] as [string, string][]) : []),
    ['helpdesk', '/admin/helpdesk'],
    ['settings', '/admin/settings'],
    ['exports', '/admin/exports'],
    ['audit', '/admin/audit'],
    ['question', `/admin/questions/${quiz.id}/${question.id}`],
  ],
};
const EMAILS: Record<Exclude<Role, 'anonymous'>, string> = {
  learner: learner.email,
  newcomer,
  champion: people.championEmail,
  admin: people.adminEmail,
};

const server = await startServer({ databasePath: file });
let browser: Browser | null = null;
let shots = 0;
const started = Date.now();
try {
  browser = await launchChromium();
  for (const role of Object.keys(PAGES) as Role[]) {
    if (values.only && values.only !== role) continue;
    const cookie = role === 'anonymous' ? null : (await signIn(server.url, EMAILS[role], PASSWORD)).cookie;
    if (role !== 'anonymous' && !cookie) throw new Error(`could not sign in as ${role} (${EMAILS[role]})`);
    for (const width of WIDTHS) {
      const context: BrowserContext = await browser.newContext({ viewport: { width, height: width > 600 ? 800 : 844 }, deviceScaleFactor: 1 });
      if (cookie) {
        const [name, value] = cookie.split('=') as [string, string];
        await context.addCookies([{ name, value, url: server.url }]);
      }
      const page = await context.newPage();
      for (const locale of LOCALES) {
        const folder = path.join(outRoot, role, `${locale}-${width}`);
        fs.mkdirSync(folder, { recursive: true });
        for (const [name, pagePath] of PAGES[role]) {
          const url = `${server.url}${locale === 'en' ? `/en${pagePath === '/' ? '/' : pagePath}` : pagePath}`;
          const response = await page.goto(url, { waitUntil: 'networkidle' });
          const status = response?.status() ?? 0;
          await page.screenshot({ path: path.join(folder, `${name}${status >= 400 ? `-${status}` : ''}.png`), fullPage: true });
          shots++;
        }
      }
      await context.close();
    }
  }
} finally {
  await browser?.close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`${shots} screenshots in ${path.relative(ROOT, outRoot) || '.'}/ (${((Date.now() - started) / 1000).toFixed(0)} s)`);
