/**
 * The console's one build definition (CONTRACT §12): console/src/main.tsx as a
 * minified ES module and console/styles.css with its imports, by the project's
 * esbuild. `npm start` builds it in memory (local/console-assets.ts), the
 * stack writes it into the asset it uploads (writeConsoleSync), the bench
 * measures it: all three the same bytes.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { buildSync, type BuildOptions } from 'esbuild';

/** The console's source folder. */
export const CONSOLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../console');

/** The esbuild options of the console's script and of its stylesheet. */
export function consoleBuildOptions(part: 'script' | 'style'): BuildOptions {
  if (part === 'style') {
    return { entryPoints: [resolve(CONSOLE_DIR, 'styles.css')], bundle: true, minify: true, target: 'es2022', logLevel: 'silent', outfile: 'main.css' };
  }
  return {
    entryPoints: [resolve(CONSOLE_DIR, 'src/main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: resolve(CONSOLE_DIR, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'silent',
    outfile: 'main.js',
  };
}

/** Writes the built console into `outDir` as the stack uploads it: index.html, console/main.js, console/main.css. */
export function writeConsoleSync(outDir: string): void {
  mkdirSync(resolve(outDir, 'console'), { recursive: true });
  buildSync({ ...consoleBuildOptions('script'), outfile: resolve(outDir, 'console/main.js') });
  buildSync({ ...consoleBuildOptions('style'), outfile: resolve(outDir, 'console/main.css') });
  copyFileSync(resolve(CONSOLE_DIR, 'index.html'), resolve(outDir, 'index.html'));
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
          writeConsoleSync(outputDir);
          return true;
        },
      },
    },
  });
}
