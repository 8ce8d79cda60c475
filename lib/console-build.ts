/**
 * The console's one build definition (CONTRACT §12): console/src/main.tsx as a
 * minified ES module and console/styles.css with its imports, by the project's
 * esbuild. `npm start` builds it in memory (local/console-assets.ts), the
 * stack writes it into the asset it uploads (lib/console-bundle.ts), the bench
 * measures it: all three the same bytes. No CDK import, so npm start stays quick.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

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
