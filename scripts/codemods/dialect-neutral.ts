/**
 * Codemod (issue 18): rewrites SQLite-only Drizzle calls into the dialect-neutral style of
 * ARCHITECTURE.md ("Writing queries for both databases"). Type-aware (TypeScript's checker): only
 * calls on Drizzle's query builders and executors are touched, never Map.get or a better-sqlite3
 * statement.
 *
 *   builder.all()            → (await builder)
 *   builder.get()            → first(await builder)        (`=== undefined` beside it → `=== null`)
 *   builder.run()            → await builder
 *   builder.run().changes    → changes(await builder)
 *   q.all<T>(sql`…`)         → (await rows<T>(q, sql`…`))
 *   q.get<T>(sql`…`)         → first(await rows<T>(q, sql`…`))
 *   q.run(sql`…`)            → await exec(q, sql`…`)
 *   prepared.get(params)     → first(await prepared.execute(params))   (.all/.run → await ….execute(…))
 *
 * The function around a rewritten call becomes `async` (return type `X` → `Promise<X>`), every call
 * of it gets `await`, and so on up to a `db.read`/`db.write` callback or an async function. What it
 * cannot do mechanically it lists with file:line: `.values()`, `lastInsertRowid`, savepoints (`tx.transaction`), a call inside a callback that is not
 * a read or write (`.map(…)`), a function passed as a value.
 *
 * Usage: node scripts/codemods/dialect-neutral.ts [--dry] <file or folder under src/>…
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');
const QUERY_MODULE = path.join(ROOT, 'src/platform/query.ts');
const args = process.argv.slice(2);
const dry = args.includes('--dry');
const targets = args.filter((a) => !a.startsWith('--')).map((a) => path.resolve(a));
if (targets.length === 0) {
  console.error('usage: node scripts/codemods/dialect-neutral.ts [--dry] <file or folder>…');
  process.exit(2);
}

const inTargets = (file: string): boolean => targets.some((t) => file === t || file.startsWith(`${t}${path.sep}`));

interface Edit {
  file: string;
  start: number;
  end: number;
  text: string;
}
interface Finding {
  file: string;
  line: number;
  kind: string;
  text: string;
}

function loadProgram(): { program: ts.Program; service: ts.LanguageService; files: string[] } {
  const configFile = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  const files = parsed.fileNames.filter((f) => f.endsWith('.ts') && !f.includes('node_modules') && (f.includes('/src/') || f.includes('/tests/')));
  const versions = new Map<string, number>();
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => files,
    getScriptVersion: (f) => String(versions.get(f) ?? 0),
    getScriptSnapshot: (f) => (fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, 'utf8')) : undefined),
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => ({ ...parsed.options, noEmit: true }),
    getDefaultLibFileName: ts.getDefaultLibFilePath,
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  const program = service.getProgram();
  if (!program) throw new Error('no program');
  return { program, service, files };
}

/**
 * The Drizzle class or interface that declares the method called (e.g. SQLiteSelectBase for
 * `select()….all()`, also through Drizzle's `Omit<…>` chain types); null for anything else (Map.get,
 * a better-sqlite3 statement).
 */
function drizzleClass(checker: ts.TypeChecker, call: ts.PropertyAccessExpression): string | null {
  const symbol = checker.getSymbolAtLocation(call.name);
  for (const declaration of symbol?.declarations ?? []) {
    if (!declaration.getSourceFile().fileName.includes('/drizzle-orm/')) continue;
    const owner = declaration.parent;
    if ((ts.isClassDeclaration(owner) || ts.isInterfaceDeclaration(owner)) && owner.name) return owner.name.text;
  }
  return null;
}

const BUILDER =
  /^SQLite(Select|Insert|Update|Delete)(Base|QueryBuilder)?$|^SQLite(Select|Insert|Update|Delete)$|SQLiteRelationalQuery|SQLiteSyncRelationalQuery|SQLiteCountBuilder/;
const EXECUTOR = /^(BaseSQLiteDatabase|SQLiteTransaction|BetterSQLiteTransaction|BetterSQLite3Database)$/;

