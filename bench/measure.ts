/** Timing, percentiles, load runs and memory readings for the benchmark. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import autocannon from 'autocannon';
import { ROOT } from './config.ts';

export interface Stat {
  median: number;
  p95: number;
  p99: number;
}

export interface LoadResult {
  rps: number;
  latency: Stat;
  statuses: Record<string, number>;
  errors: number;
  /** Mean size of a counted response (headers and body), bytes. */
  meanBytes?: number;
  /** Every answer, warm-up included (each write request is one new row). */
  answered?: number;
}

/** The runs of one load figure: medians across runs, statuses and errors summed. */
export interface LoadSummary {
  rps: Stat;
  latencyMs: Stat;
  statuses: Record<string, number>;
  errors: number;
  runs: { rps: number; latencyMs: Stat }[];
}

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lower = Math.floor(pos);
  return sorted[lower]! + (sorted[Math.ceil(pos)]! - sorted[lower]!) * (pos - lower);
}

export function stat(values: number[]): Stat {
  const round = (v: number): number => Math.round(v * 10) / 10;
  return { median: round(quantile(values, 0.5)), p95: round(quantile(values, 0.95)), p99: round(quantile(values, 0.99)) };
}

/** Each pair's own ratio, then the median: a pair measures both under the same conditions. */
export function pairedRatio(numerator: LoadResult[], denominator: LoadResult[]): number {
  return (
    Math.round(
      quantile(
        numerator.map((n, i) => n.rps / denominator[i]!.rps),
        0.5,
      ) * 100,
    ) / 100
  );
}

/** Runs a command, returning wall time and the peak memory of its largest process (via python's getrusage). */
export function timed(command: string[], env: Record<string, string>, cwd: string = ROOT): { seconds: number; peakMb: number } {
  const script =
    'import resource,subprocess,sys,time\nt=time.time()\nr=subprocess.run(sys.argv[1:])\nprint("%f %d %d"%(time.time()-t,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,r.returncode))';
  const out = spawnSync('python3', ['-c', script, ...command], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = out.stdout.trim().split('\n').at(-1)!.split(' ');
  if (last[2] !== '0') throw new Error(`${command.join(' ')} failed:\n${out.stdout.slice(-2000)}`);
  return { seconds: Math.round(Number(last[0]) * 10) / 10, peakMb: Math.round(Number(last[1]) / 1024) };
}

/** A process's resident memory now and its peak, in MB, from /proc. */
export function rssMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** Samples a process's RSS every 250 ms until `stop()`, which returns the largest sample in MB. */
export function sampleRss(pid: number): { stop: () => number } {
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid).rss);
  }, 250);
  return {
    stop: () => {
      clearInterval(sampler);
      return peak;
    },
  };
}

/**
 * One autocannon run; latencies collected per response for exact percentiles. With
 * `warmupSeconds`, the run is that much longer and only requests sent after the warm-up count,
 * on the same connections: autocannon's own `warmup` option runs a separate instance with new
 * connections, so the timed part would open fresh ones again and measure connection accept.
 */
export async function load(options: autocannon.Options & { cookieFor?: (i: number) => string; warmupSeconds?: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const warmupMs = (options.warmupSeconds ?? 0) * 1000;
  const measuredMs = Number(options.duration ?? 10) * 1000;
  let counter = 0;
  let bytes = 0;
  let counted = 0;
  let answered = 0;
  const started = performance.now();
  const instance = autocannon({
    ...options,
    duration: (warmupMs + measuredMs) / 1000,
    setupClient: (client) => {
      client.on('response', (status: number, resBytes: number, responseTime: number) => {
        const now = performance.now();
        answered++;
        // Sent during the warm-up, or answered after the timed window: not counted.
        if (now - responseTime - started < warmupMs || now - started > warmupMs + measuredMs) return;
        counted++;
        bytes += resBytes;
        latencies.push(responseTime);
        statuses[status] = (statuses[status] ?? 0) + 1;
      });
      if (options.cookieFor) {
        const cookie = options.cookieFor(counter++);
        client.setHeaders({ ...(options.headers ?? {}), cookie });
      }
    },
  });
  const result = await instance;
  return {
    rps: warmupMs > 0 ? Math.round(counted / (measuredMs / 1000)) : Math.round(result.requests.average),
    latency: stat(latencies),
    statuses,
    errors: result.errors + result.timeouts,
    meanBytes: counted > 0 ? Math.round(bytes / counted) : 0,
    answered,
  };
}

export function summarise(runs: LoadResult[]): LoadSummary {
  return {
    rps: stat(runs.map((r) => r.rps)),
    latencyMs: { median: stat(runs.map((r) => r.latency.median)).median, p95: stat(runs.map((r) => r.latency.p95)).median, p99: stat(runs.map((r) => r.latency.p99)).median },
    statuses: runs.reduce<Record<string, number>>((acc, r) => {
      for (const [k, v] of Object.entries(r.statuses)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {}),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    runs: runs.map((r) => ({ rps: r.rps, latencyMs: r.latency })),
  };
}

/** `count` sequential GETs after three warm-up requests: their latency percentiles and the last status. */
export async function sequential(base: string, pagePath: string, cookie: string, count: number): Promise<Stat & { status: number }> {
  const times: number[] = [];
  let status = 0;
  for (let i = 0; i < count + 3; i++) {
    const t = performance.now();
    const response = await fetch(`${base}${pagePath}`, { headers: { cookie } });
    await response.arrayBuffer();
    status = response.status;
    if (i >= 3) times.push(performance.now() - t); // the first three warm caches up
  }
  return { ...stat(times), status };
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * CPU time a process has used so far (user + system, all its threads), in ms, from /proc. On a
 * shared machine this moves far less than requests/s: other work steals wall time, not CPU time.
 */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
