/** Build time and peak memory: the real curriculum, 300 generated lessons, and the 36 the server runs. */
import fs from 'node:fs';
import path from 'node:path';
import { buildCatalog } from '../src/features/curriculum/catalog.ts';
import { readCorpus } from '../src/features/curriculum/read-corpus.ts';
import { BENCH_CONTENT, BENCH_OUT_DIR, QUICK, REAL_OUT_DIR, ROOT, WORK } from './config.ts';
import { writeCorpus } from './corpus.ts';
import { timed } from './measure.ts';

export interface BuildFigure {
  seconds: number;
  peakMb: number;
}

type Counted = BuildFigure & { lessons: number; pages: number };

export interface BuildResults {
  real: Counted;
  generated36: Counted;
  generated300?: Counted;
}

/** `astro build` of `root` with the curriculum in `contentDir` into `outDir` (relative to `root`), from scratch. */
export function buildApp(contentDir: string, outDir: string, root: string = ROOT): BuildFigure {
  fs.rmSync(path.resolve(root, outDir), { recursive: true, force: true });
  return timed([process.execPath, 'node_modules/astro/bin/astro.mjs', 'build', '--outDir', outDir], { MANABI_CONTENT_DIR: contentDir }, root);
}

/**
 * A scenario run alone (`--only`) reuses the builds a previous run left, and makes the missing
 * ones: the 36-lesson curriculum (BENCH_CONTENT, BENCH_OUT_DIR) and, with `real`, the real one (REAL_OUT_DIR).
 */
export function ensureBuilds(real: boolean, log: (message: string) => void): void {
  const built = (outDir: string): boolean => fs.existsSync(path.join(ROOT, outDir, 'server', 'entry.mjs'));
  if (!fs.existsSync(BENCH_CONTENT)) writeCorpus(BENCH_CONTENT, 2, 6);
  if (!built(BENCH_OUT_DIR)) {
    log('building the 36-lesson benchmark curriculum');
    buildApp(BENCH_CONTENT, BENCH_OUT_DIR);
  } else log(`reusing ${BENCH_OUT_DIR} (delete it to build this tree again)`);
  if (real && !built(REAL_OUT_DIR)) {
    log('building the real curriculum');
    buildApp('content', REAL_OUT_DIR);
  } else if (real) log(`reusing ${REAL_OUT_DIR}`);
}

/** Builds all three; leaves the 36-lesson curriculum in BENCH_CONTENT and its build in BENCH_OUT_DIR, the real one in REAL_OUT_DIR. */
export function measureBuilds(log: (message: string) => void): BuildResults {
  log('building the real curriculum');
  const realBuild = buildApp('content', REAL_OUT_DIR);
  const real = buildCatalog(readCorpus(path.join(ROOT, 'content'), ROOT).corpus);
  const corpus300 = path.join(WORK, 'bench-content-300');
  writeCorpus(corpus300, 10, 10);
  log('building 300 generated lessons × 2 languages');
  const build300 = QUICK ? null : buildApp(corpus300, '.test-builds/bench-300');
  writeCorpus(BENCH_CONTENT, 2, 6);
  log('building the 36-lesson benchmark curriculum');
  const build36 = buildApp(BENCH_CONTENT, BENCH_OUT_DIR);
  fs.rmSync(path.join(ROOT, '.test-builds/bench-300'), { recursive: true, force: true });
  fs.rmSync(corpus300, { recursive: true, force: true });
  return {
    real: { lessons: real.allLessons().length, pages: real.allLessons().length * 2, ...realBuild },
    generated36: { lessons: 36, pages: 72, ...build36 },
    ...(build300 ? { generated300: { lessons: 300, pages: 600, ...build300 } } : {}),
  };
}
