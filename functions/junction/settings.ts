/**
 * The Junction API settings (CONTRACT §6), shared by every entry that reads
 * Junction's API (the sweep, the backfill, `npm start`): each merges
 * `junctionApiSettingsShape` into its own zod settings, parsed once at start.
 */
import { createJunctionClient, type JunctionClientOptions } from './client';
import type { JunctionApi } from './api';

export {
  DEFAULT_JUNCTION_API_BASE_URL,
  JUNCTION_SERVERS,
  JunctionApiBaseUrl,
  JunctionApiKey,
  JunctionApiSettings,
  junctionApiSettingsShape,
} from './settings-shape';
import type { JunctionApiSettings } from './settings-shape';

/**
 * The client for these settings, or `null` without an API key: then callers
 * behave exactly as without reconciliation (CONTRACT §6).
 */
export function junctionApiFor(
  settings: JunctionApiSettings,
  options: Omit<JunctionClientOptions, 'baseUrl' | 'apiKey'> = {},
): JunctionApi | null {
  if (settings.JUNCTION_API_KEY === undefined) return null;
  return createJunctionClient({ ...options, baseUrl: settings.JUNCTION_API_BASE_URL, apiKey: settings.JUNCTION_API_KEY });
}

