/**
 * `npm run test:changed`: the inner loop's run (README, "Test"). Unit and
 * integration files that import what changed since `main` (vitest's
 * `--changed main`, which follows imports), and, for what tests read without
 * importing, a path rule: whole layers for changes under functions/, local/, cli/,
 * console/, lib/, README.md and docs/, and any changed test file of another layer.
 * (`--changed` runs only unit and integration files: the e2e, infra and browser
 * layers reach functions/ through npm start and the stack, never a test's import.)
 */
import { LAYERS } from './suite-timing';

/** The layers a change under each path also runs whole (they read those files, or run them as processes). */
export const PATH_RULES: readonly { prefix: string; layers: readonly string[]; why: string }[] = [
  { prefix: 'functions/', layers: ['e2e', 'infra', 'browser'], why: 'npm start runs the functions, the stack bundles them, and the console calls them' },
  { prefix: 'local/', layers: ['e2e', 'browser'], why: 'npm start runs it' },
  { prefix: 'cli/', layers: ['e2e'], why: 'the CLI runs as a process against npm start' },
  { prefix: 'bin/', layers: ['e2e', 'infra'], why: "the CLI's binary and the CDK app" },
  { prefix: 'console/', layers: ['browser'], why: 'the console in Chromium' },
  { prefix: 'lib/', layers: ['infra'], why: 'the stack' },
  { prefix: 'README.md', layers: ['e2e', 'infra'], why: "the README's blocks run, and its claims about the stack are checked" },
  { prefix: 'docs/', layers: ['unit', 'infra', 'e2e'], why: 'docs are read as files: alerts, digest, deploy, local.md' },
  { prefix: 'package.json', layers: ['unit', 'integration', 'infra', 'e2e', 'browser'], why: 'scripts and dependencies' },
  { prefix: 'package-lock.json', layers: ['unit', 'integration', 'infra', 'e2e', 'browser'], why: 'dependencies' },
  { prefix: 'vitest.config.mts', layers: ['unit', 'integration', 'infra', 'e2e', 'browser'], why: 'how every layer runs' },
];


export interface ChangedPlan {
  /** Layers run whole, each with the first changed path that asks for it. */
  wholeLayers: { layer: string; because: string }[];
  /** Changed test files of layers not run whole and not reached by `--changed` (e2e, infra, browser). */
  testFiles: string[];
}

/** What to run for these changed paths (relative to the repository, `/`-separated), besides `--changed` on unit and integration. */
export function planForChanges(paths: readonly string[]): ChangedPlan {
  const whole = new Map<string, string>();
  for (const path of [...paths].sort()) {
    for (const rule of PATH_RULES) {
      if (!(rule.prefix.endsWith('/') ? path.startsWith(rule.prefix) : path === rule.prefix)) continue;
      for (const layer of rule.layers) if (!whole.has(layer)) whole.set(layer, `${path} (${rule.why})`);
    }
  }
  const testFiles = paths
    .filter((path) => /^test\/(infra|e2e|browser)\/.+\.test\.ts$/.test(path))
    .filter((path) => !whole.has(path.split('/')[1] ?? ''))
    .sort();
  return {
    wholeLayers: LAYERS.filter((layer) => whole.has(layer)).map((layer) => ({ layer, because: whole.get(layer) ?? '' })),
    testFiles,
  };
}
