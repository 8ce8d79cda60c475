/**
 * Bundles built once per test run (issue 87). A synth bundles every function
 * and the console with esbuild; the suite synthesizes with bundling in several
 * files (the deploy, smoke and chat-button rehearsals, the bundle sizes), each
 * of which built them all again. With REDRAW_BUNDLE_CACHE naming a folder (the
 * test run's, vitest.config.mts), the first synth that needs a bundle builds it
 * there and every synth copies it: the same bytes, since nothing a bundle is
 * built from changes during a run. Unset, as under `cdk synth` and `cdk
 * deploy`, every synth builds its own.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The variable naming the run's folder of built bundles. */
export const BUNDLE_CACHE_VARIABLE = 'REDRAW_BUNDLE_CACHE';

/** Builds `key`'s bundle into `outputDir` with `build`, or copies the one this run already built. */
export function buildOnce(key: string, outputDir: string, build: (dir: string) => void, env: NodeJS.ProcessEnv = process.env): void {
  const cache = env[BUNDLE_CACHE_VARIABLE];
  if (cache === undefined || cache === '') {
    build(outputDir);
    return;
  }
  const built = join(cache, key);
  if (!existsSync(built)) {
    mkdirSync(cache, { recursive: true });
    // Built aside and renamed into place: a process that finds the folder finds it whole.
    const staging = mkdtempSync(join(cache, `${key}.building-`));
    build(staging);
    try {
      renameSync(staging, built);
    } catch (error) {
      // Another process of the run built it meanwhile: keep theirs.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(built)) throw error;
    }
  }
  cpSync(built, outputDir, { recursive: true });
}
