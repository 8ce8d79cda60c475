/**
 * The one test that bundles for real (esbuild, no Docker): each function's
 * index.mjs stays within a size budget. Budgets are about 25% above what was
 * measured here, so that an accidental heavy import (a second copy of the SDK,
 * `import { z } from 'zod'`, a dev-only library) fails the build.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { ServiceName } from '../../lib/table-bound-function';
import { buildStack } from './stack';

/** Budgets in KiB of minified index.mjs (measured sizes in docs/deploy.md). */
const BUDGET_KIB: Record<ServiceName, number> = {
  webhook: 620,
  'transaction-status': 600,
  'stale-redraw-sweep': 620,
  query: 580,
  backfill: 640,
};

const LambdaFunction = z.object({
  Properties: z.object({
    Code: z.object({ S3Key: z.string().regex(/^[0-9a-f]{64}\.zip$/) }),
    Environment: z.object({ Variables: z.object({ POWERTOOLS_SERVICE_NAME: z.string() }) }),
  }),
});

let outdir: string;
const bundles = new Map<string, string>();

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'redraw-tracker-bundles-'));
  const { app, template } = buildStack({ bundle: true, outdir });
  app.synth();
  for (const resource of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const fn = LambdaFunction.parse(resource);
    const hash = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
    bundles.set(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, join(outdir, `asset.${hash}`));
  }
}, 300_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('function bundles', () => {
  it.each(Object.entries(BUDGET_KIB))('%s stays within %i KiB', (service, budget) => {
    const dir = bundles.get(service);
    expect(dir).toBeDefined();
    const size = statSync(join(dir ?? '', 'index.mjs')).size;
    console.log(`bundle ${service}: ${(size / 1024).toFixed(1)} KiB (budget ${budget} KiB)`);
    expect(size).toBeLessThanOrEqual(budget * 1024);
  });

  it.each(Object.keys(BUDGET_KIB))('%s is an ESM bundle with the AWS SDK inside and a source map beside it', (service) => {
    const dir = bundles.get(service) ?? '';
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire } from 'node:module';")).toBe(true);
    expect(/export\s*\{[^}]*\bhandler\b/.test(code)).toBe(true);
    // Nothing from node_modules is left to resolve at run time.
    // (An SDK error message quotes `[require("@aws-sdk/signature-v4-crt");]`: that one is text.)
    expect(/from\s*["']@aws-sdk\//.test(code)).toBe(false);
    expect(/(?<!\[)require\(["']@aws-sdk\//.test(code)).toBe(false);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
  });
});
