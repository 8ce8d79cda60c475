/**
 * Where core's tests live (issue 74): test/unit/core/ mirrors functions/core/.
 * The rule is a pure function of the test tree's files and what they import
 * (coreTestBreaches); readTestTree gives it the real tree.
 * - Every test file under test/unit/core/ is named after a module of
 *   functions/core/: its path there up to the first dot of its name (members.reconcile.test.ts
 *   tests core/members.ts, follow-up/due.test.ts tests core/follow-up/due.ts).
 * - No unit or integration test outside test/unit/core/ reaches only
 *   functions/core/. What a test reaches is the repository code it imports,
 *   directly or through the test tree's helpers (a fixture of core's plain data,
 *   test/support/records.ts, is core's); a helper that imports no repository
 *   code is a tool over something else (the OpenAPI validator reads
 *   docs/openapi.json), so a test using one is that thing's test.
 * e2e and browser tests drive `npm start`: a core function they borrow (svix to
 * sign a webhook) is a helper there, not their subject.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestTree {
  /** functions/core/'s modules, by their path there without `.ts`: `members`, `follow-up/due`. */
  coreModules: readonly string[];
  /** Each .ts file under test/ (repository-relative) and the repository files it imports, resolved. */
  imports: ReadonlyMap<string, readonly string[]>;
}

const CORE = 'functions/core/';
const CORE_TESTS = 'test/unit/core/';
const CHECKED_LAYERS = /^test\/(?:unit|integration)\/.*\.test\.ts$/;

/** What the tree breaks of the rule, one sentence a breach; none when it holds. */
export function coreTestBreaches(tree: TestTree): string[] {
  const modules = new Set(tree.coreModules);
  const reach = reachOf(tree.imports);
  const breaches: string[] = [];
  for (const file of [...tree.imports.keys()].sort()) {
    if (file.startsWith(CORE_TESTS) && file.endsWith('.test.ts')) {
      const module = moduleNamed(file);
      if (!modules.has(module)) breaches.push(`${file} is named after no module of functions/core/ (${module}.ts)`);
    } else if (CHECKED_LAYERS.test(file)) {
      const reached = reach(file);
      if (reached.length > 0 && reached.every((path) => path.startsWith(CORE))) {
        breaches.push(`${file} tests only functions/core/ (${reached.join(', ')}): it belongs in ${CORE_TESTS} under its module's name`);
      }
    }
  }
  return breaches;
}

/** test/unit/core/follow-up/due.test.ts -> follow-up/due; members.reconcile.test.ts -> members. */
function moduleNamed(file: string): string {
  const inside = file.slice(CORE_TESTS.length);
  const slash = inside.lastIndexOf('/');
  const name = inside.slice(slash + 1);
  return inside.slice(0, slash + 1) + name.slice(0, name.indexOf('.'));
}

/**
 * The repository code a file reaches, sorted: what it imports outside test/, and
 * what its test-tree helpers reach; a helper reaching none counts as itself.
 */
function reachOf(imports: ReadonlyMap<string, readonly string[]>): (file: string) => string[] {
  const memo = new Map<string, string[]>();
  const visit = (file: string, path: ReadonlySet<string>): string[] => {
    const known = memo.get(file);
    if (known) return known;
    const found = new Set<string>();
    for (const target of imports.get(file) ?? []) {
      if (!target.startsWith('test/')) found.add(target);
      else if (!path.has(target)) {
        const through = visit(target, new Set([...path, target]));
        for (const reached of through.length > 0 ? through : [target]) found.add(reached);
      }
    }
    const sorted = [...found].sort();
    memo.set(file, sorted);
    return sorted;
  };
  return (file) => visit(file, new Set([file]));
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function tsFilesUnder(folder: string): string[] {
  return readdirSync(join(repoRoot, folder)).flatMap((name) => {
    const path = `${folder}/${name}`;
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(join(repoRoot, path)).isDirectory()) return tsFilesUnder(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `from '…'` of an import or export, a bare `import '…'`, and `import('…')`: relative specifiers only. */
const IMPORT_SPECIFIER = /^\s*(?:import|export)\b[^;]*?\sfrom\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

/**
 * The relative specifiers a file imports, resolved against the repository. A scan of the text, not
 * a parse (typescript's load would cost more than the whole check): an import written inside a
 * string reads as one, to a file that is not there, which only ever makes a test reach more.
 */
function importsOf(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  return [...text.matchAll(IMPORT_SPECIFIER)]
    .map((match) => match[1] ?? match[2] ?? match[3] ?? '')
    .map((specifier) => relative(repoRoot, normalize(join(repoRoot, dirname(file), specifier))).replace(/\.(?:js|ts)$/, '') + '.ts');
}

/** The real tree: functions/core/'s modules and test/'s files with their imports. */
export function readTestTree(): TestTree {
  const coreModules = tsFilesUnder('functions/core').map((path) => path.slice(CORE.length, -'.ts'.length));
  return { coreModules, imports: new Map(tsFilesUnder('test').map((file) => [file, importsOf(file)])) };
}
