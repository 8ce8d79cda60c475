/**
 * The FHIR references that may name a person (CONTRACT §13): staff, never a
 * patient. A leaf of plain data and one rule, shared by the EHR's versions
 * (core/fhir/ehr-versions.ts) and what the EHR set (core/fhir/ehr-set.ts), which
 * the console's first load reads too.
 */

/** The reference types that may name an actor or an owner (CONTRACT §13). */
export const EHR_REFERENCE_TYPES: readonly string[] = ['Practitioner', 'PractitionerRole', 'Organization', 'CareTeam', 'HealthcareService', 'Device'];

/** `Type/id` at the end of a relative or absolute reference. */
const TYPED_REFERENCE = /(?:^|\/)([A-Za-z]{1,64})\/[A-Za-z0-9\-.]{1,64}$/;

/** Whether `reference` is of a type that may name an actor or an owner (a `Patient/1` never). */
export function namesStaff(reference: string): boolean {
  const match = TYPED_REFERENCE.exec(reference);
  return match !== null && EHR_REFERENCE_TYPES.includes(match[1]!);
}
