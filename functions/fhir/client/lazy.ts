/**
 * A FHIR client loaded at its first request: the sweep carries the catch-up
 * (CONTRACT §13) in a chunk of its own, so its cold start loads none of the
 * token source (jose) or the exchange, and a sweep with nothing pending loads
 * them never.
 */
import type { FhirHttp } from './http';

export function lazyFhirHttp(load: () => Promise<FhirHttp>): FhirHttp {
  let loaded: Promise<FhirHttp> | null = null;
  return {
    send: async (request) => {
      loaded ??= load().catch((error: unknown) => {
        loaded = null;
        throw error;
      });
      return (await loaded).send(request);
    },
  };
}
