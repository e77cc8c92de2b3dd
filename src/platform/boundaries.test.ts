/**
 * The layout's rules, checked on the source (ARCHITECTURE.md): only `*.server.ts` files (and the
 * platform, the CLIs) reach the database; every data function is async and takes `Db`; the time
 * is read only through the clock; raw SQL quotes its camelCase names; no file in `src/` is over
 * 300 lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|astro|mjs)$/.test(entry.name) ? [full] : [];
  });
}

const files = sourceFiles(path.resolve('src')).map((file) => ({
  file: path.relative(process.cwd(), file),
  text: fs.readFileSync(file, 'utf8'),
}));

/** Import specifiers of a file (static, dynamic and type-only). */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]!);
}

const DATABASE_IMPORT = /(^|\/)db\/schema(\/|\.ts|$)|(^|\/)platform\/db\.server\.ts$|^better-sqlite3$|^drizzle-orm(\/|$)/;

/**
 * Who may import the database: server modules, the platform, the command-line tools, and the
 * request pipeline that hands the handle to pages and actions as `locals.db`.
 */
function mayTouchDatabase(file: string): boolean {
  if (file === 'src/middleware.ts' || file === 'src/env.d.ts') return true;
  return file.endsWith('.server.ts') || file.endsWith('.test.ts') || file.startsWith('src/platform/') || file.startsWith('src/cli/');
}

function databaseImports(): string[] {
  return files.flatMap(({ file, text }) =>
    mayTouchDatabase(file)
      ? []
      : importsOf(text)
          .filter((spec) => DATABASE_IMPORT.test(spec))
          .map((spec) => `${file} imports ${spec}`),
  );
}

function synchronousDataFunctions(): string[] {
  return files.flatMap(({ file, text }) => [...text.matchAll(/export function (\w+)\s*(?:<[^>]*>)?\(\s*db: Db\b/g)].map((match) => `${file}: ${match[1]} is not async`));
}

/** The escape hatches to the raw connection are for tests and tools; features go through `Db`. */
function rawConnections(): string[] {
  return files.flatMap(({ file, text }) =>
    file.startsWith('src/platform/') || file.startsWith('src/cli/') || file.endsWith('.test.ts') || !/\b(rawSqlite|rawDrizzle)\(|\.\$client\b/.test(text)
      ? []
      : [`${file} reaches the raw connection`],
  );
}

function longFiles(): string[] {
  return files.filter(({ text }) => text.split('\n').length > 301).map(({ file, text }) => `${file}: ${text.split('\n').length - 1} lines`);
}

/** `Date.now()`, `new Date()` (or `new Date`) and `Date()`: the system clock, which tests cannot move. */
const SYSTEM_CLOCK = /\bDate\.now\b|(?<![\w.$])Date\(\s*\)|\bnew Date\b(?!\s*\()/;

/** Who may read the system clock instead of src/platform/clock.ts. */
function mayReadSystemClock(file: string): boolean {
  if (file.endsWith('.test.ts')) return true;
  // The clock itself.
  if (file === 'src/platform/clock.ts' || file === 'src/platform/clock.server.ts') return true;
  // Compares with file mtimes (a stale build lock), which follow the real clock.
  return file === 'src/cli/build-if-stale.ts';
}

function systemClockReads(): string[] {
  return files.flatMap(({ file, text }) =>
    mayReadSystemClock(file) ? [] : text.split('\n').flatMap((line, index) => (SYSTEM_CLOCK.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
  );
}

/** Index just past the template literal whose opening backtick is at `start` (its `${…}` and nested templates skipped). */
function templateEnd(text: string, start: number, visit?: (chunk: string) => void): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      visit?.(text.slice(i, i + 2));
      i += 2;
    } else if (c === '`') {
      return i + 1;
    } else if (c === '$' && text[i + 1] === '{') {
      visit?.(' ');
      i += 2;
      for (let depth = 1; i < text.length && depth > 0; ) {
        const d = text[i]!;
        if (d === '`') {
          i = templateEnd(text, i);
          continue;
        }
        if (d === '{') depth++;
        else if (d === '}') depth--;
        i++;
      }
    } else {
      visit?.(c);
      i++;
    }
  }
  return i;
}

/**
 * A camelCase name written bare in the text of a sql`…` template: PostgreSQL folds unquoted
 * names to lower case, so `select quiz_id quizId` reads back as `quizid` there (SQLite keeps
 * the case). Aliases the code reads by a camelCase key are quoted: `quiz_id "quizId"`.
 */
function unquotedCamelCase(): string[] {
  return files.flatMap(({ file, text }) =>
    file.endsWith('.test.ts')
      ? []
      : [...text.matchAll(/\bsql(?:<[^>`]*>)?`/g)].flatMap((match) => {
          let body = '';
          templateEnd(text, match.index + match[0].length - 1, (chunk) => {
            body += chunk;
          });
          const bare = body.replace(/"[^"]*"/g, ' ').replace(/'[^']*'/g, ' ');
          const names = bare.match(/\b[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*\b/g) ?? [];
          const line = text.slice(0, match.index).split('\n').length;
          return names.map((name) => `${file}:${line}: ${name}`);
        }),
  );
}

describe('layout rules', () => {
  it('pages, components, actions and pure modules never import the database', () => {
    expect(databaseImports()).toEqual([]);
  });

  it('every exported data function is async (it takes Db, not a synchronous executor)', () => {
    expect(synchronousDataFunctions()).toEqual([]);
  });

  it('only the platform, the CLIs and tests reach the raw connection under Db', () => {
    expect(rawConnections()).toEqual([]);
  });

  it('the time is read through src/platform/clock.ts (now(), nowMs()), never Date.now() or new Date()', () => {
    expect(systemClockReads()).toEqual([]);
  });

  it('raw SQL quotes its camelCase names (PostgreSQL folds bare names to lower case)', () => {
    expect(unquotedCamelCase()).toEqual([]);
  });

  it('no file in src/ is over 300 lines', () => {
    expect(longFiles()).toEqual([]);
  });
});
