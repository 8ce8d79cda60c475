/**
 * The booking's settings and its Junction client, loaded on first use (CONTRACT
 * §14): the query and actions functions parse the settings at a cold start, but
 * the PSC client and Secrets Manager's load at the first call that needs them
 * (most requests never book; their cold start stays small). A secret that cannot
 * be read is logged and reads as no key: a follow-up's page still answers, and
 * booking says the key is not set.
 */
import * as z from 'zod/mini';
import { optionalSetting } from '../shared/config';
import type { PscApi } from './psc';
import { JunctionApiBaseUrl } from './settings-shape';

/** The settings a function books by (its handler's config): the secret's ARN (unset: no Junction) and Junction's server. */
export const PscSecretEnv = {
  JUNCTION_API_KEY_SECRET_ARN: optionalSetting(z.string().check(z.trim(), z.startsWith('arn:', 'must be a Secrets Manager ARN'))),
  JUNCTION_API_BASE_URL: JunctionApiBaseUrl,
};

/** The PSC client for the key the secret `arn` holds now (psc-secret.ts), loaded on first use; a failure is `onError`'s, and reads as no key. */
export function lazyPscFromSecret(arn: string, baseUrl: string, onError: (error: unknown) => void): () => Promise<PscApi | null> {
  let read: (() => Promise<PscApi | null>) | null = null;
  return async () => {
    try {
      if (read === null) {
        const [{ secretStringReader }, { pscFromSecret }] = await Promise.all([import('../shared/secrets-manager'), import('./psc-secret')]);
        read = pscFromSecret(secretStringReader(arn), baseUrl);
      }
      return await read();
    } catch (error) {
      onError(error);
      return null;
    }
  };
}
