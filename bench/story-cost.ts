/**
 * Section k: what one story costs in DynamoDB units, from its first webhook to
 * its follow-up's close, for the three kinds a follow-up covers (CONTRACT §9):
 *
 * - the redraw story, as test/integration/follow-up-cost.test.ts tells it (the
 *   issues' reference figure): the initial order reaches redraw_available
 *   (opened), the redraw order is known, a person acknowledges, snoozes for an
 *   appointment and records a call, the redraw order moves on and completes
 *   with all its results (closed `redraw_completed` by the tracker);
 * - the incomplete-redraw story: the same, but the redraw order completes with
 *   `has_missing_results: true`, so the follow-up stays open
 *   (`results_still_missing`) until a person closes it
 *   (`clinician_accepted_partial_results`);
 * - the failed test kit: a kit along its path to `sample_error` (its status
 *   detail `sample_hemolyzed`): opened `no_redraw`; a person acknowledges,
 *   records a call and closes it (`other`: a new kit is ordered).
 *
 * Each webhook goes through the real webhook function (signed, as Svix sends
 * it), one at a time; the local stream reader feeds the transaction function
 * from the table's real stream, as `npm start` does, and the bench waits for it
 * to be idle before the next step. People's actions are actOnFollowUp (what
 * POST /follow-ups/{id}/actions calls). Three clients, three meters (meter.ts:
 * refused conditional writes priced by the stored item's size,
 * TransactWriteItems at AWS's price): the webhook function's, the follow-up
 * side (requests on FOLLOWUP… partitions, the transaction function's and the
 * actions'), and the rest of the transaction function. Retention on (365 days,
 * as deployed). Units are counts, not timings: runs agree unless a batch of the
 * stream reader holds two records (then some reads are shared); medians are
 * reported.
 *
 * Not in these figures: the results read (CONTRACT §9: one Junction request per
 * order whose results are missing, by the sweep), which costs a request to
 * Junction, not DynamoDB units beyond its own record.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DEFAULT_THRESHOLDS } from '../functions/core/staleness';
import { documentClientOf, documentTable } from '../functions/store/document-table';
import { actOnFollowUp } from '../functions/store/follow-ups/actions';
import { getFollowUp } from '../functions/store/follow-ups/reads';
import { createTableInput } from '../functions/store/table';
import { createTransactionStatusHandler } from '../functions/transaction-status/app';
import { localDynamoDbClientConfig } from '../local/dynamodb-local';
import { buildDeliveries, freshId, noRedrawFlow, redrawFlow, type Delivery, type FlowSpec } from '../local/junction/flows';
import { findStreamArn, startStreamReader } from '../local/stream-reader';
import { lambdaContext, newSecret, signedEvent, webhookHandlerFor } from '../test/support/webhook';
import { createTables } from './ingest';
import { attachMeter, splitTable, type MeterReading } from './meter';
import { median, muted, progress, round } from './stats';

/**
 * A typical snooze's wake time: 09:00 UTC three days after `now`, a whole hour, as a
 * person picks one (the console's field takes minutes). Its epoch milliseconds are in
 * the worklist entry (`wq.u`), a number DynamoDB sizes by its significant digits, so a
 * wake time with random milliseconds made the snoozed item's size, and its write units,
 * depend on the clock: 1,026 bytes, or 1,024 (one unit less) when they ended in 000.
 */
export function typicalWakeTime(now: Date): string {
  const day = new Date(now.getTime() + 3 * 24 * HOUR);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9)).toISOString();
}

export const STORY_KINDS = ['redraw', 'incomplete_redraw', 'failed_test_kit'] as const;
export type StoryKind = (typeof STORY_KINDS)[number];

/** Units of one part of a story: write units (refused writes included), of which the indexes', read units, requests. */
export interface StoryUnits {
  write: number;
  index: number;
  read: number;
  requests: number;
}

/** One story, measured: each part, and how its follow-up ended (checked against CONTRACT §9). */
export interface StoryRun {
  webhooks: number;
  actions: number;
  /** The webhook function: one write per delivery, and the open-redraws index. */
  webhook: StoryUnits;
  /** The follow-up's own item, history and index copies: the transaction function's and the people's actions'. */
  followUp: StoryUnits;
  /** The rest of the transaction function: the transaction item, report rows and their ledgers, retention. */
  transaction: StoryUnits;
  total: StoryUnits;
  /** The follow-up as it ended, e.g. `closed redraw_completed by tracker`. */
  ended: string;
  /** The attention it had before a person closed it, if any. */
  attention: string | null;
}

