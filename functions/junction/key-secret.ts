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
import { JunctionApiKey } from './settings';

/** What a secret still holding the deploy-time placeholder starts with (docs/deploy.md). */
export const PLACEHOLDER_PREFIX = 'REPLACE_ME';

/**
 * The API key in the secret's text, or null while the secret holds no key yet
 * (blank, or the `REPLACE_ME` placeholder): reconciliation stays off. A value
 * that cannot be a key fails loudly, naming the setting, never the value.
 */
export function apiKeyFromSecretString(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith(PLACEHOLDER_PREFIX)) return null;
  const key = JunctionApiKey.safeParse(trimmed);
  if (!key.success || key.data === undefined) {
    throw new ConfigError(
      'invalid configuration: JUNCTION_API_KEY_SECRET_ARN: the secret must hold a Junction API key (printable ASCII without spaces, at most 512 characters)',
    );
  }
  return key.data;
}

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
