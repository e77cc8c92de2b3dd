import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_CONTENT, ROOT } from '../../../tests/helpers/fixture.ts';
import { appliesTo, buildPolicyCatalog, pendingPolicies, policyNotices, policyText, type PolicyReader } from './policies.ts';
import { checkPolicies, readPolicies } from './read-policies.ts';

const catalog = buildPolicyCatalog(readPolicies(FIXTURE_CONTENT, ROOT).entries);
const learner: PolicyReader = { role: 'learner', departmentName: '営業部' };

/** A copy of one policy folder in a temp content dir, with `edit` applied to one of its files. */
function withPolicy(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-policies-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'policies', name)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'policies', name), text);
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const SHIPPED = path.join(ROOT, 'content/policies/ai-usage');
const shipped = (locale: 'ja' | 'en'): string => fs.readFileSync(path.join(SHIPPED, `${locale}.mdx`), 'utf8');

describe('policy content', () => {
  it('accepts the shipped sample policy and the fixture policies', () => {
    expect(checkPolicies(path.join(ROOT, 'content'), ROOT)).toEqual([]);
    expect(checkPolicies(FIXTURE_CONTENT, ROOT)).toEqual([]);
    expect(catalog.policies.map((p) => [p.id, p.version, p.required])).toEqual([
      ['ai-usage', 2, true],
      ['champion-guide', 1, true],
      ['reading-tips', 1, false],
    ]);
  });

  it('marks the shipped sample as a template for the company to adapt, in both languages', () => {
    expect(shipped('ja')).toMatch(/サンプル[\s\S]*書き換えてください/);
    expect(shipped('en')).toMatch(/sample[\s\S]*adapt it to your company/i);
  });

  it('fails naming the file when the languages disagree on version, effective, audience or required', () => {
    for (const [field, from, to] of [
      ['version', 'version: 1', 'version: 2'],
      ['effective', 'effective: 2026-12-01', 'effective: 2027-01-01'],
      ['audience', 'audience: all', 'audience:\n  roles: [admin]'],
      ['required', 'required: true', 'required: false'],
    ] as const) {
      const { dir, cleanup } = withPolicy({ 'ai-usage/ja.mdx': shipped('ja'), 'ai-usage/en.mdx': shipped('en').replace(from, to) });
      try {
        const problems = checkPolicies(dir, dir);
        expect(problems, field).toHaveLength(1);
        expect(problems[0], field).toMatch(new RegExp(`^policies/ai-usage/en\\.mdx: ${field} .*differs from policies/ai-usage/ja\\.mdx`));
      } finally {
        cleanup();
      }
    }
  });

  it('refuses unknown fields, a missing version, a bad date and misplaced files, naming the file', () => {
    const { dir, cleanup } = withPolicy({
      'a/ja.mdx': shipped('ja').replace('required: true', 'required: true\nowner: IT'),
      'b/ja.mdx': shipped('ja').replace('version: 1\n', ''),
      'c/ja.mdx': shipped('ja').replace('effective: 2026-12-01', 'effective: 2026-02-30'),
      'd/fr.mdx': shipped('ja'),
      'e/ja.mdx': shipped('ja').replace('audience: all', 'audience:\n  roles: []'),
    });
    try {
      const problems = checkPolicies(dir, dir).join('\n');
      expect(problems).toMatch(/policies\/a\/ja\.mdx: .*owner/);
      expect(problems).toMatch(/policies\/b\/ja\.mdx: version/);
      expect(problems).toMatch(/policies\/c\/ja\.mdx: effective: not a calendar day/);
      expect(problems).toMatch(/policies\/d\/fr\.mdx: name the files of a policy ja\.mdx and en\.mdx/);
      expect(problems).toMatch(/policies\/e\/ja\.mdx: audience/);
    } finally {
      cleanup();
    }
  });
});

describe('who a policy asks', () => {
  it('applies "all" to everyone, and roles or departments (case-insensitive) to those only', () => {
    const guide = catalog.policy('champion-guide')!.audience;
    expect(appliesTo('all', learner)).toBe(true);
    expect(appliesTo(guide, learner)).toBe(false);
    expect(appliesTo(guide, { role: 'champion', departmentName: '営業部' })).toBe(true);
    expect(appliesTo(guide, { role: 'learner', departmentName: 'hr' })).toBe(true);
    expect(appliesTo(guide, { role: 'admin', departmentName: null })).toBe(false);
  });

  it('asks for required policies not acknowledged in their current version; an older version asks again', () => {
    const ids = (acks: { policyId: string; version: number }[], reader: PolicyReader = learner) => pendingPolicies(catalog, reader, acks).map((p) => p.id);
    expect(ids([])).toEqual(['ai-usage']);
    expect(ids([{ policyId: 'ai-usage', version: 2 }])).toEqual([]);
    expect(ids([{ policyId: 'ai-usage', version: 1 }])).toEqual(['ai-usage']);
    expect(ids([], { role: 'champion', departmentName: null })).toEqual(['ai-usage', 'champion-guide']);
    // an optional policy never asks
    expect(ids([{ policyId: 'ai-usage', version: 2 }], { role: 'admin', departmentName: 'IT' })).toEqual([]);
    const notices = policyNotices(pendingPolicies(catalog, learner, [{ policyId: 'ai-usage', version: 1 }]), [{ policyId: 'ai-usage', version: 1 }], 'en');
    expect(notices).toEqual([{ id: 'ai-usage', version: 2, title: 'Test AI usage policy', updated: true }]);
  });

  it('shows the other language when a policy has only one', () => {
    const tips = catalog.policy('reading-tips')!;
    expect(policyText(tips, 'en')).toMatchObject({ locale: 'ja', fallback: true, title: 'テスト用の読みもの' });
  });
});
