/**
 * The Junction API settings (CONTRACT §6), shared by every entry that reads
 * Junction's API (the sweep, the backfill, `npm start`): each merges
 * `junctionApiSettingsShape` into its own zod settings, parsed once at start.
 */
import * as z from 'zod/mini';
import { optionalSetting } from '../shared/config';
import { createJunctionClient, type JunctionClientOptions } from './client';
import type { JunctionApi } from './api';

/** Junction's servers, named as its OpenAPI document names them (`servers[].x-fern-server-name`). */
export const JUNCTION_SERVERS = {
  Production: 'https://api.us.junction.com',
  ProductionEU: 'https://api.eu.junction.com',
  Sandbox: 'https://api.sandbox.us.junction.com',
  SandboxEU: 'https://api.sandbox.eu.junction.com',
} as const;

export const DEFAULT_JUNCTION_API_BASE_URL = JUNCTION_SERVERS.Production;

/** Any http(s) URL (one of JUNCTION_SERVERS, or a stand-in); paths are appended to it, so no query or fragment. */
export const JunctionApiBaseUrl = z._default(
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .check(z.refine((value) => !value.includes('?') && !value.includes('#'), 'must have no query or fragment')),
  DEFAULT_JUNCTION_API_BASE_URL,
);

/**
 * The team API key. Unset, or set to nothing (`JUNCTION_API_KEY=`), means
 * reconciliation is off and no request is ever made to Junction. Messages never
 * quote the value.
 */
export const JunctionApiKey = optionalSetting(
  z.string().check(
    z.trim(),
    z.maxLength(512, 'must be at most 512 characters'),
    // It travels as a header value: printable ASCII without spaces.
    z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  ),
);

/** Merge into an entry's settings object: `z.object({ ...mine, ...junctionApiSettingsShape })`. */
export const junctionApiSettingsShape = {
  JUNCTION_API_BASE_URL: JunctionApiBaseUrl,
  JUNCTION_API_KEY: JunctionApiKey,
};

export const JunctionApiSettings = z.object(junctionApiSettingsShape);
export type JunctionApiSettings = z.output<typeof JunctionApiSettings>;

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

