import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/** This run's folder (removed by the timing reporter at the run's end). */
const runDir = process.env.REDRAW_TEST_RUN_DIR ?? join(tmpdir(), `redraw-tracker-test-run-${process.pid}-${Date.now()}`);

/** Environment for every test worker. */
const env = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // Where each file's CPU record goes (test/support/record-file-cpu.ts), read by the budget test and the timing reporter.
  // (test/support/suite-cpu.ts RUN_DIR_VARIABLE: the config file does not import test code.)
  REDRAW_TEST_RUN_DIR: runDir,
  // Every function's bundle and the console built once per run by the first synth that bundles (lib/bundle-cache.ts).
  REDRAW_BUNDLE_CACHE: process.env.REDRAW_BUNDLE_CACHE ?? join(runDir, 'bundles'),
};
// Global setup runs in this (main) process, which test.env does not reach.
Object.assign(process.env, env);

export default defineConfig({
  test: {
    env,
    // Every run ends with where its time went (test/support/suite-timing-reporter.ts); .ci/run names the same reporters.
    reporters: ['default', './test/support/suite-timing-reporter.ts'],
    // Each file's CPU and wall time, for the budget test and the reporter; REDRAW_PROPERTY_RUNS for a deeper run.
    setupFiles: ['./test/support/record-file-cpu.ts', './test/support/property-setup.ts'],
    // unit and integration must find tests; `test:infra` and `test:e2e` pass
    // --passWithNoTests on the command line (the option is global in vitest 4).
    passWithNoTests: false,
    // Test files of all projects run in parallel on at most 3 workers on this 2-core machine: many
    // files wait on the real clock (the SDK's retry pauses, deadlines, keep-alive, stream settles) and a
    // third worker fills those waits. Measured back to back (issue 87, session 35), `npm test` alone:
    // 760 s with 2 workers, 718 s with 3 (cores 96% busy against 85%); the integration layer alone 287 s
    // with 2, 250 s with 3, 273 s with 4 (its CPU grew with contention). With the JVMs' stream records
    // unindexed (session 33) a third worker gained nothing. A per-project maxWorkers would need distinct
    // sequence.groupOrder values in vitest 4.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // One worker process for many files: the pure core needs no fresh process per file, and a
          // fork's start with its imports was a third of the layer's CPU (112 s isolated, 71 s not;
          // issue 54). Files that stub the environment or timers restore them after each test; a file
          // that mocks a module loads what uses it afresh (vi.resetModules, then import: console-assets; test/unit/shared-workers-hygiene.test.ts).
          isolate: false,
          // Property tests and the script tests (a tsx process each) take seconds on a
          // busy 2-core machine; vitest's 5 s default made a fresh clone's run flaky. The hooks alike:
          // the FHIR stand-in's first start indexes the R4 definitions (1-2 s alone) in a beforeAll,
          // which passed vitest's 10 s on a machine loaded 8 deep (two unit files failed so, issue 86).
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // A few DynamoDB Local JVMs for the whole run, each file on the one its path picks (test/support/global-setup.ts).
          globalSetup: ['test/support/global-setup.ts'],
          // With the root's setup files (extends: true merges the lists).
          setupFiles: ['./test/support/integration-setup.ts'],
          // One worker process for many files, as the unit and infra layers: a fork and its imports cost each
          // file 1-2 s of CPU. The layer alone, same code back to back: 490 s of CPU (files 310, JVMs 180) and
          // 322 s of wall isolated, 366 s (195 + 171) and 260 s shared (issue 54). Files make their clients in
          // their hooks for their own JVM (./test/support/dynamodb.ts); one that mocks a module loads its users
          // afresh (test/unit/shared-workers-hygiene.test.ts); one that stubs the environment restores it.
          isolate: false,
          // Files share those JVMs and may run in parallel (see maxWorkers above).
          // Real engine tests: no test asserts on durations, and the limits only catch a hang.
          // The property tests take 25-70 s on a 2-core machine with one other load; two
          // runs side by side (issue 43's check) took them past 60 s, and a test past its
          // limit goes on running beside the next tests of its file, which then fail too.
          testTimeout: 300_000,
          // A hang guard too: worklist-reads' seeding of 1,000 open and 3,000 closed follow-ups took
          // 122 s in beforeAll with the machine at load 13 (64 s for the whole file in a quiet run).
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // Each file's CDK assemblies removed after it (CDK leaves its default ones in the temp folder).
          setupFiles: ['./test/support/infra-setup.ts'],
          // One worker process for many files, as the unit layer: each file loaded aws-cdk-lib and the
          // stack afresh, most of its CPU (the layer alone: 192 s of CPU isolated, 56 s shared; issue 54).
          isolate: false,
          // A synth bundles every function with esbuild: 10-30 s idle, 94 s once beside two
          // other test runs (issue 43's check). A hang guard, not a measure.
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // One worker process for many files, as the other layers: each file's processes (npm start, the
          // CLI) are its own and stopped in its hooks; with a fork per file the layer spent 338 s of CPU in a
          // clean-clone run, shared 311-319 s (issue 87). No e2e file mocks a module or stubs the environment.
          isolate: false,
          // One DynamoDB Local JVM for the run, each file's npm start on tables of its own (test/support/e2e-global-setup.ts).
          globalSetup: ['test/support/e2e-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // The console in Debian's Chromium (test/support/browser.ts): one browser per worker, a context per page.
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // One worker process for many files, so they share its Chromium (workerChromium): each file's
          // tracker is its own, its pages in contexts of their own, closed when it ends (issue 87).
          isolate: false,
          // Chromium present, or installed with apt-get where this user may; else the run stops at once.
          globalSetup: ['test/support/chromium-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // After every other project (group 0): each file runs npm start, a simulation and Chromium,
          // which beside the integration layer's JVM made the engine tests time out on 2 cores.
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // After every layer: each layer that ran whole within its CPU figure (test/cpu-budget.json) plus 25%.
          name: 'budget',
          include: ['test/budget/**/*.test.ts'],
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