export interface StoryCostResult {
  runs: number;
  /** The stories' events: March 2026's (late facts, every report row marks its hour) or the last minutes' (BENCH_STORY_ON_TIME=1). */
  onTime?: boolean;
  /** Medians of each figure over the runs, by story. */
  stories: Record<StoryKind, StoryRun>;
  /** Every story ended as CONTRACT §9 says, in every run. */
  allAsExpected: boolean;
  unexpected: string[];
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const HOUR = 3_600_000;
/** Who acts: an IAM user, as on AWS (and as follow-up-cost.test.ts acts). */
const ACTOR = 'arn:aws:iam::123456789012:user/nurse';

/** How each story must end, and what it had to decide on before (CONTRACT §9). */
const EXPECTED: Record<StoryKind, { ended: string; attention: string | null }> = {
  redraw: { ended: 'closed redraw_completed by tracker', attention: null },
  incomplete_redraw: { ended: 'closed clinician_accepted_partial_results by a person', attention: 'results_still_missing' },
  failed_test_kit: { ended: 'closed other by a person', attention: 'no_redraw' },
};

type Step = { deliveries: Delivery[] } | { action: Record<string, unknown> } | { attention: true };

/** A story's steps, in the order they happen, with fresh ids and status times in the last days. */
function storySteps(kind: StoryKind, now: Date, onTime: boolean): { id: string; steps: Step[] } {
  // Status times as test/integration/follow-up-cost.test.ts has them (its flows' default: March 2026, an hour apart), so that
  // the redraw story here is the one it counts, unit for unit. On time: the story's events in the last 9 minutes, a minute
  // apart, as Junction sends them (its report rows then mark no hour, store/report-units.ts); March's are all late facts.
  const timing = (flow: FlowSpec): FlowSpec => (onTime ? { ...flow, start: new Date(now.getTime() - 9 * 60_000), stepMinutes: 1 } : flow);
  const snooze = { action: 'snooze', until: typicalWakeTime(now), reason: 'appointment_booked' };
  if (kind === 'failed_test_kit') {
    const ids = { transactionId: freshId(), orderId: freshId() };
    const flow: FlowSpec = timing(noRedrawFlow(ids, 'testkit', { low: 'sample_error', detail: 'sample_hemolyzed' }));
    return {
      id: ids.transactionId,
      steps: [
        { deliveries: buildDeliveries(flow) },
        { attention: true },
        { action: { action: 'acknowledge', owner: 'team.outreach' } },
        { action: { action: 'record_contact', channel: 'phone', outcome: 'reached' } },
        { action: { action: 'close', disposition: 'other' } },
      ],
    };
  }
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const deliveries = buildDeliveries(timing(redrawFlow(ids, kind === 'redraw' ? 'completed' : 'incomplete')));
  const redrawStart = deliveries.findIndex((delivery) => delivery.orderId === ids.redrawId);
  return {
    id: ids.transactionId,
    steps: [
      { deliveries: deliveries.slice(0, redrawStart) },
      { deliveries: deliveries.slice(redrawStart, redrawStart + 1) },
      { action: { action: 'acknowledge', owner: 'team.outreach' } },
      { action: snooze },
      { action: { action: 'record_contact', channel: 'phone', outcome: 'reached' } },
      { deliveries: deliveries.slice(redrawStart + 1) },
      ...(kind === 'incomplete_redraw' ? [{ attention: true } as const, { action: { action: 'close', disposition: 'clinician_accepted_partial_results' } }] : []),
    ],
  };
}

function unitsOf(reading: MeterReading): StoryUnits {
  return { write: reading.write + reading.refused, index: reading.index, read: reading.read, requests: reading.requests };
}

function add(a: StoryUnits, b: StoryUnits): StoryUnits {
  return { write: a.write + b.write, index: a.index + b.index, read: a.read + b.read, requests: a.requests + b.requests };
}

/** Measures `runs` stories of each kind on the DynamoDB Local at `endpoint` (one table, the stories one after another). */
export async function measureStoryCost(endpoint: string, runs: number, onTime = process.env.BENCH_STORY_ON_TIME === '1'): Promise<StoryCostResult> {
  const rig = await storyRig(endpoint);
  const measured: Record<StoryKind, StoryRun[]> = { redraw: [], incomplete_redraw: [], failed_test_kit: [] };
  const unexpected: string[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      for (const kind of STORY_KINDS) {
        const story = await playStory(rig, kind, onTime, unexpected);
        measured[kind].push(story);
        progress(`  story cost, run ${run + 1}, ${kind}: follow-up ${story.followUp.write} WU + ${story.followUp.read} RU, whole ${story.total.write} WU + ${story.total.read} RU (${story.ended})`);
      }
    }
  } finally {
    await rig.stop();
  }
  return { runs, onTime, stories: storyMedians(measured), allAsExpected: unexpected.length === 0, unexpected: [...new Set(unexpected)] };
}

