/**
 * What a form page may show again after a post: the fields as typed, so a refused form is
 * re-rendered with the user's input (src/platform/http/post-redirect-get.server.ts keeps it for the one
 * redirect). Passwords, one-time tokens and files are never kept.
 */

/** Field names that are never kept: passwords (`password`, `currentPassword`, `newPassword`) and tokens. */
const SECRET_FIELD = /password|token|secret/i;

/** More than this (in characters) is not kept at all: the form starts afresh rather than half-filled. */
export const INPUT_MAX_CHARS = 64 * 1024;

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** The form's text fields as [name, value] pairs, in order, without secrets and files. */
export function storableInput(form: FormData | null): [string, string][] {
  if (!form) return [];
  const kept: [string, string][] = [];
  let size = 0;
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string' || isSecretField(name)) continue;
    size += name.length + value.length;
    if (size > INPUT_MAX_CHARS) return [];
    kept.push([name, value]);
  }
  return kept;
}

/** A field as typed (at most `max` characters), or null when the post did not carry it. */
export function typedValue(input: URLSearchParams | null | undefined, name: string, max: number): string | null {
  const value = input?.get(name);
  return value === null || value === undefined ? null : value.slice(0, max);
}

/** Every value of a repeated field (checkboxes), as typed. */
export function typedValues(input: URLSearchParams | null | undefined, name: string): string[] {
  return input?.getAll(name) ?? [];
}

/**
 * The fields of an `application/x-www-form-urlencoded` body, as `Request.formData()` gives them
 * (the same URL parser, UTF-8 with replacement), without building a Request and its stream per
 * post: undici's Request was 5 % of a completion's CPU.
 */
export function urlencodedForm(body: Buffer): FormData {
  const form = new FormData();
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) form.append(name, value);
  return form;
}
