/**
 * The shape of the code stays as issues 44, 56, 74 and 75 left it
 * (docs/engineering-notes.md, "The code's rooms"):
 * - the house's rooms stand in one order, each importing only rooms below it:
 *   functions/ < console/ < lib/ < views/ < local/ < cli/ < bin/ < bench/;
 * - in functions/, entries (one folder per Lambda function) stand on the lower
 *   rooms (notices, fhir, store, junction, shared, core) and never on each
 *   other; no lower room imports an entry or a room above it; an entry (a
 *   folder with a handler.ts) stands only at functions/'s root, every folder
 *   there is an entry or a lower room, and no lower room is named like one
 *   (issue 86);
 * - functions/fhir/ is one FHIR wing of two rooms, client/ < sync/, with no
 *   other folder and no loose file (issue 86);
 * - in console/src/, lib/ < components/ < the pages (pages/, report/,
 *   redraws/, which never import each other) < the root (app.tsx, main.tsx);
 * - in local/, its root (the config, the HTTP adapter, DynamoDB Local and the
 *   other loose parts) < standin/ (the stand-ins' shared parts) < junction/
 *   (Junction's flows and webhooks) < junction-standin/ and fhir-standin/
 *   (which never import each other) < simulator/ < stream-reader/ < runtime/
 *   < main.ts, a room's main file (local/<room>.ts) counted in its room, and
 *   no folder of local/ that is not one of these rooms (issue 86);
 * - no import circle anywhere in the repository's code;
 * - no function in functions/, console/src/, lib/, local/, cli/ or bench/ over
 *   80 lines (constructors counted), no file there over 500 and no entry's
 *   app.ts over 400, each measured with the TypeScript compiler from the first
 *   line to the last, comments, blank lines and nested closures included (the
 *   exceptions are listed below by name with the reason; local/, cli/ and
 *   bench/ since issue 74, lib/ since issue 75);
 * - no test file (test/) over 500 lines (issue 74);
 * - in functions/, only an entry's intake (`<entry>/intake.ts` or
 *   `<entry>/steps/intake.ts`), one per entry, names a stream record's images
 *   (each record is decoded once: test/unit/stream-decode-once.test.ts);
 * - every key layout is built and parsed in functions/store/keys/: no other
 *   file of functions/ writes a key literal (test/support/key-literals.ts,
 *   its breach shown in test/unit/key-literals.test.ts; issue 75).
 * Each rule is a function of the files and their imports, shown to catch a
 * made-up breach before it is run on the code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { arrowsUp, entryShapeBreaches, FHIR_WING_ORDER, fhirWingRoomOf, isLowerRoom, LOWER_ROOMS, outsideFhirWingRooms, roomOf } from '../support/code-rooms';
import { keyLiteralsOutside } from '../support/key-literals';
import { repoRoot } from '../support/npm-start';

/** The house's rooms, lowest first: each may import only the rooms before it (tests may import anything). */
const HOUSE_ORDER = ['functions', 'console', 'lib', 'views', 'local', 'cli', 'bin', 'bench'] as const;

/** Folders of code the project runs or ships, and the benches. */
const CODE_ROOTS: readonly string[] = HOUSE_ORDER;

/** The console's rooms, lowest first; the pages are one level whose rooms never import each other. */
const CONSOLE_ORDER: readonly (readonly string[])[] = [['lib'], ['components'], ['pages', 'report', 'redraws'], ['']];

/** Where a file's code is held to the length rules: the functions, the console, the stack (issue 75), and npm start, the CLI and the bench (issue 74). */
const MEASURED_ROOTS = ['functions/', 'console/src/', 'lib/', 'local/', 'cli/', 'bench/'] as const;
const MAX_FILE_LINES = 500;