type StoryRig = Awaited<ReturnType<typeof storyRig>>;

/**
 * One table and the tracker's functions on it, each through a client of its own with its own meter: the
 * webhook, the transaction function's follow-up requests and the rest of its requests (fed by the local
 * stream reader), and a client for the checks, unmetered.
 */
async function storyRig(endpoint: string) {
  const config = localDynamoDbClientConfig(endpoint);
  const clients = { webhook: new DynamoDBClient(config), followUp: new DynamoDBClient(config), rest: new DynamoDBClient(config), check: new DynamoDBClient(config) };
  const streams = new DynamoDBStreamsClient(config);
  const tableName = `story-cost-${Date.now()}`;
  await createTables(clients.check, [createTableInput(tableName)]);
  const followUpDb = documentTable(documentClientOf(clients.followUp));
  const checkDb = documentTable(documentClientOf(clients.check));
  const transactionHandler = createTransactionStatusHandler({
    db: splitTable(followUpDb, documentTable(documentClientOf(clients.rest))),
    tableName,
    logger: silent,
    metrics: { addMetric() {}, publishStoredMetrics() {} },
    retentionDays: 365,
    publisher: { publish: async () => [] },
  });
  const secret = newSecret();
  const webhook = webhookHandlerFor(documentTable(documentClientOf(clients.webhook)), tableName, [secret]);
  const reader = startStreamReader({ client: streams, streamArn: await findStreamArn(clients.check, tableName), handler: transactionHandler, pollIntervalMs: 20, logger: silent });
  const meters = { webhook: attachMeter(clients.webhook), followUp: attachMeter(clients.followUp), rest: attachMeter(clients.rest) };
  const stop = async () => {
    await reader.stop();
    for (const meter of Object.values(meters)) meter.detach();
    for (const client of Object.values(clients)) client.destroy();
    streams.destroy();
  };
  return { tableName, followUpDb, checkDb, secret, webhook, reader, meters, stop };
}

/** One story of `kind`, step by step, each step worked to the end of the stream; what it cost, and how it ended. */
async function playStory(rig: StoryRig, kind: StoryKind, onTime: boolean, unexpected: string[]): Promise<StoryRun> {
  const { tableName, followUpDb, checkDb, secret, webhook, reader, meters } = rig;
  const now = new Date();
  const { id, steps } = storySteps(kind, now, onTime);
  for (const meter of Object.values(meters)) meter.reset();
  let webhooks = 0;
  let actions = 0;
  let attention: string | null = null;
  for (const step of steps) {
    if ('deliveries' in step) {
      for (const delivery of step.deliveries) {
        const answer = await muted(() => webhook(signedEvent(JSON.stringify(delivery.body), { secret }), lambdaContext()));
        const status = answer.value.statusCode ?? 0;
        if (status < 200 || status >= 300) unexpected.push(`${kind}: a webhook answered ${status}`);
        webhooks++;
        await reader.whenIdle();
      }
    } else if ('action' in step) {
      const acted = await actOnFollowUp(followUpDb, tableName, { id, body: step.action, actor: ACTOR, now: new Date(), thresholds: DEFAULT_THRESHOLDS });
      if (acted.kind !== 'changed') unexpected.push(`${kind}: ${String(step.action.action)} answered ${acted.kind}`);
      actions++;
      await reader.whenIdle();
    } else {
      // What a person had to decide on, read through a client of its own (not part of the story's cost).
      attention = (await getFollowUp(checkDb, tableName, id, new Date()))?.followUp.attention ?? null;
    }
  }
  const stored = (await getFollowUp(checkDb, tableName, id, new Date()))?.followUp;
  const by = stored?.closed_by === ACTOR ? 'a person' : (stored?.closed_by ?? '-');
  const ended = stored ? `${stored.state} ${stored.disposition ?? '-'} by ${by}` : 'no follow-up';
  if (ended !== EXPECTED[kind].ended || attention !== EXPECTED[kind].attention) {
    unexpected.push(`${kind}: ended ${ended} (attention ${attention ?? 'none'}), expected ${EXPECTED[kind].ended} (attention ${EXPECTED[kind].attention ?? 'none'})`);
  }
  const parts = { webhook: unitsOf(meters.webhook.reading()), followUp: unitsOf(meters.followUp.reading()), transaction: unitsOf(meters.rest.reading()) };
  return { webhooks, actions, ...parts, total: add(add(parts.webhook, parts.followUp), parts.transaction), ended, attention };
}

