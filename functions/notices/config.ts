/**
 * The notices' settings, shared by the stale-redraw alerts and the weekly
 * digest: which deployment they come from (the deployed stack's name, or
 * `local`), the alerts' time zone and console link, and the SNS client's
 * timeouts.
 */
import type { SNSClientConfig } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { isTimeZone } from '../core/alert-time';
import { optionalSetting } from '../shared/config';
import { SDK_REQUEST_HANDLER } from '../shared/sdk-clients';

/**
 * The SNS client's settings: the connection timeouts every function's SDK
 * clients share (1 s to connect, 2 s of silence per attempt), so a hanging SNS
 * fails a notification within seconds (it stays pending for the next sweep)
 * instead of holding the sweep until Lambda kills it.
 */
export const SNS_CLIENT_CONFIG: SNSClientConfig = Object.freeze({ requestHandler: { ...SDK_REQUEST_HANDLER } });

/**
 * The alerts' settings (the stack sets them from cdk.json; `npm start` reads them too):
 * ENVIRONMENT_NAME ends every subject (default: the stack's name on AWS, `local` locally);
 * ALERT_TIMEZONE, an IANA zone, adds the local time beside each UTC time.
 */
export const AlertEnv = z.object({
  ENVIRONMENT_NAME: optionalSetting(z.string().check(z.trim(), z.regex(/^[A-Za-z0-9._-]{1,40}$/, 'must be 1-40 letters, digits and ._-'))),
  ALERT_TIMEZONE: optionalSetting(z.string().check(z.trim(), z.refine(isTimeZone, 'must be an IANA time zone such as America/New_York'))),
});

export interface AlertSettings {
  /** Ends every subject and title: which deployment the alert comes from. */
  environment: string;
  /** An IANA time zone shown beside UTC, or null: UTC only. */
  timeZone: string | null;
  /** The console's base URL (CONSOLE_URL; npm start's own), read at each alert: its follow-up's link starts with it. Absent or null: no link. */
  consoleUrl?: string | null;
}

/**
 * The alert settings of a parsed environment: `environment` when ENVIRONMENT_NAME
 * is unset, UTC only without ALERT_TIMEZONE, no console link without CONSOLE_URL
 * (the sweep's config parses it; npm start gives its own URL instead).
 */
export function alertSettingsOf(config: z.output<typeof AlertEnv> & { CONSOLE_URL?: string | undefined }, environment: string): AlertSettings {
  return { environment: config.ENVIRONMENT_NAME ?? environment, timeZone: config.ALERT_TIMEZONE ?? null, consoleUrl: config.CONSOLE_URL ?? null };
}

/** The stack name lib/app.ts deploys (its STACK_NAME; a test keeps the two equal). */
export const DEPLOYED_STACK_NAME = 'RedrawTracker';
/** The environment `npm start` names in its alerts unless ENVIRONMENT_NAME says otherwise. */
export const LOCAL_ENVIRONMENT = 'local';
