#!/usr/bin/env node
/**
 * `redraw-tracker` (package.json "bin"; `npx redraw-tracker ...` from a clone):
 * runs the TypeScript CLI in cli/ through tsx's loader, so no build step is needed.
 * Plain JavaScript on purpose: node runs this file before any loader exists.
 */
import process from 'node:process';
import { register } from 'tsx/esm/api';

// The AWS SDK warns about Node 20 on every start; the CLI supports Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { runCli } = await import('../cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
