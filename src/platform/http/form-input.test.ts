/** What a form page may keep of a post for the redirect after it: never a password, token or file. */
import { describe, expect, it } from 'vitest';
import { INPUT_MAX_CHARS, storableInput, typedValue, typedValues } from './form-input.ts';

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
