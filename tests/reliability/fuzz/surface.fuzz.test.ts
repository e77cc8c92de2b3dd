/**
 * The fuzzed surface is the whole surface: every action in src/actions and every endpoint in
 * src/pages belongs to exactly one fuzz file (targets.ts), and each of those files checks, when
 * it runs, that its specs are exactly its share.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionNames as declaredActionNames } from '../../helpers/actions.ts';
import { invalidValues } from './generate.ts';
import { actionNames, actionSchema, registry } from './schema.ts';
import { FUZZ_FILES } from './targets.ts';
import { shown } from './values.ts';

describe('the fuzzed surface', () => {
  it('is every action the app exports, as declared in src/actions', () => {
    const declared = declaredActionNames();
    expect(actionNames().sort()).toEqual(declared.sort());
  });

  it('gives every action group and the endpoints to exactly one fuzz file, and every fuzz file is listed', () => {
    const groups = Object.values(FUZZ_FILES).flatMap((f) => f.actionGroups);
    expect(groups.sort()).toEqual(Object.keys(registry).sort());
    expect(Object.values(FUZZ_FILES).filter((f) => f.endpoints)).toHaveLength(1);
    const here = fs.readdirSync(import.meta.dirname).filter((f) => f.endsWith('.fuzz.test.ts') && f !== path.basename(import.meta.filename));
    expect(here.sort()).toEqual(Object.keys(FUZZ_FILES).sort());
  });

  // A quick check of generate.ts against every schema, without a server (each fuzz run also
  // confirms every such claim against the whole schema before sending).
  it("has every value the generator reads from a field's JSON Schema as refused, refused by that field's own schema", async () => {
    let fields = 0;
    for (const action of actionNames()) {
      const schema = actionSchema(action);
      for (const field of schema?.fields ?? []) {
        const refused = invalidValues(field);
        if (!refused) continue;
        fields++;
        await fc.assert(
          fc.asyncProperty(refused, async (value) => {
            expect(await schema!.fieldAccepts(field.name, value), `${action}.${field.name}=${shown(value)}`).toBe(false);
          }),
          { numRuns: 200 },
        );
      }
    }
    expect(fields).toBeGreaterThan(30);
  });
});
