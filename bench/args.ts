/**
 * The bench's command line (`npm run bench -- --help`, issue 27 item 6): the
 * sections it lists and the one question it answers, help or run. Kept apart
 * from bench/run.ts so that `--help` and a usage error answer without loading
 * the sections (5 s of CPU and seconds of wall time before, issue 54).
 * benchCommandLine answers it on given streams, so that a test can ask it in its
 * own process; bench/main.ts gives it the process's argv and streams.
 */
/**
 * The sections, in the order bench/README.md describes them, with about how long
 * each takes on the 2-core machine of bench/README.md: section h alone took 2.6
 * minutes on 2026-11-23 (results.sweep-scale.json), sections a to g 343 s
 * together in the run of results.json; the split between them is read from that
 * run's own timings (its ingest, cost and sync runs) and bench/README.md's. A
 * loaded machine takes longer: the sync's no-webhook runs took up to 100 s each
 * at load 7.
 */
export const SECTIONS = [
  { id: 'a', title: 'webhook ingest, tracker against the common approach (1 and 16 senders)', about: 'under 1 min', only: null },
  { id: 'b', title: 'cold start of every function bundle, against the common webhook (no JVM)', about: 'about 1 min', only: 'cold-start' },
  { id: 'c', title: 'stale-redraw sweep cost as the table grows (1k, 10k, 50k orders)', about: 'under 1 min', only: null },
  { id: 'd', title: 'stream recompute throughput, webhook-to-transaction latency', about: 'under 1 min', only: null },
  { id: 'e', title: 'DynamoDB cost of the whole system per webhook, against the common approach', about: 'about 1 min', only: null },
  { id: 'f', title: 'ingest through `npm start` over HTTP, whole local system', about: 'about 2 min', only: 'local-ingest' },
  { id: 'g', title: 'continuous sync cost per 1,000 orders changed per hour', about: 'about 1 min (up to 6 on a loaded machine)', only: 'sync-cost' },
  { id: 'h', title: 'the first sweep after a large backfill, Junction healthy then rate-limiting', about: 'about 3 min', only: 'sweep-scale' },
  { id: 'i', title: "the console: its size, and the worklist's first render (5,000 follow-ups)", about: 'about 3 min', only: 'console' },
  { id: 'j', title: 'worklist reads at 10,000 open and 50,000 closed follow-ups, before and after', about: 'about 5 min', only: 'worklist-reads' },
  { id: 'k', title: 'DynamoDB units per story: a redraw, an incomplete redraw, a failed test kit', about: 'about 1 min', only: 'story-cost' },
  { id: 'l', title: 'a 30-day report at 1,000 and 100,000 ended transactions, against every row', about: 'about 4 min', only: 'report-scale' },
  { id: 'm', title: 'the whole product against the common approach on named streams (4 senders)', about: 'about 3 min', only: 'product-cost' },
  { id: 'n', title: 'FHIR Tasks: cost per change, catch-up per 1,000 follow-ups, the fx marker', about: 'about 4 min', only: 'fhir-cost' },
  { id: 'o', title: 'FHIR two-way: poll and notifications per day; notification to action', about: 'about 1 min', only: 'fhir-two-way' },
] as const;

/** What `npm run bench -- --help` prints. */
export function benchHelp(): string {
  const sectionLines = SECTIONS.map(
    (section) => `  ${section.id}. ${section.title.padEnd(78)} ${section.about}${section.only === null ? '' : `; alone: BENCH_ONLY=${section.only}`}`,
  );
  return [
    'npm run bench: measures the tracker against DynamoDB Local (its own JVMs; never AWS),',
    'prints a table (progress on stderr) and writes bench/results.json. It takes no arguments:',
    'what it runs is chosen by BENCH_* variables.',
    '',
    'Sections (times on the idle 2-core machine of bench/README.md; a busy machine takes longer):',
    ...sectionLines,
    '',
    '  npm run bench                           every section: about 24-25 minutes (a to g took 343 s on 2026-11-23, h and i about 3 min each, j about 5, k about 1, l about 4, m about 3, n about 4, o about 1)',
    '  BENCH_QUICK=1 npm run bench             every section at small sizes: a smoke run of about 2 minutes (bench/results.quick.json)',
    '  BENCH_ONLY=<name> npm run bench         one section alone (bench/results.<name>.json): cold-start, local-ingest, sync-cost, sweep-scale, console, worklist-reads, story-cost, report-scale, product-cost, fhir-cost, fhir-two-way',
    '',
    'Sizes (full / quick): BENCH_WEBHOOKS (3000 / 300), BENCH_SENDERS (16), BENCH_COLD_RUNS (15 / 5),',
    'BENCH_SWEEP_SIZES (1000,10000,50000 / 1000,3000), BENCH_SWEEP_DUE (50), BENCH_LATENCY_SAMPLES (60 / 10),',
    'BENCH_LOCAL_ROUNDS (3 / 1), BENCH_SYNC_RUNS (3 / 1), BENCH_SCALE_OPEN and BENCH_SCALE_DUE (5000 and 2000 / 500 and 200),',
    'BENCH_CONSOLE_FOLLOW_UPS (5000 / 500), BENCH_CONSOLE_RUNS (7 / 3), BENCH_WORKLIST_OPEN, BENCH_WORKLIST_CLOSED and BENCH_WORKLIST_RUNS (10000, 50000 and 9 / 1000, 5000 and 3),',
    'BENCH_STORY_RUNS (5 / 2), BENCH_PRODUCT_PER_KIND (15 / 3), BENCH_PRODUCT_SENDERS (4), BENCH_FHIR_RUNS (5 / 2), BENCH_FHIR_FOLLOW_UPS (1000 / 200)',
    "BENCH_STREAMS (section m's streams: section-m,guard,production-like,retry-heavy / section-m; also production-like-quarter),",
    'BENCH_FHIR_MARKER_PER_KIND (15 / 3), BENCH_TWO_WAY_CHANGES and BENCH_TWO_WAY_EDITS (100 and 100 / 10 and 10);',
    'BENCH_OUTPUT writes the results elsewhere.',
    '',
    'Goal lines read PASS or FAIL (section b: met yes/NO). A ratio compares two figures measured on the same',
    'shared cores, and some goals were set before the tracker did more per webhook: bench/README.md',
    '("Reading the goal lines") says what each goal measures and why one can read FAIL.',
  ].join('\n');
}

/** A command-line argument the bench does not take: one line and exit 2, never a run. */
export class UsageError extends Error {}

/** `help` for --help/-h; throws a UsageError for anything else (the bench is configured by BENCH_* variables). */
export function parseBenchArgs(args: readonly string[]): 'help' | 'run' {
  if (args.some((arg) => arg === '--help' || arg === '-h')) return 'help';
  const [first] = args;
  if (first !== undefined) {
    throw new UsageError(
      `${first.startsWith('-') ? 'unknown option' : 'unexpected argument'}: ${first} (the bench takes no arguments; BENCH_* variables choose what runs: npm run bench -- --help)`,
    );
  }
  return 'run';
}


/** Where the bench's command line writes: the process's streams, or a test's strings. */
export interface BenchIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/**
 * The bench's command line on `args`, before any section loads: the help on
 * stdout (exit 0), a usage error in one line on stderr (exit 2), or 'run'.
 */
export function benchCommandLine(args: readonly string[], io: BenchIo): 0 | 2 | 'run' {
  try {
    if (parseBenchArgs(args) === 'run') return 'run';
    io.stdout.write(`${benchHelp()}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`bench: ${error.message}\n`);
    return 2;
  }
}
