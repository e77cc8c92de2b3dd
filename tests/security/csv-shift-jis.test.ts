/**
 * Issue 11, item 7: a CP932 users file (what Excel on Japanese Windows writes) answered
 * `ok:true, created:2` and stored `�R�c ���Y` and a department `������`. Imports now accept
 * UTF-8 (with or without BOM) and Shift_JIS/CP932, decoded strictly (src/platform/input/csv-decode.ts):
 * valid UTF-8 is UTF-8, else strict CP932, else refused naming the first bad line. Nothing
 * with U+FFFD is ever stored. Users (browser and CLI) and help-desk imports alike.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCsv } from '../../src/platform/input/csv-decode.ts';
import { afterPost, type App, dumpDatabase, ROOT, startApp } from './support.ts';
import { databaseEnv, sqlRows } from '../helpers/db.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ users: { admin: { role: 'admin', department: 'IT' }, clerk: { department: '総務部', password: null } } });
});
afterAll(() => app?.stop());

const HEADER = 'email,name,department,role\r\n';
const ascii = (text: string): number[] => [...Buffer.from(text, 'ascii')];

async function upload(action: 'importUsers' | 'importInquiries', bytes: Uint8Array, locale: 'ja' | 'en' = 'ja'): Promise<{ status: number; html: string }> {
  const form = new FormData();
  form.set('file', new File([new Uint8Array(bytes)], 'excel.csv', { type: 'text/csv' }));
  const page = `${locale === 'en' ? '/en' : ''}${action === 'importUsers' ? '/admin/users' : '/admin/helpdesk'}`;
  const posted = await fetch(`${app.url}${page}?_action=admin.${action}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: app.cookies.admin!, origin: app.url },
    body: form,
  });
  // post/redirect/get: the import report is on the page the 303 leads to
  const response = await afterPost(app.url, posted, app.cookies.admin);
  return { status: response.status, html: await response.text() };
}

const user = async (email: string): Promise<{ display_name: string; department: string } | undefined> =>
  (
    await sqlRows<{ display_name: string; department: string }>(
      app.db,
      'select u.display_name, d.name department from users u join departments d on d.id = u.department_id where u.email = ?',
      email,
    )
  )[0];

const countUsers = async (): Promise<number> => (await sqlRows<{ n: number }>(app.db, 'select cast(count(*) as integer) n from users'))[0]!.n;

describe('Shift_JIS (CP932) and UTF-8 imports', () => {
  it('imports a CP932 file made by the encoder: names and a new department stored exactly', async () => {
    const text = `${HEADER}yamada@example.com,山田 太郎,経営企画部,learner\r\nsato@example.com,佐藤 ①㈱髙﨑ｶﾀｶﾅ,経営企画部,champion\r\n`;
    const { status } = await upload('importUsers', iconv.encode(text, 'cp932'));
    expect(status).toBe(200);
    expect(await user('yamada@example.com')).toEqual({ display_name: '山田 太郎', department: '経営企画部' });
    expect(await user('sato@example.com')).toEqual({ display_name: '佐藤 ①㈱髙﨑ｶﾀｶﾅ', department: '経営企画部' });
  });

  it('decodes hand-written CP932 bytes: kanji, half-width katakana, NEC specials, IBM extensions', async () => {
    const name = [
      ...[0x8e, 0x52, 0x93, 0x63], // 山田
      0x20,
      ...[0xb6, 0xc0, 0xb6, 0xc5], // ｶﾀｶﾅ (half-width, one byte each)
      ...[0x87, 0x40, 0x87, 0x8a], // ① ㈱ (NEC special characters, row 13)
      ...[0xfb, 0xfc, 0xfa, 0xb1], // 髙 﨑 (IBM extensions)
      ...[0xed, 0x40], // 纊 (NEC-selected IBM extension)
    ];
    const department = [0x89, 0x63, 0x8b, 0xc6, 0x95, 0x94]; // 営業部
    // The hand-written bytes are what the library's encoder writes, too.
    expect([...iconv.encode('山田 ｶﾀｶﾅ①㈱髙﨑', 'cp932')]).toEqual(name.slice(0, -2));
    expect([...iconv.encode('営業部', 'cp932')]).toEqual(department);
    const bytes = Uint8Array.from([...ascii(HEADER), ...ascii('hand@example.com,'), ...name, 0x2c, ...department, ...ascii(',learner\r\n')]);
    const { status } = await upload('importUsers', bytes);
    expect(status).toBe(200);
    expect(await user('hand@example.com')).toEqual({ display_name: '山田 ｶﾀｶﾅ①㈱髙﨑纊', department: '営業部' });
  });

  it('imports UTF-8 with and without a BOM', async () => {
    const bom = await upload('importUsers', Buffer.from(`\uFEFF${HEADER}bom@example.com,鈴木 花子,人事部,learner\r\n`));
    const plain = await upload('importUsers', Buffer.from(`${HEADER}plain@example.com,高橋 一郎,人事部,learner\r\n`));
    expect([bom.status, plain.status]).toEqual([200, 200]);
    expect(await user('bom@example.com')).toEqual({ display_name: '鈴木 花子', department: '人事部' });
    expect((await user('plain@example.com'))!.display_name).toBe('高橋 一郎');
  });

  it('refuses a file that is neither, naming the first bad line, and stores nothing', async () => {
    const before = await countUsers();
    const latin1 = Buffer.from(`${HEADER}a@example.com,Ana,Ventas,learner\r\nb@example.com,José Müller,Ventas,learner\r\n`, 'latin1');
    const cp932WithBadByte = Buffer.concat([
      iconv.encode(`${HEADER}c@example.com,田中,総務部,learner\r\nd@example.com,`, 'cp932'),
      Buffer.from([0x82, 0x2c]),
      Buffer.from('総務部,learner\r\n'),
    ]);
    const utf8WithBadByte = Buffer.concat([
      Buffer.from(`${HEADER}e@example.com,伊藤,総務部,learner\r\nf@example.com,渡辺,総務部,learner\r\ng@example.com,`),
      Buffer.from([0xff]),
      Buffer.from(',総務部,learner\r\n'),
    ]);
    const lost = Buffer.from(`${HEADER}h@example.com,\uFFFD\uFFFD,総務部,learner\r\n`);
    for (const [bytes, message] of [
      [latin1, '3行目：UTF-8 としても Shift_JIS（CP932）としても読み取れません'],
      [cp932WithBadByte, '3行目：UTF-8 としても Shift_JIS（CP932）としても読み取れません'],
      [utf8WithBadByte, '4行目：UTF-8 としても Shift_JIS（CP932）としても読み取れません'],
      [randomBytes(4096), 'UTF-8 としても Shift_JIS（CP932）としても読み取れません'],
      [lost, '2行目：U+FFFD（�）が含まれています'],
    ] as const) {
      const { status, html } = await upload('importUsers', bytes);
      expect(status, message).toBe(400);
      expect(html).toContain(message);
    }
    expect(await countUsers()).toBe(before);
  });

  it('applies to the help-desk import too', async () => {
    const ok = await upload('importInquiries', iconv.encode('month,department,count\r\n2026-04,総務部,7\r\n', 'cp932'));
    expect(ok.status).toBe(200);
    const rows = await sqlRows(app.db, 'select h.count, d.name from helpdesk_inquiries h join departments d on d.id = h.department_id');
    expect(rows).toEqual([{ count: 7, name: '総務部' }]);
    const bad = await upload('importInquiries', Buffer.from('month,department,count\r\n2026-05,Ventas Españ,3\r\n', 'latin1'));
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('2行目：UTF-8 としても Shift_JIS（CP932）としても読み取れません');
    // the English page says it in English
    const en = await upload('importInquiries', Buffer.from('month,department,count\r\n2026-05,Ventas Españ,3\r\n', 'latin1'), 'en');
    expect(en.html).toContain('line 2: cannot be read as UTF-8 or as Shift_JIS (CP932)');
  });

  it('the CLI reads the same encodings', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-sjis-'));
    try {
      const file = path.join(dir, 'staff.csv');
      fs.writeFileSync(file, iconv.encode(`${HEADER}cli@example.com,中村 ㈱ｶﾅ,法務部,learner\r\n`, 'cp932'));
      const result = spawnSync(process.execPath, ['src/cli/users-import.ts', file], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...databaseEnv(app.file) } });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('(cp932)');
      expect(await user('cli@example.com')).toEqual({ display_name: '中村 ㈱ｶﾅ', department: '法務部' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never stores U+FFFD', async () => {
    expect(await dumpDatabase(app.db)).not.toContain('\uFFFD');
  });

  it('decodes strictly: UTF-8 first, then CP932, else the line where the likelier encoding stops', () => {
    expect(decodeCsv(Buffer.from('a,b\n'))).toEqual({ ok: true, text: 'a,b\n', encoding: 'utf-8' });
    // Bytes that are valid in both (UTF-8 "ﾃ" reads as CP932 "繝"): UTF-8 wins.
    expect(decodeCsv(Buffer.from('ﾃ'))).toMatchObject({ ok: true, encoding: 'utf-8', text: 'ﾃ' });
    expect(decodeCsv(Uint8Array.from([0x41, 0x0a, 0x80]))).toEqual({ ok: false, line: 2, reason: 'unknown_encoding' });
    expect(decodeCsv(Uint8Array.from([0x41, 0x0d, 0x0a, 0x42, 0x0d, 0x0a, 0xf0, 0x40]))).toEqual({ ok: false, line: 3, reason: 'unknown_encoding' });
    expect(decodeCsv(Uint8Array.from([0x41, 0x0a, 0x82]))).toEqual({ ok: false, line: 2, reason: 'unknown_encoding' });
  });
});
