/** The app's actions as `group.name`, read from src/actions (a new action shows up here without a list to update). */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './fixture.ts';

/** Every action as `<group>.<name>`, read from src/actions (what `/_actions/<name>` accepts). */
export function actionNames(): string[] {
  const dir = path.join(ROOT, 'src/actions');
  const index = fs.readFileSync(path.join(dir, 'index.ts'), 'utf8');
  const groups = /export const server = \{([^}]*)\}/
    .exec(index)![1]!
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  // Every `export const x = { … }` of the folder: its actions, and the groups it spreads in
  // (`admin` is written per feature: `{ ...adminUsers, ...adminProgramme, … }`).
  const actions = new Map<string, string[]>();
  const spreads = new Map<string, string[]>();
  // The folder's own files (src/actions/forms/ holds definitions, wrapped here with `formAction`).
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const block of text.matchAll(/export const (\w+) = \{([^\n]*|[\s\S]*?\n)\};/g)) {
      actions.set(
        block[1]!,
        [...block[2]!.matchAll(/^ {2}(\w+): (?:defineAction|formAction)\(/gm)].map((action) => action[1]!),
      );
      spreads.set(
        block[1]!,
        [...block[2]!.matchAll(/\.\.\.(\w+)/g)].map((spread) => spread[1]!),
      );
    }
  }
  const of = (name: string): string[] => [...(actions.get(name) ?? []), ...(spreads.get(name) ?? []).flatMap(of)];
  return groups.flatMap((group) => of(group).map((action) => `${group}.${action}`)).sort();
}
