/** How a bad setting is reported: one line naming the variable, never a secret's value, and for entry points exit code 1. */
import type { z } from 'astro/zod';

/** A variable with a bad value (or a missing one another needs); `message` is one line without the value of a secret. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One line: each bad variable with what is wrong and the value given (never a secret's). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], raw: NodeJS.ProcessEnv): string {
  return issues
    .map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const value = raw[name];
      const shown = value === undefined || /SECRET|PASSWORD/.test(name) ? '' : ` (got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)})`;
      return `${name} ${issue.message}${shown}`;
    })
    .join('; ');
}

/**
 * For entry points: the configuration, or one line on stderr (`<prefix>: <what is wrong>.`) and
 * exit code 1; no stack trace, and nothing started or written.
 */
export function exitOnConfigError<T>(read: () => T, prefix = 'Manabi cannot start'): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${prefix}: ${error.message}.`);
    process.exit(1);
  }
}
