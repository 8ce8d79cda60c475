/**
 * The FHIR client an entry uses (CONTRACT §13): the HTTP exchange with the
 * server and, with FHIR_TOKEN_URL, the token source in front of it. One per
 * function instance, so its token is reused across invocations until a
 * minute before it expires.
 */
import type { LogSink } from '../../shared/observability';
import { createFhirHttp, type FhirHttp } from './http';
import type { FhirConfig } from './settings';
import { createTokenSource } from './token';

export interface FhirClientOptions {
  logger?: LogSink;
  /** Per request (default the HTTP exchange's 10 s). */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

export function fhirClientOf(config: FhirConfig, options: FhirClientOptions = {}): FhirHttp {
  const shared = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.logger ? { logger: options.logger } : {}) };
  const tokens = config.auth === null ? null : createTokenSource({ ...config.auth, ...shared });
  return createFhirHttp({ baseUrl: config.baseUrl, tokens, ...shared });
}
