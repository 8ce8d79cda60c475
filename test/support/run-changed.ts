/**
 * `npm run test:changed [-- <base>]` (default base: main): runs what a change
 * since the base reaches (./changed-layers.ts), in at most three vitest runs:
 * unit and integration with `--changed <base>`, the layers the path rule asks
 * for whole, and changed test files of the other layers. Exits non-zero if any
 * run fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { planForChanges } from './changed-layers';
import { repoRoot } from './npm-start';

const base = process.argv[2] ?? 'main';
const git = (...args: string[]): string[] =>
  execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');

const changed = [...new Set([...git('diff', '--name-only', base), ...git('ls-files', '--others', '--exclude-standard')])];
const plan = planForChanges(changed);
const whole = plan.wholeLayers.map((entry) => entry.layer);

console.log(`test:changed: ${changed.length} path(s) changed since ${base}`);
for (const entry of plan.wholeLayers) console.log(`  the ${entry.layer} layer runs whole: ${entry.because}`);

const runs: string[][] = [];
const byImports = ['unit', 'integration'].filter((layer) => !whole.includes(layer));
if (byImports.length > 0) runs.push(['--changed', base, '--passWithNoTests', ...byImports.flatMap((layer) => ['--project', layer])]);
if (whole.length > 0) runs.push(['--passWithNoTests', ...whole.flatMap((layer) => ['--project', layer])]);
if (plan.testFiles.length > 0) runs.push(plan.testFiles);

let failed = false;
for (const args of runs) {
  console.log(`\n$ npx vitest run ${args.join(' ')}`);
  const run = spawnSync('npx', ['vitest', 'run', ...args], { cwd: repoRoot, stdio: 'inherit' });
  if (run.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
