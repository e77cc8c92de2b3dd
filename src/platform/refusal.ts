/**
 * A request a feature refuses on its rules (an unknown department, a wave that is gone), thrown
 * inside a write so nothing of it is kept. Actions answer it as an ActionError with the same code
 * and message (src/actions/define.ts); features stay free of Astro, so the CLIs and the import
 * worker can run them.
 */
export type RefusalCode = 'BAD_REQUEST' | 'NOT_FOUND';

export class Refusal extends Error {
  readonly code: RefusalCode;

  constructor(code: RefusalCode, message: string) {
    super(message);
    this.name = 'Refusal';
    this.code = code;
  }
}
