/**
 * Where a test's CDK apps write their cloud assemblies: a folder each, removed
 * after the test file (./infra-setup.ts, a setup file of the infra layer; other
 * files call removeTestAssemblies themselves). CDK's own default, a
 * cdk.outXXXXXX in the temp folder, is never removed: the suite's runs of one
 * day left 465 of them, 22 MB each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';

const made: string[] = [];

/** A fresh folder for one app's assembly, removed by removeTestAssemblies. */
export function testAssemblyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'redraw-tracker-synth-'));
  made.push(dir);
  return dir;
}

/** A CDK app whose assembly goes to a testAssemblyDir unless `props.outdir` names one. */
export function testApp(props: AppProps = {}): App {
  return new App({ ...props, outdir: props.outdir ?? testAssemblyDir() });
}

/** Removes every assembly folder made so far in this process. */
export function removeTestAssemblies(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
