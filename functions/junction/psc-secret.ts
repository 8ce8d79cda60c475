/**
 * Junction's PSC client from the API key kept in Secrets Manager (CONTRACT §14):
 * the same `JunctionApiKey` secret the sweep reads (key-secret.ts), for the query
 * function's booking reads and the actions function's bookings. Its own module,
 * so that the sweep's bundle never carries the PSC client; loaded by
 * psc-secret-lazy.ts at the first booking call, not at a cold start.
 */
import { ConfigError } from '../shared/config';
import { apiKeyFromSecretString } from './key-text';
import { createPscClient, type PscApi } from './psc';

/** The PSC client for the key the secret holds now (one client per key), or null while it holds none. */
export function pscFromSecret(readSecret: () => Promise<string | null>, baseUrl: string): () => Promise<PscApi | null> {
  let current: { key: string; api: PscApi } | null = null;
  return async () => {
    const text = await readSecret();
    if (text === null) throw new ConfigError('invalid configuration: JUNCTION_API_KEY_SECRET_ARN: the secret must be a string');
    const key = apiKeyFromSecretString(text);
    if (key === null) return null;
    if (current?.key !== key) current = { key, api: createPscClient({ baseUrl, apiKey: key }) };
    return current.api;
  };
}
