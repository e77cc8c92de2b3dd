/**
 * `npm run content:lint`: textlint over the curriculum, with the configs in content/textlint/.
 *
 * - Lessons (MDX): Japanese with the tuned ja-technical-writing preset and the prh dictionary,
 *   English with the English prh dictionary.
 * - Tier, course and quiz YAML: each text string with the prh dictionary of its language.
 *
 * Quiz findings are reported as warnings unless `--strict` is given: the quiz banks are rewritten
 * in parallel and adopt the terms when they land; then `--strict` goes into the npm script.
 * Exits 1 when there is any error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { createLinter, loadLinterFormatter, loadTextlintrc } from 'textlint';
import { contentDir } from '../features/curriculum/location.ts';
import { exitOnConfigError, getBuildConfig } from '../platform/config.server.ts';
import { LOCALES, type Locale } from '../platform/i18n/locales.ts';
import { lessonMdxPlugin } from '../features/curriculum/lint-mdx-plugin.ts';
import { localizedTexts, quizTexts, type YamlText } from '../features/curriculum/yaml-texts.ts';

type Linter = ReturnType<typeof createLinter>;
type Result = Awaited<ReturnType<Linter['lintText']>>;

const root = process.cwd();
const content = contentDir(exitOnConfigError(getBuildConfig, 'content:lint').contentDir);
const configDir = path.join(root, 'content', 'textlint');
const strict = process.argv.includes('--strict');

/** Loads a config from content/textlint/, with the MDX plugin wrapped for inline elements. */
async function linterFor(config: string): Promise<Linter> {
  const loaded = await loadTextlintrc({ configFilePath: path.join(configDir, config) });
  const plugins = (loaded.toKernelOptions().plugins ?? []).map((p) => (p.pluginId === 'mdx' ? { ...p, plugin: lessonMdxPlugin(p.plugin) } : p));
  return createLinter({ descriptor: loaded.shallowMerge({ plugins }), cwd: root });
}

const yamlFiles = (folder: string): string[] => {
  const dir = path.join(content, folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => /^[^_].*\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
};

const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');

async function lintYaml(file: string, texts: YamlText[], linters: Record<Locale, Linter>): Promise<string[]> {
  const findings: string[] = [];
  for (const { where, locale, text } of texts) {
    const result: Result = await linters[locale].lintText(text, `${where}.txt`);
    for (const m of result.messages) findings.push(`${rel(file)}: ${where}: ${m.message.split('\n')[0]} (${m.ruleId})`);
  }
  return findings;
}

async function main(): Promise<number> {
  const formatter = await loadLinterFormatter({ formatterName: 'stylish', color: process.stdout.isTTY });
  const lessons = { ja: await linterFor('ja.yml'), en: await linterFor('en.yml') };
  const yamlLinters = { ja: await linterFor('yaml-ja.yml'), en: await linterFor('yaml-en.yml') };

  let errors = 0;
  for (const locale of LOCALES) {
    // Lessons and the company's policies: the same prose rules and terms.
    const results = await lessons[locale].lintFiles([path.join(content, 'lessons', locale, '**', '[!_]*.mdx'), path.join(content, 'policies', '*', `${locale}.mdx`)]);
    const count = results.reduce((n, r) => n + r.messages.length, 0);
    if (count > 0) console.log(formatter.format(results));
    errors += count;
  }

  const curriculum: string[] = [];
  for (const file of [...yamlFiles('tiers'), ...yamlFiles('courses')]) {
    curriculum.push(...(await lintYaml(file, localizedTexts(loadYaml(fs.readFileSync(file, 'utf8'))), yamlLinters)));
  }
  const quizzes: string[] = [];
  for (const locale of LOCALES) {
    for (const file of yamlFiles(path.join('quizzes', locale))) {
      quizzes.push(...(await lintYaml(file, quizTexts(loadYaml(fs.readFileSync(file, 'utf8')), locale), yamlLinters)));
    }
  }
  for (const line of curriculum) console.log(`error    ${line}`);
  for (const line of quizzes) console.log(`${strict ? 'error  ' : 'warning'}  ${line}`);
  errors += curriculum.length + (strict ? quizzes.length : 0);

  const warnings = strict ? 0 : quizzes.length;
  console.log(errors === 0 ? `Content lint ok${warnings > 0 ? ` (${warnings} quiz warning(s))` : ''}.` : `Content lint: ${errors} error(s).`);
  return errors === 0 ? 0 : 1;
}

process.exitCode = await main();
