/**
 * The FHIR Task writer's entry (CONTRACT §13): placeholder, replaced by the lead. It exists so that
 * the stack (lib/fhir.ts) can bundle and rehearse the function; it does nothing with its records.
 */
export const handler = async (_event: unknown) => ({ batchItemFailures: [] });
