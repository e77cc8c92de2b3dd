/**
 * The fuzzed surface is the whole surface: every action in src/actions and every endpoint in
 * src/pages belongs to exactly one fuzz file (targets.ts), and each of those files checks, when
 * it runs, that its specs are exactly its share.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/fixture.ts';
import { actionNames, registry } from './schema.ts';
import { FUZZ_FILES } from './targets.ts';

describe('the fuzzed surface', () => {
  it('is every action the app exports, as declared in src/actions', () => {
    const actionsDir = path.join(ROOT, 'src/actions');
    const declared = fs
      .readdirSync(actionsDir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'guard.ts')
      .flatMap((file) => {
        const source = fs.readFileSync(path.join(actionsDir, file), 'utf8');
        const group = /export const (\w+) = \{/.exec(source)?.[1];
        return [...source.matchAll(/^ {2}(\w+): defineAction\(/gm)].map((m) => `${group}.${m[1]}`);
      });
    expect(actionNames().sort()).toEqual(declared.sort());
  });

  it('gives every action group and the endpoints to exactly one fuzz file, and every fuzz file is listed', () => {
    const groups = Object.values(FUZZ_FILES).flatMap((f) => f.actionGroups);
    expect(groups.sort()).toEqual(Object.keys(registry).sort());
    expect(Object.values(FUZZ_FILES).filter((f) => f.endpoints)).toHaveLength(1);
    const here = fs.readdirSync(import.meta.dirname).filter((f) => f.endsWith('.fuzz.test.ts') && f !== path.basename(import.meta.filename));
    expect(here.sort()).toEqual(Object.keys(FUZZ_FILES).sort());
  });
});
