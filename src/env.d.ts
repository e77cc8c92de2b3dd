/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The database (src/platform/db.server.ts), for pages and actions to pass to their feature. */
    readonly db: import('./platform/db.server.ts').Db;
    /** The signed-in user, read fresh from the database on every request; null when anonymous. */
    user: import('./features/auth/session.server.ts').SessionUser | null;
    session: import('./features/auth/session.server.ts').SessionInfo | null;
    /** The language of this page: from the URL (`/en/…`), else Japanese. */
    locale: import('./platform/i18n/locales.ts').Locale;
    t: import('./platform/i18n/index.ts').Translator;
    /** The practice tasks of the lesson being rendered and the learner's answers, read by `<TryIt id="…" />` in its body. */
    practice?: import('./features/practice/practice.ts').LessonPractice;
    /** How many <Term> the page has rendered so far: their ids (src/components/content/Term.astro). */
    termIds?: number;
    /** Required policies the signed-in user has still to acknowledge (src/middleware.ts); the layout's banner shows them. */
    policyNotices?: import('./features/policies/policies.ts').PolicyNotice[];
    /** Set by a throttled action: the seconds for the Retry-After header. */
    retryAfter?: number;
    /** Set when a write failed because the database cannot store now (a 503, input not saved). */
    storageUnavailable?: boolean;
    /** This response shows the answer to a post (src/platform/http/post-redirect-get.server.ts): the page focuses it. */
    postResult?: boolean;
    /** The fields of that post as typed, without passwords, tokens or files; pages refill refused forms from it. */
    formInput?: URLSearchParams;
  }
}
