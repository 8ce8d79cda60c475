/**
 * Section e: DynamoDB's cost of the whole system per webhook, the tracker
 * against the common approach on the same stream as section a, on a JVM of its
 * own, after probing that DynamoDB Local prices capacity as AWS documents; and
 * the goals read from those runs.
 */
import { checkCapacityRules, type CapacityProbe } from '../capacity-rules';
import { progress, ratio } from '../stats';
import { EVENT_PRICE, GOALS, PRICES, runSystemCost, type SystemCostRun } from '../system-cost';
import { buildWebhookStream, type WebhookStream } from '../webhook-stream';
import { onFreshJvm, section, type BenchRun } from './section';
import { pad } from './table';

interface CostSection {
  prices: typeof PRICES;
  goals: typeof GOALS;
  capacityRules: CapacityProbe[];
  runs: SystemCostRun[];
  goalsBySenders: CostGoal[];
}

interface CostGoal {
  senders: number;
  costRatio: number;
  costRatioWithFollowUps?: number;
  costPass: boolean;
  webhookWriteUnits: number;
  webhookPass: boolean;
}

/** The capacity probes, a warm-up of both approaches (not reported), then both at 1 and `senders` senders. */
async function costRuns(endpoint: string, stream: WebhookStream, senders: number): Promise<{ capacityRules: CapacityProbe[]; runs: SystemCostRun[] }> {
  const capacityRules = await checkCapacityRules(endpoint);
  progress(`capacity rules: ${capacityRules.length} probes priced as AWS documents`);
  const warmup = buildWebhookStream({ messages: 200, seed: 7 });
  for (const approach of ['tracker', 'common'] as const) await runSystemCost(endpoint, warmup, approach, 4, `warmup-${approach}`);
  const runs: SystemCostRun[] = [];
  for (const count of [1, senders]) {
    for (const approach of ['tracker', 'common'] as const) {
      progress(`cost: ${approach}, ${count} sender(s), whole system`);
      const run = await runSystemCost(endpoint, stream, approach, count, `${approach}-${count}-${Date.now()}`);
      progress(`  ${run.total.billedWrite} write units + ${run.total.read} read units per webhook, $${run.total.dollarsPerMillion} per million`);
      runs.push(run);
    }
  }
  return { capacityRules, runs };
}

/** The cost goals at 1 and `senders` senders: the tracker over the common approach for the same job, and the webhook path's units. */
export function costGoals(runs: readonly SystemCostRun[], senders: number): CostGoal[] {
  const costOf = (approach: 'tracker' | 'common', count: number) => runs.find((run) => run.approach === approach && run.senders === count)!;
  return [1, senders].map((count) => {
    const ours = costOf('tracker', count);
    const theirs = costOf('common', count);
    // The same job as the common approach's (orders and transaction status): follow-ups and report
    // rows are features it does not have, priced on their own line, not inside the goal's ratio.
    const followUps = ours.followUps?.perWebhook.dollarsPerMillion ?? 0;
    const costRatio = ratio(ours.total.dollarsPerMillion - followUps, theirs.total.dollarsPerMillion);
    return {
      senders: count,
      costRatio,
      costRatioWithFollowUps: ratio(ours.total.dollarsPerMillion, theirs.total.dollarsPerMillion),
      costPass: costRatio <= GOALS.costRatio,
      webhookWriteUnits: ours.webhook.billedWrite,
      webhookPass: ours.webhook.billedWrite <= GOALS.webhookWriteUnits,
    };
  });
}

async function measureCost(run: BenchRun): Promise<CostSection> {
  const { capacityRules, runs } = await onFreshJvm((endpoint) => costRuns(endpoint, run.webhookStream(), run.settings.senders));
  return { prices: PRICES, goals: GOALS, capacityRules, runs, goalsBySenders: costGoals(runs, run.settings.senders) };
}

/** Each run's units, by function for the tracker (webhook, transaction, all). */
function unitRows(runs: readonly SystemCostRun[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    const rows: [string, typeof run.total][] =
      run.transactionFunction === null ? [['all', run.total]] : [['webhook', run.webhook], ['transaction', run.transactionFunction], ['all', run.total]];
    for (const [fn, units] of rows) {
      const last = fn === 'all';
      lines.push(
        pad([
          run.approach, run.senders, fn, units.billedWrite, units.index, units.refused, units.read, units.requests, units.dollarsPerMillion,
          last ? `${run.correctness.wrongState + run.correctness.missing}/${run.correctness.orders}` : '',
          last && run.correctness.transactions !== null ? `${run.correctness.transactionsWrong}/${run.correctness.transactions}` : '',
        ]),
      );
    }
  }
  return lines;
}

/** The tracker's extras, run by run: follow-ups and report rows, then the events it published. */
function extraLines(runs: readonly SystemCostRun[]): string[] {
  const lines: string[] = [];
  for (const run of runs) {
    if (run.followUps === null) continue;
    const f = run.followUps;
    lines.push(
      `  ${run.senders} sender(s): follow-ups and report rows (CONTRACT §9, §11, in the transaction function's figures) ${f.perRedraw.write} write + ${f.perRedraw.read} read units per redraw flow ` +
        `(${f.redraws} redraws; $${f.perWebhook.dollarsPerMillion} of the $ per million webhooks); a person's action: ` +
        Object.entries(f.actions).map(([action, units]) => `${action} ${units.write} WU + ${units.read} RU`).join(', '),
    );
  }
  for (const run of runs) {
    if (run.events === null) continue;
    lines.push(
      `  ${run.senders} sender(s): the tracker published ${run.events.perWebhook} events per webhook (${run.events.distinctPerWebhook} distinct facts): EventBridge $${run.events.dollarsPerMillion} per million webhooks ($${EVENT_PRICE}/M events), on top of DynamoDB's`,
    );
  }
  return lines;
}

function costLines(cost: CostSection): string[] {
  return [
    `e. DynamoDB cost per webhook delivered, whole system, same stream (${cost.capacityRules.length} capacity probes match AWS's rules; $${PRICES.writeUnit}/M write units, $${PRICES.readUnit}/M read units)`,
    pad(['approach', 'senders', 'function', 'write units', 'of which index', 'of which refused', 'read units', 'requests', '$/M webhooks', 'wrong orders', 'wrong txns']),
    ...unitRows(cost.runs),
    ...extraLines(cost.runs),
    ...cost.goalsBySenders.map(
      (goal) =>
        `  ${goal.senders} sender(s): tracker/common cost x${goal.costRatio} for the same job, without follow-ups and reports (goal <= ${GOALS.costRatio}: ${goal.costPass ? 'PASS' : 'FAIL'}; x${goal.costRatioWithFollowUps ?? goal.costRatio} with them); ` +
        `webhook path ${goal.webhookWriteUnits} write units per webhook (goal <= ${GOALS.webhookWriteUnits}: ${goal.webhookPass ? 'PASS' : 'FAIL'})`,
    ),
  ];
}

/** e. DynamoDB cost of the whole system, both approaches, same stream, on a fresh JVM. */
export const systemCost = section({ id: 'e', key: 'cost', measure: measureCost, lines: costLines });