type Fn = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ArrowFunction | ts.FunctionExpression;
const isFn = (node: ts.Node): node is Fn => ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node);

function enclosingFn(node: ts.Node): Fn | null {
  for (let n = node.parent; n; n = n.parent) if (isFn(n)) return n;
  return null;
}

const isAsync = (fn: Fn): boolean => (ts.getModifiers(fn) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);

/** Why `fn` cannot simply become async (it is a callback of something that does not await it), or null. */
function asyncBlocker(fn: Fn): string | null {
  if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) return null;
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return null;
  if (ts.isCallExpression(parent) && ts.isPropertyAccessExpression(parent.expression)) {
    const name = parent.expression.name.text;
    if (name === 'read' || name === 'write') return null;
    return `inside a callback of .${name}(…)`;
  }
  return 'inside a callback';
}

function needsParens(node: ts.Node): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAccessExpression(parent) && parent.expression === node) ||
    (ts.isElementAccessExpression(parent) && parent.expression === node) ||
    (ts.isCallExpression(parent) && parent.expression === node) ||
    ts.isNonNullExpression(parent)
  );
}

function onePass(): { edits: Edit[]; findings: Finding[]; importsNeeded: Map<string, Set<string>> } {
  const { program, service } = loadProgram();
  const checker = program.getTypeChecker();
  const edits: Edit[] = [];
  const findings: Finding[] = [];
  const importsNeeded = new Map<string, Set<string>>();
  const asyncDone = new Set<Fn>();
  const awaited = new Set<string>();
  const need = (file: string, name: string): void => {
    if (!importsNeeded.has(file)) importsNeeded.set(file, new Set());
    importsNeeded.get(file)!.add(name);
  };
  const report = (node: ts.Node, kind: string): void => {
    const sf = node.getSourceFile();
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
    findings.push({ file: path.relative(ROOT, sf.fileName), line: line + 1, kind, text: node.getText().split('\n')[0]!.slice(0, 100) });
  };

  /** Makes `fn` async and awaits every call of it; false when it cannot be. */
  function makeAsync(fn: Fn, at: ts.Node): boolean {
    if (asyncDone.has(fn) || isAsync(fn)) return true;
    const blocker = asyncBlocker(fn);
    if (blocker) {
      report(at, blocker);
      return false;
    }
    asyncDone.add(fn);
    const sf = fn.getSourceFile();
    const start = ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn) ? fn.getStart() : (fn.name?.getStart() ?? fn.getStart());
    if (ts.isFunctionDeclaration(fn)) {
      const keyword = fn.getChildren().find((c) => c.kind === ts.SyntaxKind.FunctionKeyword)!;
      edits.push({ file: sf.fileName, start: keyword.getStart(), end: keyword.getStart(), text: 'async ' });
    } else {
      edits.push({ file: sf.fileName, start, end: start, text: 'async ' });
    }
    if (fn.type && !/^Promise</.test(fn.type.getText())) edits.push({ file: sf.fileName, start: fn.type.getStart(), end: fn.type.getEnd(), text: `Promise<${fn.type.getText()}>` });
    // Every call of it now answers a promise: await it there.
    const nameNode =
      ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)
        ? fn.name
        : ts.isVariableDeclaration(fn.parent)
          ? fn.parent.name
          : ts.isPropertyAssignment(fn.parent)
            ? fn.parent.name
            : null;
    if (!nameNode) return true;
    const refs = service.findReferences(sf.fileName, nameNode.getStart()) ?? [];
    for (const ref of refs.flatMap((r) => r.references)) {
      if (ref.isDefinition) continue;
      const refFile = program.getSourceFile(ref.fileName);
      if (!refFile) continue;
      const token = findNode(refFile, ref.textSpan.start);
      if (!token) continue;
      let callee: ts.Node = token;
      if (ts.isPropertyAccessExpression(token.parent) && token.parent.name === token) callee = token.parent;
      if (ts.isImportSpecifier(callee.parent) || ts.isExportSpecifier(callee.parent)) continue;
      const call = callee.parent;
      if (!ts.isCallExpression(call) || call.expression !== callee) {
        report(callee, 'function passed as a value (its users must await it)');
        continue;
      }
      awaitCall(call);
    }
    return true;
  }

  function awaitCall(call: ts.CallExpression): void {
    const key = `${call.getSourceFile().fileName}:${call.getStart()}`;
    if (awaited.has(key) || ts.isAwaitExpression(call.parent)) return;
    const fn = enclosingFn(call);
    if (!fn) {
      report(call, 'call at module level');
      return;
    }
    if (!makeAsync(fn, call)) return;
    awaited.add(key);
    const file = call.getSourceFile().fileName;
    if (needsParens(call)) {
      edits.push({ file, start: call.getStart(), end: call.getStart(), text: '(await ' });
      edits.push({ file, start: call.getEnd(), end: call.getEnd(), text: ')' });
    } else edits.push({ file, start: call.getStart(), end: call.getStart(), text: 'await ' });
  }

  function replace(node: ts.Node, text: string): void {
    edits.push({ file: node.getSourceFile().fileName, start: node.getStart(), end: node.getEnd(), text });
  }

  for (const sf of program.getSourceFiles()) {
    if (!inTargets(sf.fileName)) continue;
    const visit = (node: ts.Node): void => {
      ts.forEachChild(node, visit);
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
      const method = node.expression.name.text;
      if (!['all', 'get', 'run', 'values', 'transaction'].includes(method)) return;
      const receiver = node.expression.expression;
      const kind = drizzleClass(checker, node.expression);
      // Not a call to run anything: `insert(t).values(…)`, `update(t).set(…)` build the statement.
      if (kind === null || /^SQLite(Insert|Update|Select)Builder$/.test(kind)) return;
      if (method === 'transaction' && EXECUTOR.test(kind)) return report(node, 'savepoint (tx.transaction): synchronous on SQLite, write it by hand');
      const fn = enclosingFn(node);
      const blocker = fn && !isAsync(fn) ? asyncBlocker(fn) : null;
      if (!fn) return report(node, 'call at module level');
      if (blocker) return report(node, blocker);
      const b = receiver.getText();
      const file = sf.fileName;
      if (/Prepared/.test(kind)) {
        // A prepared statement runs with `.execute(params)` on both drivers (all rows, or the run result).
        if (method === 'values' || method === 'transaction') return report(node, `prepared statement .${method}(params)`);
        const params = node.arguments.map((a) => a.getText()).join(', ');
        const exec = `await ${b}.execute(${params})`;
        const parent = node.parent;
        if (method === 'get') {
          need(file, 'first');
          replace(node, `first(${exec})`);
          if (ts.isBinaryExpression(parent) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(parent.operatorToken.kind)) {
            const other = parent.left === node ? parent.right : parent.left;
            if (other.getText() === 'undefined') replace(other, 'null');
          }
        } else if (method === 'run' && ts.isPropertyAccessExpression(parent) && parent.name.text === 'changes') {
          need(file, 'changes');
          replace(parent, `changes(${exec})`);
        } else if (method === 'run' && ts.isPropertyAccessExpression(parent)) return report(node, `.run().${parent.name.text}`);
        else replace(node, needsParens(node) ? `(${exec})` : exec);
        makeAsync(fn, node);
        return;
      }
      if (BUILDER.test(kind) && node.arguments.length === 0) {
        if (method === 'values') return report(node, 'builder.values() (rows as arrays)');
        if (method === 'all') replace(node, needsParens(node) ? `(await ${b})` : `await ${b}`);
        else if (method === 'get') {
          need(file, 'first');
          replace(node, `first(await ${b})`);
          const parent = node.parent;
          if (ts.isBinaryExpression(parent) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(parent.operatorToken.kind)) {
            const other = parent.left === node ? parent.right : parent.left;
            if (other.getText() === 'undefined') replace(other, 'null');
          }
        } else {
          const parent = node.parent;
          if (ts.isPropertyAccessExpression(parent) && parent.name.text === 'changes') {
            need(file, 'changes');
            replace(parent, `changes(await ${b})`);
          } else if (ts.isPropertyAccessExpression(parent)) return report(node, `.run().${parent.name.text}`);
          else replace(node, needsParens(node) ? `(await ${b})` : `await ${b}`);
        }
        makeAsync(fn, node);
        return;
      }
      if (EXECUTOR.test(kind) && node.arguments.length === 1) {
        const typeArgs = node.typeArguments ? `<${node.typeArguments.map((t) => t.getText()).join(', ')}>` : '';
        const query = node.arguments[0]!.getText();
        if (method === 'all') {
          need(file, 'rows');
          replace(node, needsParens(node) ? `(await rows${typeArgs}(${b}, ${query}))` : `await rows${typeArgs}(${b}, ${query})`);
        } else if (method === 'get') {
          need(file, 'rows');
          need(file, 'first');
          replace(node, `first(await rows${typeArgs}(${b}, ${query}))`);
        } else if (method === 'run') {
          need(file, 'exec');
          const parent = node.parent;
          replace(ts.isPropertyAccessExpression(parent) && parent.name.text === 'changes' ? parent : node, `await exec(${b}, ${query})`);
        } else return report(node, `q.${method}(sql)`);
        makeAsync(fn, node);
        return;
      }
      report(node, `${kind}.${method}(…) not understood`);
    };
    visit(sf);
  }
  return { edits, findings, importsNeeded };
}

