/** Form fields and checks shared by the admin actions. */
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { inArray } from 'drizzle-orm';
import { departments, waves } from '../../db/schema.ts';
import type { DbExecutor } from '../platform/db.server.ts';

export const Id = z.coerce.number().int().positive().max(2 ** 31);
export const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
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

/**
 * Refuses ids of departments or waves that do not exist (a forged or stale form): the foreign
 * keys would refuse them too, but as an error thrown mid-write, which answered 500.
 */
export function requireExisting(
  db: DbExecutor,
  table: typeof departments | typeof waves,
  ids: readonly number[],
  message: string,
  code: 'BAD_REQUEST' | 'NOT_FOUND' = 'BAD_REQUEST',
): void {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return;
  const found = db.select({ id: table.id }).from(table).where(inArray(table.id, wanted)).all().length;
  if (found !== wanted.length) throw new ActionError({ code, message });
}

export async function readUpload(file: unknown, maxBytes: number): Promise<Uint8Array> {
  if (!(file instanceof File) || file.size === 0) throw new ActionError({ code: 'BAD_REQUEST', message: 'no_file' });
  if (file.size > maxBytes) throw new ActionError({ code: 'CONTENT_TOO_LARGE', message: 'file_too_large' });
  return new Uint8Array(await file.arrayBuffer());
}
