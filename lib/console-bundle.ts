/**
 * The console as the stack uploads it (CONTRACT §12): lib/console-build.ts's
 * one build definition, written into the asset at synth.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { buildOnce } from './bundle-cache';
import { buildConsoleFiles, CONSOLE_DIR } from './console-build';

export { CONSOLE_DIR, consoleBuildOptions } from './console-build';

/** Writes the built console into `outDir` as the stack uploads it: index.html, console/main.<hash>.js, console/main.<hash>.css. */
export function writeConsoleSync(outDir: string): void {
  for (const [path, file] of buildConsoleFiles()) {
    const target = resolve(outDir, path === '/' ? 'index.html' : path.slice(1));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
}

/**
 * The built console as the stack's asset: bundled on this machine at synth
 * (no Docker: the image is never pulled while local bundling succeeds), hashed
 * by its output, so a change anywhere it imports (functions/core too) deploys.
 */
export function consoleSite(): ISource {
  return Source.asset(CONSOLE_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
      local: {
        tryBundle(outputDir: string): boolean {
          // Once per test run (REDRAW_BUNDLE_CACHE, lib/bundle-cache.ts); every synth of `cdk synth` builds its own.
          buildOnce('console', outputDir, writeConsoleSync);
          return true;
        },
      },
    },
  });
}
