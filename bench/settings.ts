/**
 * The bench's sizes and choices, read once from the environment (BENCH_*
 * variables, listed by `npm run bench -- --help`): the full defaults or the
 * quick ones (BENCH_QUICK=1), any variable overriding either; BENCH_ONLY names
 * the one section to run alone; BENCH_OUTPUT where the results go.
 */
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { parseStreamNames, SECTION_M_STREAMS } from './stream-names';

const Count = z.string().regex(/^[1-9]\d*$/, 'must be a positive integer').transform(Number).optional();
const Settings = z.object({
  BENCH_QUICK: z.enum(['0', '1']).default('0'),
  BENCH_WEBHOOKS: Count,
  BENCH_SENDERS: Count,
  BENCH_COLD_RUNS: Count,
  BENCH_SWEEP_SIZES: z.string().regex(/^\d+(,\d+)*$/, 'must be comma-separated integers').optional(),
  BENCH_SWEEP_DUE: Count,
  BENCH_LATENCY_SAMPLES: Count,
  BENCH_LOCAL_ROUNDS: Count,
  BENCH_SYNC_RUNS: Count,
  BENCH_SCALE_OPEN: Count,
  BENCH_SCALE_DUE: Count,
  BENCH_CONSOLE_FOLLOW_UPS: Count,
  BENCH_CONSOLE_RUNS: Count,
  BENCH_OUTPUT: z.string().min(1).optional(),
  BENCH_WORKLIST_OPEN: Count,
  BENCH_WORKLIST_CLOSED: Count,
  BENCH_WORKLIST_RUNS: Count,
  BENCH_STORY_RUNS: Count,
  BENCH_PRODUCT_PER_KIND: Count,
  BENCH_PRODUCT_SENDERS: Count,
  BENCH_STREAMS: z.string().regex(/^[a-z-]+(,[a-z-]+)*$/, 'must be comma-separated stream names').optional(),
  BENCH_FHIR_RUNS: Count,
  BENCH_FHIR_FOLLOW_UPS: Count,
  BENCH_FHIR_MARKER_PER_KIND: Count,
  BENCH_TWO_WAY_CHANGES: Count,
  BENCH_TWO_WAY_EDITS: Count,
  BENCH_ONLY: z.enum(['local-ingest', 'cold-start', 'sync-cost', 'sweep-scale', 'console', 'worklist-reads', 'story-cost', 'report-scale', 'product-cost', 'fhir-cost', 'fhir-two-way']).optional(),
  BENCH_REPORT_SIZES: z.string().regex(/^\d+(,\d+)*$/).optional(),
  BENCH_REPORT_RUNS: Count,
});

/** Sizes of this run: the full defaults, or the quick ones; any BENCH_* variable overrides either. */
export function benchSettings(env: NodeJS.ProcessEnv) {
  const raw = Settings.parse(env);
  const quick = raw.BENCH_QUICK === '1';
  const pick = (value: number | undefined, full: number, small: number) => value ?? (quick ? small : full);
  return {
    quick,
    webhooks: pick(raw.BENCH_WEBHOOKS, 3000, 300),
    senders: pick(raw.BENCH_SENDERS, 16, 16),
    coldRuns: pick(raw.BENCH_COLD_RUNS, 15, 5),
    sweepSizes: (raw.BENCH_SWEEP_SIZES ?? (quick ? '1000,3000' : '1000,10000,50000')).split(',').map(Number),
    sweepDue: pick(raw.BENCH_SWEEP_DUE, 50, 50),
    latencySamples: pick(raw.BENCH_LATENCY_SAMPLES, 60, 10),
    localRounds: pick(raw.BENCH_LOCAL_ROUNDS, 3, 1),
    syncRuns: pick(raw.BENCH_SYNC_RUNS, 3, 1),
    scale: { openRedraws: pick(raw.BENCH_SCALE_OPEN, 5000, 500), due: pick(raw.BENCH_SCALE_DUE, 2000, 200), maxSweeps: 4 },
    console: { followUps: pick(raw.BENCH_CONSOLE_FOLLOW_UPS, 5000, 500), runs: pick(raw.BENCH_CONSOLE_RUNS, 7, 3) },
    worklist: { open: pick(raw.BENCH_WORKLIST_OPEN, 10_000, 1000), closed: pick(raw.BENCH_WORKLIST_CLOSED, 50_000, 5000), runs: pick(raw.BENCH_WORKLIST_RUNS, 9, 3) },
    storyRuns: pick(raw.BENCH_STORY_RUNS, 5, 2),
    product: {
      perKind: pick(raw.BENCH_PRODUCT_PER_KIND, 15, 3),
      senders: pick(raw.BENCH_PRODUCT_SENDERS, 4, 4),
      moreSenders: 16,
      // Section m's streams (named-streams.ts); the quick run sends section m's alone.
      streams: raw.BENCH_STREAMS === undefined ? (quick ? ['section-m' as const] : [...SECTION_M_STREAMS]) : parseStreamNames(raw.BENCH_STREAMS),
    },
    fhir: { runs: pick(raw.BENCH_FHIR_RUNS, 5, 2), followUps: pick(raw.BENCH_FHIR_FOLLOW_UPS, 1000, 200), markerPerKind: pick(raw.BENCH_FHIR_MARKER_PER_KIND, 15, 3) },
    twoWay: { changes: pick(raw.BENCH_TWO_WAY_CHANGES, 100, 10), edits: pick(raw.BENCH_TWO_WAY_EDITS, 100, 10) },
    report: { sizes: (raw.BENCH_REPORT_SIZES ?? (quick ? '1000,5000' : '1000,100000')).split(',').map(Number), runs: pick(raw.BENCH_REPORT_RUNS, 7, 3) },
    only: raw.BENCH_ONLY,
    output: raw.BENCH_OUTPUT ?? fileURLToPath(new URL(raw.BENCH_ONLY ? `./results.${raw.BENCH_ONLY}.json` : quick ? './results.quick.json' : './results.json', import.meta.url)),
  };
}

export type BenchSettings = ReturnType<typeof benchSettings>;

/** The name of a section that runs alone (BENCH_ONLY). */
export type BenchOnly = NonNullable<BenchSettings['only']>;
