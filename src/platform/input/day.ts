/** A calendar day as content writes it, `YYYY-MM-DD` (policies' `effective`, lessons' and quizzes' `revision`). */
import { z } from 'astro/zod';

/** `YYYY-MM-DD`, a real calendar day. YAML reads an unquoted date as a Date: both are accepted. */
export const DaySchema = z.preprocess(
  (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : value),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'use YYYY-MM-DD', abort: true })
    .refine((day) => {
      const date = new Date(`${day}T00:00:00Z`);
      // An impossible day (2026-02-30) is an invalid Date here, or rolls over into the next month.
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day);
    }, 'not a calendar day'),
);
