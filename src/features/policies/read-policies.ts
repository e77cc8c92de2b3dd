/**
 * Reads `content/policies/<id>/<ja|en>.mdx` from disk with the same schema and YAML parser as
 * Astro's loader, for the build-time check (before and outside Astro's content layer) and tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { isLocale } from '../../platform/i18n/locales.ts';
import { checkPolicyEntries, type PolicyEntry } from './policies.ts';
import { PolicySchema } from './schema.ts';

export interface ReadPolicies {
  entries: PolicyEntry[];
  /** Files that could not be read, are misplaced, or do not match the schema: `file: message`. */
  problems: string[];
}

export function readPolicies(contentDir: string, root: string = process.cwd()): ReadPolicies {
  const base = path.join(contentDir, 'policies');
  const entries: PolicyEntry[] = [];
  const problems: string[] = [];
  if (!fs.existsSync(base)) return { entries, problems };
  const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');
  for (const folder of fs.readdirSync(base, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (folder.name.startsWith('_') || folder.name.startsWith('.')) continue;
    const dir = path.join(base, folder.name);
    if (!folder.isDirectory()) {
      problems.push(`${rel(dir)}: a policy is a folder, content/policies/<policy-id>/ja.mdx and en.mdx`);
      continue;
    }
    for (const name of fs.readdirSync(dir).sort()) {
      if (name.startsWith('_')) continue;
      const file = path.join(dir, name);
      const locale = name.replace(/\.mdx?$/, '');
      if (!/\.mdx?$/.test(name) || !isLocale(locale)) {
        problems.push(`${rel(file)}: name the files of a policy ja.mdx and en.mdx`);
        continue;
      }
      const match = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/.exec(fs.readFileSync(file, 'utf8'));
      if (!match) {
        problems.push(`${rel(file)}: missing frontmatter (a block between --- lines at the top)`);
        continue;
      }
      let raw: unknown;
      try {
        raw = loadYaml(match[1]!);
      } catch (error) {
        problems.push(`${rel(file)}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
        continue;
      }
      const parsed = PolicySchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(`${rel(file)}: ${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
        continue;
      }
      entries.push({ id: folder.name, locale, file: rel(file), entryId: `${folder.name}/${locale}`, data: parsed.data });
    }
  }
  return { entries, problems };
}

/** Every problem with the policies under `contentDir`: schema errors first, then (if none) the languages' agreement. */
export function checkPolicies(contentDir: string, root: string = process.cwd()): string[] {
  const { entries, problems } = readPolicies(contentDir, root);
  return problems.length > 0 ? problems : checkPolicyEntries(entries);
}
