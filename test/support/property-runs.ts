/**
 * How many runs a property test makes (issue 87). CI keeps each property's own
 * count, the one written at its call (`propertyRuns(25)`), or fast-check's 100
 * where none is: the counts that found, or would find, each bug recorded in
 * docs/engineering-notes.md. A deeper run on a developer's machine multiplies
 * them all: `REDRAW_PROPERTY_RUNS=10 npm run test:integration` (README, "Test").
 * A value that is not a positive number stops the run at once.
 */
import fc from 'fast-check';

/** The variable that multiplies every property's runs. */
export const PROPERTY_RUNS_VARIABLE = 'REDRAW_PROPERTY_RUNS';

/** fast-check's own count when a property names none. */
const FAST_CHECK_DEFAULT_RUNS = 100;

/** The multiplier REDRAW_PROPERTY_RUNS gives (1 when unset). */
export function propertyRunsFactor(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[PROPERTY_RUNS_VARIABLE];
  if (text === undefined || text.trim() === '') return 1;
  const factor = Number(text);
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`${PROPERTY_RUNS_VARIABLE} must be a positive number (a multiplier of each property's runs): ${text}`);
  return factor;
}

/** `ci` runs, times REDRAW_PROPERTY_RUNS (at least 1). */
export function propertyRuns(ci: number, env: NodeJS.ProcessEnv = process.env): number {
  return Math.max(1, Math.round(ci * propertyRunsFactor(env)));
}

/** Properties that name no count take fast-check's 100 times the same factor (a setup file of every layer calls this). */
export function configurePropertyRuns(env: NodeJS.ProcessEnv = process.env): void {
  const factor = propertyRunsFactor(env);
  if (factor !== 1) fc.configureGlobal({ ...fc.readConfigureGlobal(), numRuns: propertyRuns(FAST_CHECK_DEFAULT_RUNS, env) });
}