/** Each kind's medians over its runs (counts and how it ended, from its first run). */
function storyMedians(measured: Record<StoryKind, StoryRun[]>): Record<StoryKind, StoryRun> {
  const medianUnits = (list: StoryUnits[]): StoryUnits => ({
    write: round(median(list.map((units) => units.write)), 2),
    index: round(median(list.map((units) => units.index)), 2),
    read: round(median(list.map((units) => units.read)), 2),
    requests: round(median(list.map((units) => units.requests)), 2),
  });
  return Object.fromEntries(
    STORY_KINDS.map((kind) => {
      const list = measured[kind];
      return [
        kind,
        {
          webhooks: list[0]!.webhooks,
          actions: list[0]!.actions,
          webhook: medianUnits(list.map((entry) => entry.webhook)),
          followUp: medianUnits(list.map((entry) => entry.followUp)),
          transaction: medianUnits(list.map((entry) => entry.transaction)),
          total: medianUnits(list.map((entry) => entry.total)),
          ended: list[0]!.ended,
          attention: list[0]!.attention,
        },
      ];
    }),
  ) as Record<StoryKind, StoryRun>;
}

const TITLES: Record<StoryKind, string> = {
  redraw: 'redraw story',
  incomplete_redraw: 'incomplete redraw',
  failed_test_kit: 'failed test kit',
};

/** Section k's lines of the printed table. */
export function storyCostLines(result: StoryCostResult): string[] {
  const pad = (cells: readonly (string | number)[]) => cells.map((cell, index) => String(cell).padStart(index === 0 ? 18 : 11)).join(' ');
  const lines = [
    `k. DynamoDB units per story, first webhook to the follow-up's close (medians of ${result.runs} runs; write units include refused writes; the results read from Junction is not in them)`,
    pad(['story', 'webhooks', 'actions', 'webhook WU', 'follow-up WU', 'of it index', 'follow-up RU', 'txn fn WU', 'txn fn RU', 'total WU', 'total RU']),
  ];
  for (const kind of STORY_KINDS) {
    const story = result.stories[kind];
    lines.push(pad([TITLES[kind], story.webhooks, story.actions, story.webhook.write, story.followUp.write, story.followUp.index, story.followUp.read, story.transaction.write, story.transaction.read, story.total.write, story.total.read]));
  }
  const redraw = result.stories.redraw;
  for (const kind of ['incomplete_redraw', 'failed_test_kit'] as const) {
    const story = result.stories[kind];
    lines.push(
      `  ${TITLES[kind]}: ${story.ended}${story.attention ? ` after ${story.attention}` : ''}; against the redraw story ${signed(story.total.write - redraw.total.write)} WU, ${signed(story.total.read - redraw.total.read)} RU in all (follow-up side ${signed(story.followUp.write - redraw.followUp.write)} WU, ${signed(story.followUp.read - redraw.followUp.read)} RU)`,
    );
  }
  lines.push(result.allAsExpected ? '  every story ended as CONTRACT §9 says' : `  NOT as CONTRACT §9 says: ${result.unexpected.join('; ')}`);
  return lines;
}

function signed(value: number): string {
  const rounded = round(value, 2);
  return rounded >= 0 ? `+${rounded}` : String(rounded);
}
