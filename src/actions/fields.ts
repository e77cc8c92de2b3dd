/** Form fields and checks shared by the admin actions. */
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { MONTH_PATTERN } from '../platform/dates.ts';
import { MAX_ID } from '../platform/input/id.ts';

export const Id = z.coerce.number().int().positive().max(MAX_ID);
export const Month = z.string().regex(MONTH_PATTERN);
export const Day = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/)
  // The pattern lets 2026-02-31 through; a real calendar day round-trips.
  // Zod runs this check even when the pattern failed, so it must not throw on any string.
  .refine((day) => {
    const date = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
  }, 'invalid_date');
/** An optional id: an empty form field arrives as null (or undefined when the field is optional). */
export const OptionalId = Id.nullish();

export async function readUpload(file: unknown, maxBytes: number): Promise<Uint8Array> {
  if (!(file instanceof File) || file.size === 0) throw new ActionError({ code: 'BAD_REQUEST', message: 'no_file' });
  if (file.size > maxBytes) throw new ActionError({ code: 'CONTENT_TOO_LARGE', message: 'file_too_large' });
  return new Uint8Array(await file.arrayBuffer());
}
