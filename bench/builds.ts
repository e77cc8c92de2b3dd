/** Build time and peak memory: the real curriculum, 300 generated lessons, and the 36 the server runs. */
import fs from 'node:fs';
import path from 'node:path';
import { buildCatalog } from '../src/features/curriculum/catalog.ts';
import { readCorpus } from '../src/features/curriculum/read-corpus.ts';
import { BENCH_CONTENT, BENCH_OUT_DIR, QUICK, ROOT, WORK } from './config.ts';
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

/** Builds all three; leaves the 36-lesson curriculum in BENCH_CONTENT and its build in BENCH_OUT_DIR. */
export function measureBuilds(log: (message: string) => void): BuildResults {
  log('building the real curriculum');
  const realBuild = buildApp('content', '.test-builds/bench-real');
  const real = buildCatalog(readCorpus(path.join(ROOT, 'content'), ROOT).corpus);
  const corpus300 = path.join(WORK, 'bench-content-300');
  writeCorpus(corpus300, 10, 10);
  log('building 300 generated lessons × 2 languages');
  const build300 = QUICK ? null : buildApp(corpus300, '.test-builds/bench-300');
  writeCorpus(BENCH_CONTENT, 2, 6);
  log('building the 36-lesson benchmark curriculum');
  const build36 = buildApp(BENCH_CONTENT, BENCH_OUT_DIR);
  fs.rmSync(path.join(ROOT, '.test-builds/bench-real'), { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, '.test-builds/bench-300'), { recursive: true, force: true });
  fs.rmSync(corpus300, { recursive: true, force: true });
  return {
    real: { lessons: real.allLessons().length, pages: real.allLessons().length * 2, ...realBuild },
    generated36: { lessons: 36, pages: 72, ...build36 },
    ...(build300 ? { generated300: { lessons: 300, pages: 600, ...build300 } } : {}),
  };
}
