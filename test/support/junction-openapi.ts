/**
 * Validates what the project generates as Junction (webhook bodies from the flow
 * builders, the local stand-in's answers) against Junction's own OpenAPI schemas,
 * vendored in test/fixtures/junction-openapi/openapi.json (OpenAPI 3.1, whose
 * schemas are JSON Schema 2020-12), so the builders and the stand-in cannot drift
 * from the real service. The same ajv approach as ./openapi.ts (the tracker's own
 * document): components/schemas compiled strictly as the $defs of one schema.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const DOC_ID = 'junction-openapi.json';

/** The schemas the project's Junction stand-ins must honour. */
export type JunctionSchemaName =
  | 'ClientFacingOrder'
  | 'ClientFacingAppointment'
  | 'ClientFacingOrderChanged'
  | 'GetOrdersResponse'
  | 'GetOrderTransactionResponse'
  | 'OrderSummary'
  | 'LabResultsRaw'
  | 'MissingBiomarkerResult'
  | 'FailureType'
  | 'HTTPValidationError'
  | 'PSCInfo'
  | 'AppointmentAvailabilitySlots'
  | 'ClientFacingAppointmentCancellationReason'
  | 'AppointmentBookingRequest'
  | 'AppointmentRescheduleRequest'
  | 'vital_core__clients__lab_test__getlabs__schema__AppointmentCancelRequest'
  | 'api__api_v1__endpoints__vital_api__lab_testing__orders__helpers__AppointmentCancelRequest';

export interface JunctionSchemaValidator {
  /** The problems of `value` against the named schema, as ajv reports them; empty when valid. */
  errors(name: JunctionSchemaName, value: unknown): ErrorObject[];
  /** Throws, naming every problem, unless `value` is valid. */
  assertValid(name: JunctionSchemaName, value: unknown, context?: string): void;
}

/** The vendored document, parsed. */
export function junctionOpenApiDocument(): Record<string, unknown> {
  const path = fileURLToPath(new URL('../fixtures/junction-openapi/openapi.json', import.meta.url));
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(parsed)) throw new Error('junction-openapi/openapi.json is not an object');
  return parsed;
}

export function junctionSchemaValidator(): JunctionSchemaValidator {
  const doc = junctionOpenApiDocument();
  const components = isRecord(doc.components) ? doc.components : {};
  const schemas = components.schemas;
  if (!isRecord(schemas)) throw new Error('junction-openapi/openapi.json has no components.schemas');
  // Strict, so a typo in a keyword is an error; the document's three annotations
  // that JSON Schema does not define are declared as such (no validation meaning).
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addKeyword({ keyword: 'example' });
  ajv.addKeyword({ keyword: 'x-junction-exhaustive' });
  // Junction's SDK generator's (Fern) marker on a deprecated field (BiomarkerResult's `value`).
  ajv.addKeyword({ keyword: 'x-fern-ignore' });
  addFormats(ajv);
  // Junction's appointment ids say `uuid4` (a format JSON Schema does not define): a UUID whose version digit is 4.
  ajv.addFormat('uuid4', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
  const defs: unknown = JSON.parse(JSON.stringify(schemas).replaceAll('"#/components/schemas/', '"#/$defs/'));
  ajv.addSchema({ $id: DOC_ID, $defs: defs }, DOC_ID);
  const compiled = new Map<JunctionSchemaName, ValidateFunction>();
  const validatorFor = (name: JunctionSchemaName): ValidateFunction => {
    let validate = compiled.get(name);
    if (!validate) {
      if (!(name in schemas)) throw new Error(`not in junction-openapi/openapi.json: ${name}`);
      validate = ajv.compile({ $ref: `${DOC_ID}#/$defs/${name}` });
      compiled.set(name, validate);
    }
    return validate;
  };
  const errors = (name: JunctionSchemaName, value: unknown): ErrorObject[] => {
    const validate = validatorFor(name);
    return validate(value) ? [] : [...(validate.errors ?? [])];
  };
  return {
    errors,
    assertValid(name, value, context) {
      const found = errors(name, value);
      if (found.length > 0) {
        throw new Error(`${context ? `${context}: ` : ''}not a valid ${name}: ${ajv.errorsText(found, { separator: '; ' })}`);
      }
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