function findNode(sf: ts.SourceFile, position: number): ts.Node | null {
  let found: ts.Node | null = null;
  const visit = (node: ts.Node): void => {
    if (position >= node.getStart(sf) && position < node.getEnd()) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  visit(sf);
  return found;
}

/** Applies the edits that do not overlap an earlier one (the rest are made by the next pass). */
function apply(edits: Edit[], importsNeeded: Map<string, Set<string>>): number {
  const byFile = new Map<string, Edit[]>();
  for (const edit of edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  let applied = 0;
  for (const [file, list] of byFile) {
    const unique = [...new Map(list.map((e) => [`${e.start}:${e.end}:${e.text}`, e])).values()].sort((a, b) => a.start - b.start || a.end - b.end);
    const kept: Edit[] = [];
    for (const edit of unique) {
      const last = kept.at(-1);
      if (last && edit.start < last.end) continue;
      kept.push(edit);
    }
    let text = fs.readFileSync(file, 'utf8');
    for (const edit of [...kept].reverse()) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    const names = importsNeeded.get(file);
    if (names && names.size > 0) text = addImports(file, text, names);
    applied += kept.length;
    if (!dry) fs.writeFileSync(file, text);
  }
  return applied;
}

function addImports(file: string, text: string, names: Set<string>): string {
  let specifier = path.relative(path.dirname(file), QUERY_MODULE).split(path.sep).join('/');
  if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  const existing = new RegExp(`import \\{([^}]*)\\} from '${specifier.replace(/\./g, '\\.')}';`);
  const match = existing.exec(text);
  if (match) {
    const have = new Set(
      match[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    for (const name of names) have.add(name);
    return text.replace(existing, `import { ${[...have].sort().join(', ')} } from '${specifier}';`);
  }
  const lastImport = [...text.matchAll(/^import [^;]+;$/gms)].at(-1);
  const at = lastImport ? lastImport.index! + lastImport[0].length : 0;
  return `${text.slice(0, at)}\nimport { ${[...names].sort().join(', ')} } from '${specifier}';${text.slice(at)}`;
}

const allFindings = new Map<string, Finding>();
for (let pass = 1; pass <= 6; pass++) {
  const { edits, findings, importsNeeded } = onePass();
  for (const f of findings) allFindings.set(`${f.file}:${f.line}:${f.kind}`, f);
  if (edits.length === 0) break;
  const applied = apply(edits, importsNeeded);
  console.log(`pass ${pass}: ${applied} edit(s)`);
  if (dry) break;
}
const byKind = new Map<string, number>();
for (const f of allFindings.values()) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
console.log(`\nnot converted (${allFindings.size}):`);
for (const f of [...allFindings.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) console.log(`  ${f.file}:${f.line}  ${f.kind}  ${f.text}`);
console.log('\nby kind:');
for (const [kind, n] of [...byKind].sort((a, b) => b[1] - a[1])) console.log(`  ${n}  ${kind}`);
