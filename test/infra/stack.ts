/**
 * Builds the stack for the infrastructure tests, from the same cdk.json
 * settings the real app reads, with bundling skipped unless asked for.
 */
import { readFileSync } from 'node:fs';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod';
import { RedrawTrackerStack } from '../../lib/redraw-tracker-stack';
import { parseSettings, SETTINGS_CONTEXT_KEY, type Settings } from '../../lib/settings';
import { PROJECT_ROOT } from '../../lib/table-bound-function';
import { testApp } from '../support/test-assemblies';

const CdkJson = z.object({ context: z.record(z.string(), z.unknown()) });

/** The settings committed in cdk.json. */
export function cdkJsonSettings(): Settings {
  const cdkJson = CdkJson.parse(JSON.parse(readFileSync(`${PROJECT_ROOT}cdk.json`, 'utf8')));
  return parseSettings(cdkJson.context[SETTINGS_CONTEXT_KEY]);
}

/**
 * A `fhir` setting as an operator writes it in cdk.json (CONTRACT §13; SMART Backend Services at
 * Medplum, and its notifications with a notify secret: issue 71), before the schema fills its defaults.
 */
export const FHIR_SETTING = {
  baseUrl: 'https://api.medplum.com/fhir/R4',
  tokenUrl: 'https://api.medplum.com/oauth2/token',
  clientId: 'c0ffee00-1234-4abc-8def-0123456789ab',
  privateKeySecretName: 'redraw-tracker/fhir/private_key',
  keyId: 'redraw-tracker-1',
  notifySecretName: 'redraw-tracker/fhir/notify',
} as const;

/** FHIR_SETTING without its notify secret: FHIR Tasks on, and no notifications route (issue 71). */
export const FHIR_SETTING_WITHOUT_NOTIFY = Object.fromEntries(Object.entries(FHIR_SETTING).filter(([key]) => key !== 'notifySecretName'));

/** The settings that turn FHIR on (`buildStack({ settings: fhirOn() })`), validated as cdk.json's would be. */
export function fhirOn(fhir: Record<string, unknown> = FHIR_SETTING): Pick<Settings, 'fhir'> {
  return { fhir: parseSettings({ ...cdkJsonSettings(), fhir }).fhir };
}

/**
 * The booking's settings off their defaults (CONTRACT §14, docs/deploy.md): a Cognito group for the four booking
 * actions, Junction's asynchronous confirmation, and a sandbox of Junction's for every function that asks it.
 */
export const BOOKING_SETTINGS = {
  consoleBookingGroup: 'schedulers',
  junctionBookingAsync: true,
  junctionApiBaseUrl: 'https://api.sandbox.eu.junction.com',
} as const satisfies Partial<Settings>;

export interface BuiltStack {
  app: App;
  stack: RedrawTrackerStack;
  template: Template;
}

/** The stack as `cdk synth` builds it; bundling is skipped (no esbuild run) unless `bundle` is set. */
export function buildStack(options: { settings?: Partial<Settings>; bundle?: boolean; outdir?: string; region?: string } = {}): BuiltStack {
  const app = testApp({
    outdir: options.outdir,
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new RedrawTrackerStack(app, 'RedrawTracker', {
    settings: { ...cdkJsonSettings(), ...options.settings },
    env: { account: '123456789012', region: options.region ?? 'eu-west-1' },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

const shared = new Map<string, BuiltStack>();

/**
 * The stack with these settings (bundling skipped), built once per test process and shared by the files
 * that only read it: the infra layer runs its files in one worker process (vitest.config.mts, isolate: false),
 * so the split files of one subject do not synthesize the same stack each. Its assembly folder is removed
 * after the first file that asked for it (../support/infra-setup.ts): a test that reads the folder builds
 * its own stack (buildStack). Nothing may change what it returns.
 */
export function sharedStack(settings: Partial<Settings> = {}): BuiltStack {
  const key = JSON.stringify(settings);
  const built = shared.get(key) ?? buildStack({ settings });
  shared.set(key, built);
  return built;
}
