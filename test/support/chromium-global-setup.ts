/**
 * The browser project's globalSetup (vitest.config.mts): runs once, at the start
 * of a run that includes browser files, before any test file runs, so a machine
 * without Chromium gets it installed (root or passwordless sudo) or the whole
 * run stops at once naming the command (./chromium), instead of failing the
 * browser files minutes later.
 */
import { ensureChromium, realHost } from './chromium';

export default function setup(): void {
  try {
    ensureChromium(process.env, realHost);
  } catch (error) {
    // Vitest prints "No test files found" above a setup's error: say first why nothing ran.
    realHost.say(`\nnpm test stopped before running any test: ${error instanceof Error ? error.message : String(error)}\n`);
    throw error;
  }
}
