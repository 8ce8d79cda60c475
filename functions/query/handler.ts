/**
 * Lambda entry of the query API (API Gateway HTTP API, payload v2). Read-only:
 * it needs GetItem and Query on the table and its indexes, nothing else. The
 * console's routes (CONTRACT §12) verify the caller's access token against the
 * pool the stack names (CONSOLE_USER_POOL_ID, CONSOLE_CLIENT_ID). With
 * FHIR_BASE_URL (and the Task's systems, CONSOLE_URL), a follow-up's answer
 * carries its Task's state in the EHR (CONTRACT §13). With JUNCTION_API_KEY_SECRET_ARN, the
 * booking's reads (CONTRACT §14) ask Junction with the key that secret holds.
 */
import * as z from 'zod/mini';
import { consoleAccessTokensOf, ConsoleSignInEnv } from '../shared/access-token';
import { optionalSetting, parseEnv, required } from '../shared/config';
import { functionTable } from '../store/document-table';
import { createLogger, errorName } from '../shared/observability';
import { lazyPscFromSecret, PscSecretEnv } from '../junction/psc-secret-lazy';
import { isTimeZone } from '../core/alert-time';
import { fhirTargetOf, fhirTargetShape } from '../fhir/client/target-settings';
import { createQueryHandler, QUERY_SERVICE_NAME } from './app';

const config = parseEnv(
  z.object({
    TABLE_NAME: required(),
    /** Key of the cursors' integrity tag; the public default of cursor.ts when unset. */
    CURSOR_SECRET: z.optional(z.string().check(z.minLength(16, 'must be at least 16 characters'))),
    /** The zone whose days and weeks a report's dates are (CONTRACT §11); the digest's own setting, default UTC. */
    DIGEST_TIMEZONE: optionalSetting(z.string().check(z.trim(), z.refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'))),
    ...ConsoleSignInEnv,
    // CONTRACT §13: with FHIR_BASE_URL, GET /follow-ups/{id} answers its Task's state (`fhir`), from the same digest as the writer's.
    ...fhirTargetShape,
    // CONTRACT §14: the booking's reads ask Junction with the key in this secret (unset: no booking through Junction).
    ...PscSecretEnv,
  }),
);
const logger = createLogger(QUERY_SERVICE_NAME);
const arn = config.JUNCTION_API_KEY_SECRET_ARN;

export const handler = createQueryHandler({
  db: functionTable(),
  tableName: config.TABLE_NAME,
  logger,
  cursorSecret: config.CURSOR_SECRET,
  timeZone: config.DIGEST_TIMEZONE,
  // Made once per execution environment: its cache of the pool's keys serves every warm invocation.
  accessTokens: consoleAccessTokensOf(config),
  fhir: fhirTargetOf(config),
  psc: arn === undefined ? null : lazyPscFromSecret(arn, config.JUNCTION_API_BASE_URL, (error) => logger.error('junction api key unusable: booking reads answer as without a key', { setting: 'JUNCTION_API_KEY_SECRET_ARN', error: errorName(error) })),
});
