/** Structured logs: one JSON line per event (pino), with the request id when there is one. Never secrets. */
import pino from 'pino';

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  base: { service: 'manabi' },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: ['*.password', '*.token', '*.cookie', '*.authorization', 'password', 'token', 'cookie'], censor: '[redacted]' },
});

/** The request id the server front (src/cli/serve.ts) put on the request, or null. */
export function requestIdOf(request: Request): string | null {
  return request.headers.get('x-request-id');
}
