/**
 * SPIKE (issue 17, /work/wt/SHELLS.md): the lesson's progress box rendered through Astro's
 * Container API from the built server bundle, in a Node process that loads the build the way
 * src/cli/serve.ts does; prints the median of 1000 calls per state.
 * Run after `astro build`: `node scripts/spike-fragments.ts [outDir]`.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
// The escaping Astro applies to every `{value}` in a template: a spliced value must match it byte for byte.
import { escapeHTML } from 'astro/runtime/server/escape.js';
import type { LessonFragments, ProgressBoxProps } from '../src/features/progress/lesson-fragments.server.ts';

const CALLS = 1000;
const outDir = path.resolve(process.argv[2] ?? 'dist');
await import(pathToFileURL(path.join(outDir, 'server', 'entry.mjs')).href);
// The middleware module is loaded lazily by Astro on the first request; the same URL is the same module.
await import(pathToFileURL(path.join(outDir, 'server', 'virtual_astro_middleware.mjs')).href);
const fragments = (globalThis as Record<symbol, unknown>)[Symbol.for('manabi.lessonFragments')] as LessonFragments | undefined;
if (!fragments) throw new Error('The build registers no lesson fragments: was it built from this branch?');

const base: ProgressBoxProps = {
  courseId: 'basics',
  lessonId: 'what-is-ai',
  review: null,
  doneAt: null,
  justCompleted: false,
  nextLesson: null,
  action: null,
  nextCourse: null,
  renewal: null,
  timeZone: 'Asia/Tokyo',
};
const nextLesson = { id: 'prompts', title: { ja: 'プロンプトの基本', en: 'Prompt basics' } } as unknown as ProgressBoxProps['nextLesson'];
const states: Record<string, ProgressBoxProps> = {
  'not done': base,
  'renewal due': { ...base, renewal: { renewBy: new Date('2027-03-31T15:00:00Z') } as unknown as ProgressBoxProps['renewal'] },
  'done, next lesson': { ...base, doneAt: new Date('2026-11-30T01:02:03Z'), nextLesson },
  'updated since read': { ...base, review: { date: '2026-11-01', significance: 'major', note: { ja: '例を更新しました。', en: 'Examples updated.' } } },
};

for (const locale of ['ja', 'en'] as const) {
  for (const [name, props] of Object.entries(states)) {
    const html = await fragments.progressBox(props, locale);
    for (let i = 0; i < 200; i++) await fragments.progressBox(props, locale); // warm-up
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      await fragments.progressBox(props, locale);
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    times.sort((a, b) => a - b);
    const ms = (q: number): string => times[Math.floor(q * (CALLS - 1))]!.toFixed(3);
    console.log(
      `${locale} ${name.padEnd(20)} median ${ms(0.5)} ms  p90 ${ms(0.9)} ms  p99 ${ms(0.99)} ms  cpu/call ${((cpu.user + cpu.system) / CALLS / 1000).toFixed(3)} ms  ${html.length} B`,
    );
    if (locale === 'ja' && name === 'done, next lesson') console.log(html);
  }
}

// The alternative: the same output rendered once (at build) with holes, then spliced per call.
const sample = await fragments.progressBox(states['done, next lesson']!, 'ja');
const holes = ['2026年11月30日に完了しました', '/learn/basics/prompts', 'プロンプトの基本'];
let template = sample;
holes.forEach((value, i) => {
  template = template.replace(value, `\u0000${i}\u0000`);
});
// `\u0000<n>\u0000` holes: the pieces between them are the even entries of a split on U+0000.
const parts = template.split('\u0000').filter((_, i) => i % 2 === 0);
const splice = (values: string[]): string => {
  let out = parts[0]!;
  for (let i = 0; i < values.length; i++) out += escapeHTML(values[i]!) + parts[i + 1]!;
  return out;
};
if (splice(holes) !== sample) throw new Error('splice differs from the container render');
const t0 = performance.now();
const cpuS = process.cpuUsage();
for (let i = 0; i < CALLS * 100; i++) splice(holes);
const cpuSplice = process.cpuUsage(cpuS);
console.log(
  `splice (3 holes)          mean ${((performance.now() - t0) / (CALLS * 100)).toFixed(4)} ms  cpu/call ${((cpuSplice.user + cpuSplice.system) / (CALLS * 100) / 1000).toFixed(4)} ms`,
);

// What a fresh container costs (made every RENDERS_PER_CONTAINER renders).
const { experimental_AstroContainer } = await import('astro/container');
const created: number[] = [];
for (let i = 0; i < 50; i++) {
  const c0 = performance.now();
  await experimental_AstroContainer.create();
  created.push(performance.now() - c0);
}
created.sort((a, b) => a - b);
console.log(`container create          median ${created[25]!.toFixed(3)} ms  max ${created[49]!.toFixed(3)} ms`);
process.exit(0);
