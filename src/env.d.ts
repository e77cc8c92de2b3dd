/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in user, read fresh from the database on every request; null when anonymous. */
    user: import('./lib/server/session.ts').SessionUser | null;
    session: import('./lib/server/session.ts').SessionInfo | null;
    /** The language of this page: from the URL (`/en/…`), else Japanese. */
    locale: import('./lib/locales.ts').Locale;
    t: import('./lib/i18n/index.ts').Translator;
    /** The practice tasks of the lesson being rendered, read by `<TryIt id="…" />` in its body. */
    practice?: import('./lib/content/schemas.ts').TryItData[];
    /** Set by a throttled action: the seconds for the Retry-After header. */
    retryAfter?: number;
    /** Set when a write failed because the database cannot store now (a 503, input not saved). */
    storageUnavailable?: boolean;
  }
}
