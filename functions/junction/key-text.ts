/**
 * The Junction API key as the `JunctionApiKey` secret holds it (CONTRACT §6): a
 * key, or the deploy-time placeholder (no key yet). Without any client, so that
 * the PSC client's reader (psc-secret.ts) does not carry Junction's order client.
 */
import { ConfigError } from '../shared/config';
import { JunctionApiKey } from './settings-shape';

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
