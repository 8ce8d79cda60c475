/**
 * What section m prints (product-cost.ts measures): per named stream, its mix,
 * the batches that ran, both approaches' dollars per million webhooks and the
 * ratio with a transaction's index writes priced 1x and 2x, the cost of an
 * accepted and a refused delivery and the break-even refused share, the
 * throughput, and every operation's units per webhook, dearest first.
 */
import { breakEvenText } from './break-even';
import type { PricedFigures } from './product-cost-figures';
import type { ProductCostResult, StreamCost } from './product-cost';
import type { SystemCostRun } from './system-cost';

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const dollars = (value: number) => `$${value.toFixed(3)}`;

function unitsLine(total: SystemCostRun['total']): string {
  return `${total.billedWrite.toFixed(3)} WU (${total.index.toFixed(3)} index, ${total.refused.toFixed(3)} refused) + ${total.read.toFixed(3)} RU`;
}

function pricedLine(label: string, figures: PricedFigures): string {
  const { tracker, common } = figures.classes;
  return (
    `   ${label}: tracker ${dollars(figures.tracker)}/M, common ${dollars(figures.common)}/M, x${figures.ratio.toFixed(3)}; ` +
    `per delivery accepted ${dollars(tracker.accepted)} / ${dollars(common.accepted)}, refused ${dollars(tracker.refused)} / ${dollars(common.refused)}; ${breakEvenText(figures.breakEven)}`
  );
}

function operationLines(stream: StreamCost): string[] {
  const number = (value: number, width = 7) => value.toFixed(3).padStart(width);
  return [
    `   ${'per webhook, dearest first'.padEnd(52)} ${'WU table'.padStart(8)} ${'WU index'.padStart(8)} ${'refused'.padStart(7)} ${'RU'.padStart(7)} ${'req'.padStart(7)} ${'$/M 1x'.padStart(7)} ${'$/M 2x'.padStart(7)}`,
    ...stream.operations
      .filter((operation) => operation.dollarsPerMillion.x2 > 0)
      .map(
        (operation) =>
          `     ${operation.operation.padEnd(50)} ${number(operation.tableWrite, 8)} ${number(operation.indexWrite, 8)} ${number(operation.refused)} ${number(operation.read)} ${number(operation.requests)} ${number(operation.dollarsPerMillion.x1)} ${number(operation.dollarsPerMillion.x2)}`,
      ),
  ];
}

function streamLines(stream: StreamCost): string[] {
  const { mix, tracker, common, deliveries } = stream;
  return [
    `  stream ${stream.name}: ${mix.deliveries} deliveries of ${mix.orders} orders in ${mix.flows} flows; duplicates ${mix.duplicates} (${percent(mix.duplicateShare)}), ` +
      `stale ${mix.stale} (${percent(mix.staleShare)}), refused ${percent(mix.refusedShare)}; ${stream.senders} senders`,
    `   batches: ${stream.batches.count} (mean ${stream.batches.mean} records, largest ${stream.batches.largest}; up to 100)`,
    `   tracker: ${unitsLine(tracker.total)} per webhook; answered accepted ${deliveries.tracker.accepted}, refused ${deliveries.tracker.refused}, non-2xx ${tracker.non2xx}; ` +
      `orders wrong ${tracker.correctness.wrongState}, missing ${tracker.correctness.missing}; transactions wrong ${tracker.correctness.transactionsWrong ?? '-'}`,
    `   common:  ${unitsLine(common.total)} per webhook; by the stream accepted ${deliveries.common.accepted}, refused ${deliveries.common.refused}, non-2xx ${common.non2xx}; ` +
      `orders wrong ${common.correctness.wrongState}, missing ${common.correctness.missing}`,
    ...(stream.commonRetried.calls === 0
      ? []
      : [
          `   common: ${stream.commonRetried.calls} calls answered "already in progress" (two deliveries of one svix-id at once), sent again at once by the bench's sender where Svix waits 5 s or more: ` +
            `${dollars(stream.commonRetried.dollarsPerMillion)}/M of its figure; without them x${stream.commonRetried.ratioWithout.x1.toFixed(3)} (1x), x${stream.commonRetried.ratioWithout.x2.toFixed(3)} (2x)`,
        ]),
    pricedLine("transactions' index writes 1x", stream.x1),
    pricedLine("transactions' index writes 2x", stream.x2),
    ...stream.throughput.map(
      (at) => `   ${String(at.senders).padStart(2)} senders: answered in ${at.tracker} s against ${at.common} s, throughput x${at.ratio}; every record worked ${at.trackerDrained} s after the first delivery`,
    ),
    ...operationLines(stream),
  ];
}

/** The section's lines. */
export function productCostLines(result: ProductCostResult): string[] {
  return [
    '',
    "m. The whole product, everything on, against the common approach, on named streams (issues 57, 76); $ per million webhooks with transactions' index writes priced 1x and 2x " +
      '(AWS documents 2 writes per item of a transaction and nothing of its index writes); goal <= 1.0 at both, aim 0.9',
    ...result.streams.flatMap(streamLines),
  ];
}