/** The only files that name a stream record's images, and why. */
const STREAM_IMAGE_READERS: Readonly<Record<string, string>> = {
  'functions/transaction-status/steps/intake.ts': 'the intake decodes each record once; every step reads what it decoded',
  'functions/fhir-writer/intake.ts': "the FHIR writer's intake decodes each follow-up record once, through readStreamItem (its own mapping, CONTRACT §13)",
  'local/stream-reader.ts': "npm start's stand-in for Lambda's event source mapping: it builds the records from DynamoDB Local's stream",
  'lib/fhir.ts': "the FHIR writer's event filter names the new image's marker (CONTRACT §13): Lambda reads it, no code of ours",
  'bench/fhir-marker.ts': "bench section n counts the records the FHIR writer's filter passes, before and with the marker, and replays their images to price it",
};

/**
 * local/'s rooms, lowest first (issue 86): its root's files ('') < the stand-ins'
 * shared parts < Junction's flows and webhooks < the two stand-ins < the
 * simulator < npm start's stream reader < npm start's runtime < main.ts.
 */
const LOCAL_ORDER: readonly (readonly string[])[] = [[''], ['standin'], ['junction'], ['junction-standin', 'fhir-standin'], ['simulator'], ['stream-reader'], ['runtime'], ['main']];

const MAX_FUNCTION_LINES = 80;
const MAX_APP_LINES = 400;

/** Functions allowed past 80 lines: at most three, none past 120, each with its reason. */
const LONG_FUNCTION_EXCEPTIONS: Readonly<Record<string, { lines: number; why: string }>> = {};

