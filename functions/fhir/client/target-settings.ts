/**
 * Where the follow-ups' Tasks are kept and how they read (CONTRACT §13):
 * FHIR_BASE_URL, the four systems and CONSOLE_URL, what every function that
 * computes a Task's digest needs. The query function needs no more; the writer
 * and the sweep add the credential (settings.ts, which builds on this). No
 * credential code here, so the query function bundles none.
 */
import * as z from 'zod/mini';
import type { FhirSystems } from '../../core/fhir/task';
import { optionalConsoleUrl, optionalSetting } from '../../shared/config';

export const DEFAULT_FHIR_TASK_SYSTEM = 'urn:redraw-tracker:follow-up';
export const DEFAULT_FHIR_CODE_SYSTEM = 'urn:redraw-tracker';
export const DEFAULT_FHIR_ORDER_SYSTEM = 'urn:junction:order';
export const DEFAULT_FHIR_OWNER_SYSTEM = 'urn:redraw-tracker:owner';
export const DEFAULT_FHIR_CATCH_UP_PER_SWEEP = 200;

/** A setting whose unset or blank value takes `value`. */
export const withDefault = <T extends z.core.SomeType>(schema: T, value: z.core.util.NoUndefined<z.core.output<T>>) =>
  z.pipe(
    z.transform((given: unknown) => (typeof given === 'string' && given.trim() === '' ? undefined : given)),
    z._default(schema, value),
  );

export const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** The server's base, e.g. https://fhir.example.org/r4; paths are appended to it, so no query or fragment, and no trailing slash. */
const FhirBaseUrl = optionalSetting(
  z.pipe(
    httpUrl().check(z.trim(), z.refine((value) => !value.includes('?') && !value.includes('#'), 'must have no query or fragment')),
    z.transform((value: string) => value.replace(/\/+$/, '')),
  ),
);

/**
 * A code or identifier system: a `urn:` or an http(s) URL. No `|` (it separates
 * system and value in a token search) and no blank (a FHIR uri has none).
 */
const systemUri = (defaultValue: string) =>
  withDefault(
    z.string().check(
      z.trim(),
      z.refine((value) => /^urn:[A-Za-z0-9][A-Za-z0-9-]{1,31}(:[^\s|]+)?$/.test(value) || isHttpUrl(value), 'must be a URI: urn:... or an http(s) URL, without | or blanks'),
    ),
    defaultValue,
  );

function isHttpUrl(value: string): boolean {
  if (/[\s|]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hash === '';
  } catch {
    return false;
  }
}

/** Merge into an entry's settings object: the base URL, the systems and the console's URL. */
export const fhirTargetShape = {
  FHIR_BASE_URL: FhirBaseUrl,
  FHIR_TASK_SYSTEM: systemUri(DEFAULT_FHIR_TASK_SYSTEM),
  FHIR_CODE_SYSTEM: systemUri(DEFAULT_FHIR_CODE_SYSTEM),
  FHIR_ORDER_SYSTEM: systemUri(DEFAULT_FHIR_ORDER_SYSTEM),
  FHIR_OWNER_SYSTEM: systemUri(DEFAULT_FHIR_OWNER_SYSTEM),
  /**
   * The console's base URL (CONTRACT §12, checked as core/console-link.ts
   * checks it): each Task links to its follow-up's page, so it is part of the
   * mapping every entry that computes a digest must know; unset, no link.
   */
  CONSOLE_URL: optionalConsoleUrl(),
};

/** The target's settings after parsing (npm start's have no CONSOLE_URL: it gives its own URL). */
export interface FhirTargetSettings {
  FHIR_BASE_URL?: string | undefined;
  FHIR_TASK_SYSTEM: string;
  FHIR_CODE_SYSTEM: string;
  FHIR_ORDER_SYSTEM: string;
  FHIR_OWNER_SYSTEM: string;
  CONSOLE_URL?: string | undefined;
}

/** Where the Tasks are, or null while FHIR_BASE_URL is unset (off). `consoleUrl`: the console's base when the entry knows it otherwise. */
export function fhirTargetOf(settings: FhirTargetSettings, consoleUrl?: string | null): { baseUrl: string; systems: FhirSystems } | null {
  if (settings.FHIR_BASE_URL === undefined) return null;
  return {
    baseUrl: settings.FHIR_BASE_URL,
    systems: {
      task: settings.FHIR_TASK_SYSTEM,
      code: settings.FHIR_CODE_SYSTEM,
      order: settings.FHIR_ORDER_SYSTEM,
      owner: settings.FHIR_OWNER_SYSTEM,
      consoleUrl: consoleUrl !== undefined ? consoleUrl : (settings.CONSOLE_URL ?? null),
    },
  };
}
