/**
 * The stand-in's `GET /v3/order/{order_id}/result` (junction-standin.ts): Junction's
 * `LabResultsRaw` for an order it knows, as the tracker's reads of missing results
 * (CONTRACT §9 `missing`) meet it.
 *
 * - An order that ended without all its results (`has_missing_results: true`, a
 *   redraw_available initial order among them, or a failed one): `missing_results`
 *   with 1 to 4 entries, the same for the same order id every time (a hash of
 *   it picks how many and their `inferred_failure_type`s; a `corrected` one has
 *   one fewer, when it had several), and every field a
 *   person could be told from (names, slugs, LOINC codes, notes, metadata,
 *   results) a PHI canary, so a test can search the tracker for them.
 * - An order that completed with all its results: `missing_results: null`.
 * - An order with no results yet (in progress, cancelled): 422, as Junction
 *   documents it (HTTPValidationError).
 *
 * Answers validate against Junction's OpenAPI (test/integration/junction-standin-openapi.test.ts).
 */
import { createHash } from 'node:crypto';
import { categorize } from '../../functions/core/status';
import { PHI_CANARY } from '../junction/flows';

/**
 * The failure types the stand-in hands out, as Junction's `FailureType` spells
 * them (DOMAIN "Missing results"): the kinds a lab-operations team tells apart
 * (too little sample, how it was collected, the lab's own failure, the drop-off,
 * no known cause) and `non_failure` (nothing the patient must redo).
 */
export const STANDIN_FAILURE_TYPES = [
  'quantity_not_sufficient_failure',
  'collection_process_failure',
  'internal_lab_failure',
  'drop_off_failure',
  'unknown_failure',
  'non_failure',
] as const;

/**
 * The missing results' failure types of `orderId` as the stand-in answers them (deterministic).
 * A `corrected` order's lab sent one of them after all: one fewer, when there were several.
 */
export function standinMissingTypes(orderId: string, lowLevelStatus: string | null = null): (typeof STANDIN_FAILURE_TYPES)[number][] {
  const digest = createHash('sha256').update(orderId).digest();
  const count = 1 + (digest[0]! % 4);
  const types = Array.from({ length: count }, (_, index) => STANDIN_FAILURE_TYPES[digest[index + 1]! % STANDIN_FAILURE_TYPES.length]!);
  return lowLevelStatus === 'corrected' && types.length > 1 ? types.slice(0, -1) : types;
}

/** What the stand-in knows of an order for its results: its newest low-level status and `has_missing_results`. */
export interface ResultsFacts {
  id: string;
  lowLevelStatus: string | null;
  hasMissingResults: unknown;
}

/** The answer of `GET /v3/order/{id}/result` for an order the stand-in knows. */
export function resultsAnswer(order: ResultsFacts): { status: number; body: unknown } {
  const category = order.lowLevelStatus === null ? 'in_progress' : categorize(order.lowLevelStatus);
  const missing = order.hasMissingResults === true || category === 'failed';
  if (!missing && category !== 'done') {
    return { status: 422, body: { detail: [{ type: 'value_error', loc: ['path', 'order_id'], msg: 'Order has no results yet', input: order.id }] } };
  }
  const canary = (field: string) => `${PHI_CANARY}-${field}-${order.id}`;
  return {
    status: 200,
    body: {
      metadata: {
        age: canary('age'),
        dob: canary('dob'),
        patient: canary('patient'),
        provider: canary('provider'),
        laboratory: 'Quest Diagnostics',
        date_reported: '2026-04-07',
        date_collected: '2026-04-01',
        specimen_number: canary('specimen'),
        date_received: '2026-04-02',
        status: 'partial',
        interpretation: 'normal',
        patient_id: canary('patient-id'),
        account_id: canary('account'),
      },
      results: [
        { name: canary('result-name'), slug: canary('result-slug'), value: 4.2, result: canary('result'), type: 'numeric', unit: 'mg/dL', notes: canary('result-notes'), loinc: canary('result-loinc'), interpretation: 'normal' },
      ],
      missing_results: missing
        ? standinMissingTypes(order.id, order.lowLevelStatus).map((type, index) => ({
            name: canary(`missing-name-${index}`),
            slug: canary(`missing-slug-${index}`),
            inferred_failure_type: type,
            note: canary(`missing-note-${index}`),
            loinc: canary(`missing-loinc-${index}`),
            loinc_slug: canary(`missing-loinc-slug-${index}`),
            provider_id: canary(`missing-provider-${index}`),
            source_markers: [{ marker_id: index + 1, name: canary(`source-name-${index}`), slug: canary(`source-slug-${index}`) }],
          }))
        : null,
    },
  };
}
