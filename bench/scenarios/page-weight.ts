/** Page weight: HTML, CSS and JavaScript of a page as sent, raw and gzip. */
import { gzipSync } from 'node:zlib';
import type { Population } from '../setup.ts';

interface Size {
  raw: number;
  gzip: number;
}

export interface PageWeight {
  html: Size;
  css: Size;
  js: Size;
  htmlCssGzip: number;
  scripts: number;
}

export async function pageWeight(base: string, pagePath: string, cookie: string): Promise<PageWeight> {
  const html = await (await fetch(`${base}${pagePath}`, { headers: { cookie } })).text();
  const css: string[] = [];
  const js: string[] = [];
  for (const match of html.matchAll(/<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"/g)) css.push(await (await fetch(`${base}${match[1]}`)).text());
  for (const match of html.matchAll(/<script[^>]+src="([^"]+)"/g)) js.push(await (await fetch(`${base}${match[1]}`, { headers: { cookie } })).text());
  const inlineScripts = [...html.matchAll(/<script(?![^>]*src=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const size = (parts: string[]): Size => ({ raw: parts.reduce((n, p) => n + Buffer.byteLength(p), 0), gzip: parts.reduce((n, p) => n + (p ? gzipSync(p).length : 0), 0) });
  const htmlSize = size([html]);
  const cssSize = size(css);
  const jsSize = size([...js, ...inlineScripts]);
  return { html: htmlSize, css: cssSize, js: jsSize, htmlCssGzip: htmlSize.gzip + cssSize.gzip, scripts: js.length + inlineScripts.length };
}

/** The lesson page, home (My learning) and a quiz, as one signed-in learner sees them. */
export async function measurePageWeight(base: string, population: Population): Promise<Record<'lesson' | 'home' | 'quiz', PageWeight>> {
  const cookie = population.readerCookies[0]!;
  return {
    lesson: await pageWeight(base, population.lessonPath, cookie),
    home: await pageWeight(base, '/home', cookie),
    quiz: await pageWeight(base, population.quizPath, cookie),
  };
}
