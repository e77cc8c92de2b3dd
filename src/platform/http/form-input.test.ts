/** What a form page may keep of a post for the redirect after it: never a password, token or file. */
import { describe, expect, it } from 'vitest';
import { INPUT_MAX_CHARS, storableInput, typedValue, typedValues, urlencodedForm } from './form-input.ts';

function form(entries: [string, string | File][]): FormData {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
}

describe('storableInput', () => {
  it('keeps text fields in order, repeated fields too', () => {
    const kept = storableInput(
      form([
        ['email', 'a@example.com'],
        ['next', '/home'],
        ['answer.q1', 'a'],
        ['answer.q1', 'c'],
      ]),
    );
    expect(kept).toEqual([
      ['email', 'a@example.com'],
      ['next', '/home'],
      ['answer.q1', 'a'],
      ['answer.q1', 'c'],
    ]);
  });

  it('drops passwords, one-time tokens and files', () => {
    const kept = storableInput(
      form([
        ['email', 'a@example.com'],
        ['password', 'secret one'],
        ['currentPassword', 'secret two'],
        ['newPassword', 'secret three'],
        ['token', 'abc.def'],
        ['file', new File(['email,name'], 'users.csv')],
      ]),
    );
    expect(kept).toEqual([['email', 'a@example.com']]);
    expect(JSON.stringify(kept)).not.toMatch(/secret|abc\.def|email,name/);
  });

  it('keeps nothing of a form too big to keep', () => {
    expect(storableInput(form([['comment', 'x'.repeat(INPUT_MAX_CHARS + 1)]]))).toEqual([]);
    expect(storableInput(null)).toEqual([]);
  });
});

describe('typedValue', () => {
  it('reads a field as typed, bounded, or null when the post did not carry it', () => {
    const input = new URLSearchParams([
      ['hours', '3.5'],
      ['tasks', 'x'.repeat(20)],
      ['ids', '1'],
      ['ids', '2'],
    ]);
    expect(typedValue(input, 'hours', 10)).toBe('3.5');
    expect(typedValue(input, 'tasks', 5)).toBe('xxxxx');
    expect(typedValue(input, 'missing', 5)).toBeNull();
    expect(typedValue(undefined, 'hours', 5)).toBeNull();
    expect(typedValues(input, 'ids')).toEqual(['1', '2']);
  });
});

describe('urlencodedForm', () => {
  it('gives the fields Request.formData() gives, for awkward bodies too', async () => {
    const bodies: Buffer[] = [
      'lessonId=what-is-ai',
      'a=1&a=2&b=&=x&c',
      'q=a+b%20c%2B&&&x==y',
      'bad=%zz%4&pct=%E3%81%82%',
      'answer.q1=o1&answer.q1=o2&comment=%3Cb%3E%26%22',
      '',
      '%EF%BB%BFbom=1',
    ].map((text) => Buffer.from(text));
    bodies.push(Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0x26, 0x62, 0x3d, 0xe3, 0x81]), Buffer.from('名前=学習者&x=é', 'utf8'));
    for (const body of bodies) {
      const expected = await new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new Uint8Array(body) }).formData();
      expect([...urlencodedForm(body)], body.toString('hex')).toEqual([...expected]);
    }
  });
});