function filesUnder(folder: string): string[] {
  const absolute = join(repoRoot, folder);
  let entries: string[];
  try {
    entries = readdirSync(absolute);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(folder, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(join(repoRoot, path)).isDirectory()) return filesUnder(path);
    return /\.(?:ts|mts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(repoRoot, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The repository files a file imports (relative specifiers only; type-only imports count too). */
function importsOf(file: string, source: ts.SourceFile, known: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const add = (specifier: string) => {
    if (!specifier.startsWith('.')) return;
    const base = resolve(repoRoot, dirname(file), specifier);
    const stem = base.replace(/\.(?:js|mjs)$/, '');
    for (const candidate of [base, `${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, join(base, 'index.ts')]) {
      const path = relative(repoRoot, candidate);
      if (known.has(path)) {
        found.push(path);
        return;
      }
    }
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const files = CODE_ROOTS.flatMap(filesUnder);
const sources = new Map(files.map((file) => [file, parse(file)]));
const known = new Set(files);
const graph = new Map(files.map((file) => [file, importsOf(file, sources.get(file)!, known)]));

/** Every import circle, each named once by the files on it (Tarjan's strongly connected components). */
function importCircles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const connect = (file: string) => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfLoop = (graph.get(file) ?? []).includes(file);
      if (component.length > 1 || selfLoop) circles.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) connect(file);
  return circles;
}

interface Measured {
  name: string;
  lines: number;
}

/** A readable name for a function node: `file:name` with its enclosing names, or the line of an anonymous one. */
function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const parts: string[] = [];
  for (let at: ts.Node | undefined = node; at && !ts.isSourceFile(at); at = at.parent) {
    const named = (at as { name?: ts.Node }).name;
    if (named && (ts.isIdentifier(named) || ts.isStringLiteral(named) || ts.isPrivateIdentifier(named))) parts.unshift(named.text);
  }
  const own = (node as { name?: ts.Node }).name;
  const parent = node.parent;
  const named = own !== undefined || ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent);
  if (ts.isConstructorDeclaration(node)) parts.push('constructor');
  else if (!named) parts.push('<closure>');
  return `${source.fileName}:${parts.join('.')}`;
}

function longFunctions(file: string): Measured[] {
  const source = sources.get(file)!;
  const found: Measured[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) found.push({ name: nameOf(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `console/src/<room>/...` -> the room ('' for the root), or undefined outside console/src/. */
function consoleRoomOf(file: string): string | undefined {
  if (!file.startsWith('console/src/')) return undefined;
  const parts = file.slice('console/src/'.length).split('/');
  return parts.length === 1 ? '' : parts[0];
}

const houseRoomOf = (file: string) => file.split('/')[0];
const houseLevels = HOUSE_ORDER.map((room) => [room]);

/** `local/<room>/...` or a room's main file `local/<room>.ts` -> the room (local/main.ts is 'main'); another file at local/'s root -> ''; undefined outside local/. */
function localRoomOf(file: string): string | undefined {
  const match = /^local\/(?:([^/]+)\/|([^/]+)\.tsx?$)/.exec(file);
  if (!match) return undefined;
  if (match[1] !== undefined) return match[1];
  return LOCAL_ORDER.some((level) => level.includes(match[2]!)) ? match[2] : '';
}

/** The folders of local/ that are none of its rooms. */
function unlistedLocalRooms(paths: readonly string[]): string[] {
  const rooms = new Set(paths.map(localRoomOf).filter((room): room is string => room !== undefined));
  return [...rooms].filter((room) => !LOCAL_ORDER.some((level) => level.includes(room))).sort();
}

/** Files over the line limit. */
function longFiles(texts: ReadonlyMap<string, string>): string[] {
  return [...texts]
    .map(([file, text]) => ({ file, lines: text.replace(/\n$/, '').split('\n').length }))
    .filter(({ lines }) => lines > MAX_FILE_LINES)
    .map(({ file, lines }) => `${file} (${lines} lines)`);
}

/** Files that name a stream image's fields (`NewImage`, `OldImage`) in code, comments aside. */
function streamImageNamers(parsed: ReadonlyMap<string, ts.SourceFile>): string[] {
  return [...parsed]
    .filter(([, source]) => {
      let found = false;
      const visit = (node: ts.Node) => {
        if ((ts.isIdentifier(node) || ts.isStringLiteral(node)) && /^(?:New|Old)Image$/.test(node.text)) found = true;
        if (!found) ts.forEachChild(node, visit);
      };
      visit(source);
      return found;
    })
    .map(([file]) => file);
}

const isMeasured = (file: string) => MEASURED_ROOTS.some((root) => file.startsWith(root));
const measuredFiles = files.filter(isMeasured);

/** The functions' files that name a stream image, other than one intake per entry: none may (issue 75). */
function imageNamersBeyondIntakes(namers: readonly string[]): string[] {
  const inFunctions = namers.filter((file) => file.startsWith('functions/'));
  const intakes = inFunctions.filter((file) => /^functions\/[^/]+\/(?:steps\/)?intake\.ts$/.test(file) && !isLowerRoom(roomOf(file)));
  const perEntry = new Map<string, number>();
  for (const file of intakes) perEntry.set(roomOf(file)!, (perEntry.get(roomOf(file)!) ?? 0) + 1);
  const twice = intakes.filter((file) => perEntry.get(roomOf(file)!)! > 1);
  return [...inFunctions.filter((file) => !intakes.includes(file)), ...twice].sort();
}
const roomsWords = MEASURED_ROOTS.join(', ');

/** The test files (test/), held to the file rule (issue 74). */
const testFiles = filesUnder('test');

describe('the rules, each shown to catch a made-up breach', () => {
  it('sees an arrow up or sideways in the house and in the console, and none where the order holds', () => {
    const made = new Map([
      ['local/a.ts', ['cli/b.ts', 'functions/c.ts']],
      ['functions/c.ts', ['lib/d.ts']],
      ['cli/b.ts', ['views/e.ts']],
    ]);
    expect(arrowsUp(made, houseRoomOf, houseLevels)).toEqual(['local/a.ts -> cli/b.ts', 'functions/c.ts -> lib/d.ts']);
    const pages = new Map([
      ['console/src/components/a.tsx', ['console/src/pages/b.tsx', 'console/src/lib/c.ts']],
      ['console/src/redraws/d.tsx', ['console/src/report/e.ts', 'console/src/components/a.tsx']],
      ['console/src/lib/c.ts', ['console/src/app.tsx']],
      ['console/src/app.tsx', ['console/src/pages/b.tsx']],
    ]);
    expect(arrowsUp(pages, consoleRoomOf, CONSOLE_ORDER)).toEqual([
      'console/src/components/a.tsx -> console/src/pages/b.tsx',
      'console/src/redraws/d.tsx -> console/src/report/e.ts',
      'console/src/lib/c.ts -> console/src/app.tsx',
    ]);
  });

  it('sees an arrow up or sideways in local/, and a folder of local/ that is none of its rooms', () => {
    const made = new Map([
      ['local/config.ts', ['local/dynamodb-endpoint.ts', 'local/standin/faults.ts']],
      ['local/junction/flows.ts', ['local/junction-standin/types.ts', 'local/standin/cli.ts', 'local/http-adapter.ts']],
      ['local/fhir-standin/http.ts', ['local/junction-standin.ts', 'local/fhir-standin.ts']],
      ['local/simulator/tracker.ts', ['local/junction-standin.ts', 'local/runtime.ts']],
      ['local/runtime/fhir.ts', ['local/stream-reader.ts', 'local/main.ts', 'functions/fhir/client/http.ts']],
      ['local/main.ts', ['local/runtime.ts', 'local/config.ts']],
    ]);
    expect(arrowsUp(made, localRoomOf, LOCAL_ORDER)).toEqual([
      'local/config.ts -> local/standin/faults.ts',
      'local/junction/flows.ts -> local/junction-standin/types.ts',
      'local/fhir-standin/http.ts -> local/junction-standin.ts',
      'local/simulator/tracker.ts -> local/runtime.ts',
      'local/runtime/fhir.ts -> local/main.ts',
    ]);
    expect(unlistedLocalRooms(['local/config.ts', 'local/simulator.ts', 'local/standin/cli.ts', 'local/helpers/x.ts', 'functions/core/y.ts'])).toEqual(['helpers']);
  });

  it('sees an entry below functions/\'s root, a folder that is neither, and an arrow or a folder out of the FHIR wing\'s order', () => {
    expect(entryShapeBreaches(['functions/webhook/handler.ts', 'functions/webhook/app.ts', 'functions/fhir/sync/sync.ts', 'functions/core/x.ts'])).toEqual([]);
    expect(
      entryShapeBreaches(['functions/webhook/handler.ts', 'functions/fhir/sync/handler.ts', 'functions/webhook/steps/handler.ts', 'functions/helpers/x.ts', 'functions/x.ts', 'local/handler.ts']),
    ).toEqual([
      "functions/fhir/sync/handler.ts: a handler below functions/'s root or in a lower room",
      "functions/webhook/steps/handler.ts: a handler below functions/'s root or in a lower room",
      "functions/x.ts: a file loose at functions/'s root",
      'functions/helpers/: neither an entry (no handler.ts) nor a lower room',
    ]);
    const made = new Map([
      ['functions/fhir/client/http.ts', ['functions/fhir/sync/sync.ts', 'functions/core/x.ts']],
      ['functions/fhir/sync/sync.ts', ['functions/fhir/client/http.ts', 'functions/store/y.ts']],
    ]);
    expect(arrowsUp(made, fhirWingRoomOf, FHIR_WING_ORDER)).toEqual(['functions/fhir/client/http.ts -> functions/fhir/sync/sync.ts']);
    expect(outsideFhirWingRooms(['functions/fhir/client/a.ts', 'functions/fhir/sync/b.ts', 'functions/fhir/poll/c.ts', 'functions/fhir/d.ts', 'functions/store/e.ts'])).toEqual([
      'functions/fhir/poll/c.ts',
      'functions/fhir/d.ts',
    ]);
  });

  it('sees a long file, a long function and a stream image named outside the intake', () => {
    expect(longFiles(new Map([['a.ts', 'x\n'.repeat(501)], ['b.ts', 'x\n'.repeat(500)]]))).toEqual(['a.ts (501 lines)']);
    // In each measured room, and for a constructor as for a function.
    for (const root of MEASURED_ROOTS) {
      const file = `${root}x.ts`;
      expect(isMeasured(file), file).toBe(true);
      sources.set(file, ts.createSourceFile(file, `export function f() {\n${'  g();\n'.repeat(79)}}\nclass C {\n  constructor() {\n${'    g();\n'.repeat(79)}  }\n}\n`, ts.ScriptTarget.Latest, true));
      try {
        expect(longFunctions(file)).toEqual([{ name: `${file}:f`, lines: 81 }, { name: `${file}:C.constructor`, lines: 81 }]);
      } finally {
        sources.delete(file);
      }
    }
    expect(isMeasured('views/x.ts')).toBe(false);
    const named = (text: string) => ts.createSourceFile('y.ts', text, ts.ScriptTarget.Latest, true);
    expect(streamImageNamers(new Map([['a.ts', named('const x = record.dynamodb?.NewImage;')], ['b.ts', named("const { OldImage } = r; // a NewImage")], ['c.ts', named('// NewImage in words only')]]))).toEqual(['a.ts', 'b.ts']);
    // One intake per entry, and only an entry's: a second one, a step or a lower room naming images is caught.
    expect(imageNamersBeyondIntakes(['functions/a/steps/intake.ts', 'functions/b/intake.ts', 'local/x.ts'])).toEqual([]);
    expect(imageNamersBeyondIntakes(['functions/a/steps/intake.ts', 'functions/a/intake.ts', 'functions/a/steps/read.ts', 'functions/store/intake.ts'])).toEqual([
      'functions/a/intake.ts',
      'functions/a/steps/intake.ts',
      'functions/a/steps/read.ts',
      'functions/store/intake.ts',
    ]);
  });
});

describe('the shape of the code (issues 44, 56, 74 and 75)', () => {
  it('reads every folder of code, and sees the imports between them', () => {
    for (const root of ['functions', 'lib', 'local', 'cli', 'views', 'console', 'bench']) expect(files.some((file) => file.startsWith(`${root}/`)), root).toBe(true);
    const arrows = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
    expect(arrows).toBeGreaterThan(files.length);
  });

  it('has no arrow up in the house: functions < console < lib < views < local < cli < bin < bench', () => {
    expect(arrowsUp(graph, houseRoomOf, houseLevels)).toEqual([]);
  });

  it('has no arrow up or sideways in the console: lib < components < pages, report, redraws < app.tsx and main.tsx', () => {
    expect(files.filter((file) => consoleRoomOf(file) === '').sort()).toEqual(['console/src/app.tsx', 'console/src/main.tsx']);
    expect(arrowsUp(graph, consoleRoomOf, CONSOLE_ORDER)).toEqual([]);
  });

  it('has no arrow up or sideways in local/: its root < standin < junction < junction-standin, fhir-standin < simulator < stream-reader < runtime < main.ts', () => {
    for (const room of LOCAL_ORDER.flat()) expect(files.some((file) => localRoomOf(file) === room), room).toBe(true);
    expect(unlistedLocalRooms(files)).toEqual([]);
    expect(arrowsUp(graph, localRoomOf, LOCAL_ORDER)).toEqual([]);
  });

  it(`has Lambda entries only at functions/'s root, beside the lower rooms (${LOWER_ROOMS.join(', ')}), none named like an entry`, () => {
    expect(entryShapeBreaches(files)).toEqual([]);
  });

  it('has one FHIR wing, functions/fhir/: client < sync, and nothing else in it', () => {
    for (const room of FHIR_WING_ORDER.flat()) expect(files.some((file) => fhirWingRoomOf(file) === room), room).toBe(true);
    expect(outsideFhirWingRooms(files)).toEqual([]);
    expect(arrowsUp(graph, fhirWingRoomOf, FHIR_WING_ORDER)).toEqual([]);
  });

  it('has no entry importing another entry', () => {
    const crossings = files.flatMap((file) => {
      const room = roomOf(file);
      if (!room || isLowerRoom(room)) return [];
      return (graph.get(file) ?? []).filter((target) => {
        const to = roomOf(target);
        return to !== undefined && to !== room && !isLowerRoom(to);
      }).map((target) => `${file} -> ${target}`);
    });
    expect(crossings).toEqual([]);
  });

  it(`has no lower room (${LOWER_ROOMS.join(', ')}) importing an entry or a room above it`, () => {
    const upward = files.flatMap((file) => {
      const room = roomOf(file);
      if (!isLowerRoom(room)) return [];
      const level = LOWER_ROOMS.indexOf(room as (typeof LOWER_ROOMS)[number]);
      return (graph.get(file) ?? []).filter((target) => {
        const to = roomOf(target);
        if (to === undefined) return true; // functions/ never reaches outside itself
        if (!isLowerRoom(to)) return true;
        return LOWER_ROOMS.indexOf(to as (typeof LOWER_ROOMS)[number]) < level;
      }).map((target) => `${file} -> ${target}`);
    });
    expect(upward).toEqual([]);
  });

  it('has no import circle in the code', () => {
    expect(importCircles()).toEqual([]);
  });

  it(`has no function in ${roomsWords} over ${MAX_FUNCTION_LINES} lines but the listed exceptions`, () => {
    const exceptions = Object.entries(LONG_FUNCTION_EXCEPTIONS);
    expect(exceptions.length).toBeLessThanOrEqual(3);
    for (const [name, { lines, why }] of exceptions) {
      expect(lines, name).toBeLessThanOrEqual(120);
      expect(why.length, name).toBeGreaterThan(20);
    }
    for (const root of MEASURED_ROOTS) expect(measuredFiles.some((file) => file.startsWith(root)), root).toBe(true);
    const measured = measuredFiles.flatMap(longFunctions);
    const unlisted = measured.filter(({ name }) => !(name in LONG_FUNCTION_EXCEPTIONS));
    expect(unlisted.map(({ name, lines }) => `${name} (${lines} lines)`)).toEqual([]);
    for (const { name, lines } of measured) expect(lines, name).toBeLessThanOrEqual(LONG_FUNCTION_EXCEPTIONS[name]!.lines);
  });

  it(`has no file in ${roomsWords} over ${MAX_FILE_LINES} lines`, () => {
    expect(longFiles(new Map(measuredFiles.map((file) => [file, readFileSync(join(repoRoot, file), 'utf8')])))).toEqual([]);
  });

  it(`has no test file over ${MAX_FILE_LINES} lines`, () => {
    expect(testFiles.length).toBeGreaterThan(300);
    expect(longFiles(new Map(testFiles.map((file) => [file, readFileSync(join(repoRoot, file), 'utf8')])))).toEqual([]);
  });

  it(`has no entry's app.ts over ${MAX_APP_LINES} lines`, () => {
    const apps = files.filter((file) => /^functions\/[^/]+\/app\.ts$/.test(file));
    expect(apps.length).toBeGreaterThanOrEqual(8);
    const long = apps
      .map((file) => ({ file, lines: readFileSync(join(repoRoot, file), 'utf8').replace(/\n$/, '').split('\n').length }))
      .filter(({ lines }) => lines > MAX_APP_LINES);
    expect(long).toEqual([]);
  });

  it('has only the intakes name a stream record\'s images, one per function (and the local stand-in that builds them)', () => {
    for (const why of Object.values(STREAM_IMAGE_READERS)) expect(why.length).toBeGreaterThan(20);
    const namers = streamImageNamers(sources);
    expect(namers.sort()).toEqual(Object.keys(STREAM_IMAGE_READERS).sort());
    expect(imageNamersBeyondIntakes(namers)).toEqual([]);
  });

  it('has every key layout in functions/store/keys/: no other file of functions/ writes a key literal', () => {
    // The files of functions/ parsed above: their text as read once for the whole file.
    const functionSources = [...sources].filter(([file]) => file.startsWith('functions/')).map(([path, source]) => ({ path, text: source.text }));
    expect(functionSources.some(({ path }) => path.startsWith('functions/store/keys/'))).toBe(true);
    expect(keyLiteralsOutside(functionSources)).toEqual([]);
  });
});
