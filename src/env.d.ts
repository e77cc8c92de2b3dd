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
    /** This response shows the answer to a post (src/lib/server/post-redirect-get.ts): the page focuses it. */
    postResult?: boolean;
    /** The fields of that post as typed, without passwords, tokens or files; pages refill refused forms from it. */
    formInput?: URLSearchParams;
  }
}
