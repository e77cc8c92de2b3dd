/** Where the benchmark works and how long it measures (`BENCH_QUICK=1`: a one-minute smoke run). */
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
/** Everything generated goes here (never committed). */
export const WORK = path.join(ROOT, '.test-builds');
/** The generated 36-lesson curriculum the measured server runs, and its build output (relative to ROOT). */
export const BENCH_CONTENT = path.join(WORK, 'bench-content');
export const BENCH_OUT_DIR = '.test-builds/bench';
export const TZ = 'Asia/Tokyo';
/** The server runs with NODE_ENV=production, where the session cookie has the `__Host-` prefix. */
export const SESSION_COOKIE = '__Host-manabi_session';
export const QUICK = process.env.BENCH_QUICK === '1';
/** Timed runs of each write benchmark, and their length in seconds. */
export const RUNS = QUICK ? 1 : 3;
export const SECONDS = QUICK ? 3 : 10;
export const CONNECTIONS = 50;
export const DASHBOARD_REQUESTS = 100;
/** Lesson page, static file and floor alternate in rounds; more, shorter rounds pair them more closely. */
export const LESSON_ROUNDS = QUICK ? 1 : 5;
export const LESSON_SECONDS = QUICK ? 3 : 6;
export const SESSION_LIFETIME = { idleMs: 12 * 3_600_000, maxAgeMs: 7 * 86_400_000 };
