/**
 * The sections that stand alone: each is measured by one module of bench/ on
 * a DynamoDB Local JVM of its own (a fresh one: DynamoDB Local slows down as
 * stream tables accumulate), or on nothing (b) or a runtime of its own (f, i),
 * and each can run alone under its BENCH_ONLY name.
 */
import { coldStartLines, measureColdStarts } from '../cold-start';
import { consoleLines, measureConsole } from '../console';
import { fhirCostLines, measureFhirCost } from '../fhir-cost';
import { fhirTwoWayLines, measureFhirTwoWay } from '../fhir-two-way';
import { localIngestLines, measureLocalIngest } from '../local-ingest';
import { measureProductCost } from '../product-cost';
import { productCostLines } from '../product-cost-lines';
import { measureReportScale, reportScaleLines } from '../report-scale';
import { measureStoryCost, storyCostLines } from '../story-cost';
import { measureSweepScale, sweepScaleLines } from '../sweep-scale';
import { measureSyncCost, syncCostLines } from '../sync-cost';
import { measureWorklistReads, worklistReadsLines } from '../worklist-reads';
import { onFreshJvm, section } from './section';

/** b. Cold start of every function bundle, against the common webhook: no JVM (the whole bench runs it first, before any). */
export const coldStart = section({ id: 'b', key: 'coldStart', only: 'cold-start', measure: ({ settings }) => measureColdStarts(settings.coldRuns), lines: coldStartLines });

/** f. Ingest through `npm start`'s HTTP server, whole local system, against the common approach's server. */
export const localIngest = section({
  id: 'f',
  key: 'localIngest',
  only: 'local-ingest',
  measure: ({ settings }) => measureLocalIngest({ webhooks: settings.webhooks, senders: settings.senders, rounds: settings.localRounds }),
  lines: localIngestLines,
});

/** g. The continuous sync's cost per 1,000 orders changed per hour. */
export const syncCost = section({ id: 'g', key: 'syncCost', only: 'sync-cost', measure: ({ settings }) => onFreshJvm((endpoint) => measureSyncCost(endpoint, settings.syncRuns)), lines: syncCostLines });

/** h. The first sweep after a large backfill, Junction healthy then rate-limiting. */
export const sweepScale = section({ id: 'h', key: 'sweepScale', only: 'sweep-scale', measure: ({ settings }) => onFreshJvm((endpoint) => measureSweepScale(endpoint, settings.scale)), lines: sweepScaleLines });

/** i. The console: its size, and the worklist's first render in Chromium (its own runtime and JVM). */
export const consoleSection = section({ id: 'i', key: 'console', only: 'console', measure: ({ settings }) => measureConsole(settings.console), lines: consoleLines });

/** j. The worklist's reads at scale, before and after issue 45. */
export const worklistReads = section({ id: 'j', key: 'worklistReads', only: 'worklist-reads', measure: ({ settings }) => onFreshJvm((endpoint) => measureWorklistReads(endpoint, settings.worklist)), lines: worklistReadsLines });

/** k. A story's units, first webhook to the follow-up's close: a redraw, an incomplete redraw, a failed test kit. */
export const storyCost = section({ id: 'k', key: 'storyCost', only: 'story-cost', measure: ({ settings }) => onFreshJvm((endpoint) => measureStoryCost(endpoint, settings.storyRuns)), lines: storyCostLines });

/** l. A 30-day report as ended transactions grow, against every row of the window. */
export const reportScale = section({ id: 'l', key: 'reportScale', only: 'report-scale', measure: ({ settings }) => onFreshJvm((endpoint) => measureReportScale(endpoint, settings.report)), lines: reportScaleLines });

/** m. The whole product, everything on, against the common approach, on named streams (its lines open with their own blank line). */
export const productCost = section({
  id: 'm',
  key: 'productCost',
  only: 'product-cost',
  // A JVM of its own for each stream (product-cost.ts).
  measure: ({ settings }) => measureProductCost(settings.product),
  lines: productCostLines,
  ownBlankLine: true,
});

/** n. FHIR Tasks: the writer's cost per follow-up change, the sweep's catch-up per 1,000 follow-ups (its own JVM and stand-in). */
export const fhirCost = section({ id: 'n', key: 'fhirCost', only: 'fhir-cost', measure: ({ settings }) => onFreshJvm((endpoint) => measureFhirCost(endpoint, settings.fhir)), lines: fhirCostLines });

/** o. FHIR two-way: what the poll and the notifications cost per day, and notification to action (its own JVM and stand-in). */
export const fhirTwoWay = section({ id: 'o', key: 'fhirTwoWay', only: 'fhir-two-way', measure: ({ settings }) => onFreshJvm((endpoint) => measureFhirTwoWay(endpoint, settings.twoWay)), lines: fhirTwoWayLines });
