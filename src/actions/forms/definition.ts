/**
 * One definition per form action: its name, its input schema and what it runs, free of Astro.
 * Astro's action layer wraps it (`formAction` in src/actions/define.ts) and a handler in the
 * front server can run the very same parse and work. `run` refuses with a `Refusal` (an
 * ActionError code and message), which each caller answers its own way.
 */
import type { z } from 'astro/zod';
import type { SessionUser } from '../../features/auth/session.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { Refusal } from '../../platform/refusal.ts';

/** What a form action gets from the request pipeline (Astro's `locals`, or the front server's). */
export interface FormContext {
  user: SessionUser | null;
  /** The database handle, as pages and actions get it (`locals.db`). */
  db: App.Locals['db'];
  locale: Locale;
}

export interface FormActionDefinition<Input, Output> {
  /** `group.name`, as the form posts it: `?_action=lesson.complete`. */
  name: string;
  /** The form's fields; null: `run` gets the FormData and reads it itself. */
  input: z.ZodType<Input> | null;
  run: (input: Input, context: FormContext) => Promise<Output>;
}

/** The identity, typed: `Input` and `Output` inferred from the definition. */
export function defineForm<Input, Output>(definition: FormActionDefinition<Input, Output>): FormActionDefinition<Input, Output> {
  return definition;
}

export function signedIn(context: FormContext): SessionUser {
  if (!context.user) throw new Refusal('UNAUTHORIZED', 'Sign-in required.');
  return context.user;
}

/** The answer to work on a locked course (the rule: src/features/progress/progress.server.ts `lockedFor`). */
export function courseLocked(): Refusal {
  return new Refusal('FORBIDDEN', 'This course is locked until its prerequisites are complete.');
}
