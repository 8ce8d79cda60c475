/**
 * functions/core/next-steps.ts (the alerts' next-steps text, which the follow-up
 * page shows) names its reason type from staleness.ts, whose appointment rules
 * hash with node:crypto. That import is type-only and erased from the bundle, so
 * the console never runs it, but tsc reads the file under the console's DOM-only
 * settings: this declares just the one call it makes.
 */
declare module 'node:crypto' {
  export function createHash(algorithm: 'sha256'): { update(text: string): { digest(encoding: 'hex'): string } };
}
