/**
 * The bench's run, loaded by bench/main.ts (`npm run bench`) once the command
 * line is known to ask for one: every figure of bench/README.md in one run,
 * written to bench/results.json and printed as a table. Starts and stops its
 * own DynamoDB Local JVMs; never contacts AWS. Sizes come from the environment
 * (bench/settings.ts); BENCH_QUICK=1 is a smoke run of a few seconds per
 * section; BENCH_ONLY=<name> runs the section of that name alone (b, f to o;
 * `npm run bench -- --help` lists them and about how long each takes).
 *
 * The run is the composition of its sections (bench/sections/): the table
 * below names them in the order the table prints them and results.json keeps
 * them, and RUN_ORDER the order they are measured in.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { webhookIngest, streamRecompute } from './sections/ingest';
import { benchRun, type AnySection } from './sections/section';
import {
  coldStart, consoleSection, fhirCost, fhirTwoWay, localIngest, productCost, reportScale, storyCost, sweepScale, syncCost, worklistReads,
} from './sections/standalone';
import { sweepCost } from './sections/sweep-cost';
import { systemCost } from './sections/system-cost';
import { benchSettings, type BenchSettings } from './settings';
import { progress, round } from './stats';

/** Every section, by its letter: the order of the printed table and of results.json. */
export const SECTIONS: readonly AnySection[] = [
  webhookIngest, coldStart, sweepCost, streamRecompute, systemCost, localIngest, syncCost, sweepScale,
  consoleSection, worklistReads, storyCost, reportScale, productCost, fhirCost, fhirTwoWay,
];

/**
 * The order of measuring: b first (no JVM is running yet, and it needs none), then a (with d's
 * throughput on its JVM), c and e; d's end-to-end latency comes after h, as it always has.
 */
export const RUN_ORDER = ['b', 'a', 'c', 'e', 'g', 'h', 'd', 'f', 'i', 'j', 'k', 'l', 'm', 'n', 'o'] as const;

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  date: string;
}

/** Runs the bench as its environment says (bench/main.ts has parsed the command line). */
export async function runBench(): Promise<void> {
  const settings = benchSettings(process.env);
  const started = Date.now();
  const machine: Machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    date: new Date().toISOString(),
  };
  progress(`machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}${settings.quick ? ' (quick run)' : ''}`);
  const alone = SECTIONS.find((part) => part.only !== undefined && part.only === settings.only);
  if (alone !== undefined) return runAlone(alone, settings, machine);
  return runAll(settings, machine, started);
}

/** One section (BENCH_ONLY): its results file holds the machine, the settings and its figures; it prints its own lines. */
async function runAlone(part: AnySection, settings: BenchSettings, machine: Machine): Promise<void> {
  const result = await part.measure(benchRun(settings));
  await writeFile(settings.output, `${JSON.stringify({ machine, settings: { ...settings, output: undefined }, [part.key]: result }, null, 2)}\n`);
  console.log(part.lines(result).join('\n'));
  progress(`wrote ${settings.output}`);
}

/** Every section in RUN_ORDER, then results.json and the whole table in the order of SECTIONS. */
async function runAll(settings: BenchSettings, machine: Machine, started: number): Promise<void> {
  const run = benchRun(settings);
  const measured = new Map<string, unknown>();
  for (const id of RUN_ORDER) {
    const part = SECTIONS.find((entry) => entry.id === id)!;
    measured.set(id, await part.measure(run));
  }
  const results: Record<string, unknown> = {
    machine,
    settings: { ...settings, output: undefined },
    durationSeconds: round((Date.now() - started) / 1000, 1),
  };
  for (const part of SECTIONS) results[part.key] = measured.get(part.id);
  await writeFile(settings.output, `${JSON.stringify(results, null, 2)}\n`);
  console.log(benchTable(machine, measured).join('\n'));
  progress(`wrote ${settings.output} in ${String(results.durationSeconds)} s`);
}

/** The whole table: a header line, then each section's lines in letter order, a blank line between two. */
export function benchTable(
  machine: Pick<Machine, 'cpu' | 'cores' | 'node' | 'date'>,
  measured: ReadonlyMap<string, unknown>,
  sections: readonly Pick<AnySection, 'id' | 'lines' | 'ownBlankLine'>[] = SECTIONS,
): string[] {
  const lines = [`redraw-tracker benchmark, ${machine.date}: ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, DynamoDB Local`];
  for (const part of sections) {
    if (part.ownBlankLine !== true) lines.push('');
    lines.push(...part.lines(measured.get(part.id)));
  }
  return lines;
}
