/**
 * Junction's API key kept in Secrets Manager (AWS): the secret is created with a
 * `REPLACE_ME` placeholder at deploy time, and while it holds that (or nothing)
 * the tracker works from webhooks alone (CONTRACT §6). The sweep reads it at cold
 * start, the backfill when it is invoked, then both at most every 5 minutes
 * (their entries' secretStringReader), so a key set or rotated after the deploy
 * is picked up without one.
 */
import { ConfigError } from '../shared/config';
import type { JunctionApi } from './api';
import { createJunctionClient } from './client';

export { apiKeyFromSecretString, PLACEHOLDER_PREFIX } from './key-text';
import { apiKeyFromSecretString } from './key-text';

/**
 * Junction's client for the key the secret holds now (one client per key), or
 * null while it holds none. `readSecret` answers the secret's string (cached),
 * or null when the secret holds binary data.
 */
export function junctionFromSecret(readSecret: () => Promise<string | null>, baseUrl: string): () => Promise<JunctionApi | null> {
  let current: { key: string; api: JunctionApi } | null = null;
  return async () => {
    const text = await readSecret();
    if (text === null) throw new ConfigError('invalid configuration: JUNCTION_API_KEY_SECRET_ARN: the secret must be a string');
    const key = apiKeyFromSecretString(text);
    if (key === null) return null;
    if (current?.key !== key) current = { key, api: createJunctionClient({ baseUrl, apiKey: key }) };
    return current.api;
  };
}
