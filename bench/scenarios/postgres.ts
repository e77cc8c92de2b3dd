/**
 * `npm run bench -- --postgres` (issue 18): the same organisation copied into a throwaway
 * PostgreSQL cluster on this machine (db:copy), served by the same build with DATABASE_URL. The
 * lesson page and the dashboard on one instance; writes at 50 warmed connections on one instance
 * and on two (25 connections each, the same database), alternating in rounds with the static file
 * so each is a ratio measured in the same round. PostgreSQL, both servers and the load share the
 * machine's cores: on two cores a second instance has no core of its own.
 */
import { copySqliteToPostgres } from '../../src/platform/db-copy.server.ts';
import { type PostgresCluster, startPostgres } from '../../tests/helpers/postgres.ts';
import { CONNECTIONS, RUNS, SECONDS, WARMUP_SECONDS } from '../config.ts';
import { type LoadResult, type LoadSummary, pairedRatio, summarise } from '../measure.ts';
import type { Population } from '../setup.ts';
import { measureDashboard } from './dashboard.ts';
import { type LessonPageResults, loadStatic, measureLessonPage } from './lesson.ts';
import { fiveXXCount, postRun, postStream } from './writes.ts';
import { type RunningServer, startServer } from '../../tests/helpers/server.ts';
import type { FormPost } from '../setup.ts';

type Timing = Awaited<ReturnType<typeof measureDashboard>>;

export interface PostgresWrites {
  oneInstance: LoadSummary & { ratioToStatic: number; fiveXX: number };
  twoInstances: LoadSummary & { ratioToStatic: number; fiveXX: number; ratioToOne: number };
}

export interface PostgresResults {
  copySeconds: number;
  poolSize: number;
  lessonPage: LessonPageResults;
  dashboard: Timing;
  static: LoadSummary;
  completeLesson: PostgresWrites;
  submitQuiz: PostgresWrites;
}

const POOL_SIZE = 20;

/** Two runs at once, one per instance, half the connections each: one result, their sum. */
async function onBoth(bases: [string, string], next: () => FormPost): Promise<LoadResult> {
  const half = Math.round(CONNECTIONS / 2);
  const [x, y] = await Promise.all(bases.map((base) => postRun(base, next, SECONDS, WARMUP_SECONDS, half)));
  const statuses: Record<string, number> = { ...x!.statuses };
  for (const [k, v] of Object.entries(y!.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  // Latency: the slower instance's figures (the load balancer's clients see both).
  const slower = x!.latency.p99 >= y!.latency.p99 ? x! : y!;
  return { ...slower, rps: x!.rps + y!.rps, statuses, errors: x!.errors + y!.errors };
}

export async function measurePostgres(population: Population, outDir: string, bytes: number, log: (message: string) => void): Promise<PostgresResults> {
  let cluster: PostgresCluster | null = null;
  const servers: RunningServer[] = [];
  try {
    cluster = await startPostgres({ database: 'manabi_bench' });
    log('postgres: copying the organisation into PostgreSQL (db:copy)');
    const copyStarted = performance.now();
    await copySqliteToPostgres({ from: population.databasePath, to: cluster.url });
    const copySeconds = Math.round((performance.now() - copyStarted) / 100) / 10;
    const start = (): Promise<RunningServer> =>
      startServer({
        databasePath: `${cluster!.dir}/unused.db`,
        outDir,
        env: { NODE_ENV: 'production', DATABASE_URL: cluster!.url, DATABASE_POOL_SIZE: String(POOL_SIZE) },
        timeoutMs: 120_000,
      });
    servers.push(await start());
    const a = servers[0]!.url;
    log('postgres: lesson pages vs the static file, one instance');
    const lessonPage = await measureLessonPage(a, population, bytes);
    log('postgres: dashboard and champion view, one instance');
    const dashboard = await measureDashboard(a, population, 30);
    servers.push(await start());
    const b = servers[1]!.url;
    log(`postgres: writes, ${RUNS} rounds of static file, one instance, two instances`);
    const measure = async (posts: FormPost[]): Promise<{ staticRuns: LoadResult[]; one: LoadResult[]; two: LoadResult[] }> => {
      const next = postStream(posts);
      const staticRuns: LoadResult[] = [];
      const one: LoadResult[] = [];
      const two: LoadResult[] = [];
      for (let round = 0; round < RUNS; round++) {
        staticRuns.push(await loadStatic(a, SECONDS));
        one.push(await postRun(a, next, SECONDS));
        two.push(await onBoth([a, b], next));
      }
      return { staticRuns, one, two };
    };
    const figures = ({ staticRuns, one, two }: Awaited<ReturnType<typeof measure>>): PostgresWrites => ({
      oneInstance: { ...summarise(one), ratioToStatic: pairedRatio(one, staticRuns), fiveXX: fiveXXCount(summarise(one).statuses) },
      twoInstances: { ...summarise(two), ratioToStatic: pairedRatio(two, staticRuns), fiveXX: fiveXXCount(summarise(two).statuses), ratioToOne: pairedRatio(two, one) },
    });
    const completions = await measure(population.completions);
    const submissions = await measure(population.submissions);
    return {
      copySeconds,
      poolSize: POOL_SIZE,
      lessonPage,
      dashboard,
      static: summarise([...completions.staticRuns, ...submissions.staticRuns]),
      completeLesson: figures(completions),
      submitQuiz: figures(submissions),
    };
  } finally {
    for (const server of servers) await server.stop();
    await cluster?.stop();
  }
}
