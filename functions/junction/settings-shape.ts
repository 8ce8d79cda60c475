/**
 * The Junction API settings' shapes (CONTRACT §6): Junction's servers, the base
 * URL and the key, without the client (settings.ts adds it), so that an entry
 * that only reads the settings at a cold start (the query and actions functions,
 * CONTRACT §14) does not carry Junction's order client.
 */
import * as z from 'zod/mini';
import { optionalSetting } from '../shared/config';

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
