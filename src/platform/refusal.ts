/**
 * A request a feature refuses on its rules (an unknown department, a wave that is gone), thrown
 * inside a write so nothing of it is kept. Actions answer it as an ActionError with the same code
 * and message (src/actions/define.ts); features stay free of Astro, so the CLIs and the import
 * worker can run them. The form-action definitions (src/actions/forms/) refuse with it too
 * (sign-in required, a locked course): the codes are Astro's ActionError codes.
 */
export type RefusalCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'CONFLICT' | 'CONTENT_TOO_LARGE';

export class Refusal extends Error {
  readonly code: RefusalCode;

  constructor(code: RefusalCode, message: string) {
    super(message);
    this.name = 'Refusal';
    this.code = code;
  }
}
