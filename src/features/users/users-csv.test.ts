import { describe, expect, it } from 'vitest';
import en from '../../platform/i18n/en.json' with { type: 'json' };
import ja from '../../platform/i18n/ja.json' with { type: 'json' };
import { translator } from '../../platform/i18n/index.ts';
import { cliLocale, IMPORT_PROBLEM_CODES, importProblemText } from './import-problems.ts';
import { parseUsersCsv } from './users-csv.ts';

const header = 'email,name,department,role\n';

describe('users CSV validation', () => {
  it('parses valid rows, normalising email and role, with BOM and quoted fields', () => {
    const { rows, problems } = parseUsersCsv(`\uFEFFEmail,Name,Department,Role\r\nTaro@Example.com,"山田, 太郎",営業部,Champion\r\nb@example.com,B,人事部,learner\r\n`);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, email: 'taro@example.com', name: '山田, 太郎', department: '営業部', role: 'champion' },
      { line: 3, email: 'b@example.com', name: 'B', department: '人事部', role: 'learner' },
    ]);
  });

  it('accepts columns in any order', () => {
    const { rows } = parseUsersCsv('role,department,name,email\nadmin,IT,A,a@example.com\n');
    expect(rows[0]).toMatchObject({ email: 'a@example.com', role: 'admin', department: 'IT' });
  });

  it('names every bad row and why: bad email, unknown role, duplicate, empty fields', () => {
    const { rows, problems } = parseUsersCsv(
      header +
        'ok@example.com,OK,営業部,learner\n' +
        'not-an-email,B,営業部,learner\n' +
        'c@example.com,C,営業部,boss\n' +
        'OK@example.com,Again,営業部,learner\n' +
        'd@example.com,,,learner\n',
    );
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [3, 'bad_email'],
      [4, 'unknown_role'],
      [5, 'duplicate_in_file'],
      [6, 'missing_name'],
      [6, 'missing_department'],
    ]);
    expect(importProblemText(translator('en'), problems[0]!)).toBe('line 3: bad email "not-an-email"');
    expect(importProblemText(translator('ja'), problems[0]!)).toBe('3行目：メールアドレス「not-an-email」が正しくありません');
    expect(importProblemText(translator('en'), problems[2]!)).toBe('line 5: duplicate: ok@example.com is already on line 2');
    expect(importProblemText(translator('ja'), problems[2]!)).toBe('5行目：重複：ok@example.com は2行目にもあります');
  });

  it('refuses a file with missing or unknown columns', () => {
    expect(parseUsersCsv('email,name\na@example.com,A\n').problems[0]).toMatchObject({ code: 'missing_columns', params: { columns: 'department, role' } });
    expect(parseUsersCsv('email,name,department,role,salary\n').problems[0]).toMatchObject({ code: 'unknown_columns', params: { columns: 'salary' } });
  });

  it('reports rows with the wrong number of fields and malformed CSV', () => {
    expect(parseUsersCsv(`${header}a@example.com,A,営業部\n`).problems[0]).toMatchObject({ line: 2, code: 'wrong_field_count' });
    expect(parseUsersCsv(`${header}"a@example.com,A,営業部,learner\n`).problems[0]?.code).toBe('malformed_csv');
  });

  it('reports an empty file and skips blank lines', () => {
    expect(parseUsersCsv('').problems[0]?.code).toBe('empty_file');
    expect(parseUsersCsv(`${header}\n\na@example.com,A,営業部,learner\n`).rows).toHaveLength(1);
  });

  it('limits names and departments to 100 characters', () => {
    const long = 'あ'.repeat(101);
    const { problems } = parseUsersCsv(`${header}a@example.com,${long},${long},learner\n`);
    expect(problems.map((p) => p.code)).toEqual(['name_too_long', 'department_too_long']);
  });

  it("stores a person's name as given (only trimmed), and the department NFKC-normalised", () => {
    const { rows } = parseUsersCsv(`${header}a@example.com,"  佐藤　①㈱髙﨑ｶﾀｶﾅ\uF91D  ",ＩＴ部,learner\n`);
    expect(rows[0]).toMatchObject({ name: '佐藤　①㈱髙﨑ｶﾀｶﾅ\uF91D', department: 'IT部' });
  });
});

describe('import problems in both languages', () => {
  it('has a message for every code in Japanese and English, with full-width colons in Japanese', () => {
    for (const code of IMPORT_PROBLEM_CODES) {
      const key = `import.problem.${code}` as keyof typeof ja;
      expect(ja[key], code).toBeTruthy();
      expect(en[key], code).toBeTruthy();
      expect(ja[key], code).not.toMatch(/: /);
    }
  });

  it('names the file as a whole for line 0', () => {
    expect(importProblemText(translator('en'), { line: 0, code: 'no_rows' })).toBe('file: the file has a header but no rows: nothing to import');
    expect(importProblemText(translator('ja'), { line: 0, code: 'no_rows' })).toBe('ファイル：見出しの行だけで、取り込む行がありません');
  });

  it('speaks Japanese on the command line when the locale asks for it', () => {
    expect(cliLocale({ LANG: 'ja_JP.UTF-8' })).toBe('ja');
    expect(cliLocale({ LANG: 'ja_JP.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(cliLocale({ LANG: 'C.UTF-8' })).toBe('en');
    expect(cliLocale({})).toBe('en');
    expect(cliLocale({ LC_MESSAGES: 'ja' })).toBe('ja');
  });
});
