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
/** `BENCH_SECONDS=2`: every timed load that long (a scenario run alone, to see it works). */
const OVERRIDE = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : null;
/** Rounds of the write benchmarks (static file, complete lesson, submit quiz alternate), and their length in seconds. */
export const RUNS = QUICK ? 1 : 3;
export const SECONDS = OVERRIDE ?? (QUICK ? 3 : 10);
/**
 * Each timed load first runs this long on the same connections, uncounted: 50 fresh connections
 * to a busy server otherwise measure connection accept (a run once sent all its slow requests in
 * its first 10 ms).
 */
export const WARMUP_SECONDS = QUICK || OVERRIDE ? 1 : 2;
export const CONNECTIONS = 50;
export const DASHBOARD_REQUESTS = 100;
/** The large organisation: 100,000 users in 40 departments of 2,500 (the champion view's department). */
export const LARGE_USERS = 100_000;
export const LARGE_DEPARTMENTS = 40;
/** The real curriculum's build the real-lesson server runs (relative to ROOT). */
export const REAL_OUT_DIR = '.test-builds/bench-real';
/** Lesson page, static file and floor alternate in rounds; more, shorter rounds pair them more closely. */
export const LESSON_ROUNDS = QUICK ? 1 : 5;
export const LESSON_SECONDS = OVERRIDE ?? (QUICK ? 3 : 6);
export const SESSION_LIFETIME = { idleMs: 12 * 3_600_000, maxAgeMs: 7 * 86_400_000 };
