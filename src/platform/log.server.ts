/** Structured logs: one JSON line per event (pino), with the request id when there is one. Never secrets. */
import pino from 'pino';
import { getConfig } from './config.server.ts';

let instance: pino.Logger | null = null;

/** Made on first use, so importing this module never reads the configuration (entry points validate it first). */
function base(): pino.Logger {
  instance ??= pino({
    level: getConfig().logLevel,
    base: { service: 'manabi' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.password', '*.token', '*.cookie', '*.authorization', 'password', 'token', 'cookie'], censor: '[redacted]' },
  });
  return instance;
}

const at = (level: 'fatal' | 'error' | 'warn' | 'info' | 'debug'): pino.LogFn =>
  function (this: unknown, ...args: unknown[]): void {
    const target = base();
    (target[level] as (...a: unknown[]) => void).apply(target, args);
  } as pino.LogFn;

export const logger = { fatal: at('fatal'), error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };

/** The request id the server front (src/cli/serve.ts) put on the request, or null. */
export function requestIdOf(request: Request): string | null {
  return request.headers.get('x-request-id');
}
