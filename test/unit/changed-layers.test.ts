/**
 * `npm run test:changed`'s path rule (issue 54): what tests read or run
 * without importing it brings in whole layers; changed test files of the
 * layers `--changed` does not cover run themselves.
 */
import { describe, expect, it } from 'vitest';
import { planForChanges } from '../support/changed-layers';

const layers = (paths: string[]) => planForChanges(paths).wholeLayers.map((entry) => entry.layer);

describe('planForChanges', () => {
  it('adds no layer for a change that imports reach (test/support/, a unit test)', () => {
    expect(planForChanges(['test/support/webhook.ts', 'test/unit/core/svix.test.ts'])).toEqual({ wholeLayers: [], testFiles: [] });
  });

  it('runs the e2e, infra and browser layers whole for a change under functions/: npm start, the stack and the console reach it, no import does', () => {
    expect(planForChanges(['functions/core/ordering.ts']).wholeLayers).toEqual([
      { layer: 'infra', because: 'functions/core/ordering.ts (npm start runs the functions, the stack bundles them, and the console calls them)' },
      { layer: 'e2e', because: 'functions/core/ordering.ts (npm start runs the functions, the stack bundles them, and the console calls them)' },
      { layer: 'browser', because: 'functions/core/ordering.ts (npm start runs the functions, the stack bundles them, and the console calls them)' },
    ]);
    expect(planForChanges(['functions/fhir/sync/sync.ts', 'test/e2e/cli.test.ts']).testFiles).toEqual([]);
  });

  it.each([
    [['local/runtime.ts'], ['e2e', 'browser']],
    [['cli/main.ts'], ['e2e']],
    [['console/src/app.tsx'], ['browser']],
    [['lib/redraw-tracker-stack.ts'], ['infra']],
    [['README.md'], ['infra', 'e2e']],
    [['docs/local.md'], ['unit', 'infra', 'e2e']],
    [['console/src/a.tsx', 'lib/console.ts'], ['infra', 'browser']],
  ])('%j runs %j whole', (paths, expected) => {
    expect(layers(paths)).toEqual(expected);
  });

  it('says which change brought each layer in', () => {
    expect(planForChanges(['docs/deploy.md', 'lib/app.ts']).wholeLayers).toEqual([
      { layer: 'unit', because: 'docs/deploy.md (docs are read as files: alerts, digest, deploy, local.md)' },
      { layer: 'infra', because: 'docs/deploy.md (docs are read as files: alerts, digest, deploy, local.md)' },
      { layer: 'e2e', because: 'docs/deploy.md (docs are read as files: alerts, digest, deploy, local.md)' },
    ]);
  });

  it('runs a changed e2e, infra or browser test file unless its layer runs whole', () => {
    expect(planForChanges(['test/e2e/cli.test.ts', 'test/browser/console-find.test.ts', 'test/infra/nag.test.ts'])).toEqual({
      wholeLayers: [],
      testFiles: ['test/browser/console-find.test.ts', 'test/e2e/cli.test.ts', 'test/infra/nag.test.ts'],
    });
    expect(planForChanges(['test/e2e/cli.test.ts', 'cli/main.ts']).testFiles).toEqual([]);
  });

  it('does not mistake a look-alike path for a rule (README.md.bak is not README.md, docs-old/ is not docs/)', () => {
    expect(layers(['localize.ts', 'docs-old/x.md', 'README.md.bak', 'lib-old/a.ts'])).toEqual([]);
  });
});
