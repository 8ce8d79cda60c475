/**
 * Report rows (CONTRACT §11): each write versioned, so any order of applying
 * them converges; a refused one is stale. One item's work in stream order (an
 * expiry before its return's first rows), items side by side. An EHR person's
 * close row keeps the name its history entry gave them (CONTRACT §11
 * `actor_display`), read once as the row is first written (withCloserNames).
 */
import { forEachLimited } from '../../shared/concurrency';
import { errorName } from '../../shared/observability';
import { EHR_ACTOR_PREFIX } from '../../shared/actor';
import { closeDisplay, recordClosesCounted } from '../../store/report-closers';
import { applyReportWork } from '../../store/report-ledger';
import type { ReportWork, TallyWrite } from '../../store/report-work';
import { beforeDeadline, type Run, type StepContext } from './context';
import type { RecordWork } from './intake';

/** One step of a ledger's queue: a record's report work. */
export interface LedgerStep {
  sequenceNumber: string;
  work: ReportWork;
}

/** The batch's report work, one queue per ledger (an item's), each in stream order. */
export function ledgerQueues(works: Iterable<Pick<RecordWork, 'sequenceNumber' | 'tallies'>>): LedgerStep[][] {
  const byLedger = new Map<string, LedgerStep[]>();
  for (const work of works) {
    for (const report of work.tallies) {
      const ledger = `${report.ledger.item}#${report.ledger.token}`;
      byLedger.set(ledger, [...(byLedger.get(ledger) ?? []), { sequenceNumber: work.sequenceNumber, work: report }]);
    }
  }
  return [...byLedger.values()];
}

/** The sequence numbers to report when step `index` of a queue is not done: it and the later ones, retried (or parked) in order. */
export function stoppedAt(queue: readonly LedgerStep[], index: number): string[] {
  return queue.slice(index).map((step) => step.sequenceNumber);
}

/** Applies one ledger's queue in order; resolves with the rows written. */
async function applyQueue(ctx: StepContext, run: Run, queue: readonly LedgerStep[]): Promise<number> {
  let written = 0;
  for (const [index, { sequenceNumber, work }] of queue.entries()) {
    let done = !run.failures.has(sequenceNumber);
    try {
      const outcome = !done || Date.now() >= run.workDeadline ? 'late' : await beforeDeadline(applyReportWork(ctx.db, ctx.tableName, work, ctx.wallClock()), run.workDeadline);
      if (outcome === 'late') done = false;
      else written += outcome;
    } catch (error) {
      ctx.logger.error('report row write failed', { error: errorName(error) });
      done = false;
    }
    if (!done) {
      // A step not done stops its item's queue: it and the later ones are retried (or parked), in order.
      for (const later of stoppedAt(queue, index)) run.failures.add(later);
      break;
    }
  }
  return written;
}

/** Whether this handler instance has recorded (or found) when closes by person began to be counted (store/report-closers.ts). */
export interface ClosesCounting {
  recorded: boolean;
}

/** Whether a batch's report work puts a `closed` row carrying its actor (CONTRACT §11 closes_by_person). */
export function countsACloser(queues: readonly (readonly LedgerStep[])[]): boolean {
  return queues.some((queue) => queue.some(({ work }) => work.kind === 'rows' && [...work.writes, ...work.current].some((write) => write.tally?.kind === 'closed' && write.tally.by !== undefined)));
}

/**
 * Before the first `closed` row with its actor this instance writes: the
 * instant counting began, written once per table (a stored one is kept). A
 * failure is logged and tried again with the next such batch: the rows go on
 * regardless, and a later instant only claims less.
 */
async function recordCounting(ctx: StepContext, counting: ClosesCounting, queues: readonly (readonly LedgerStep[])[]): Promise<void> {
  if (counting.recorded || !countsACloser(queues)) return;
  try {
    await recordClosesCounted(ctx.db, ctx.tableName, ctx.wallClock());
    counting.recorded = true;
  } catch (error) {
    ctx.logger.error('closes counted mark failed', { error: errorName(error) });
  }
}

/** The EHR person whose close a record's row writes put without a name yet, with the follow-up and its version: null for any other record. */
export function closeWantingName(work: Pick<RecordWork, 'write' | 'tallies'>): { id: string; version: number; actor: string } | null {
  const after = work.write.after;
  if (after?.kind !== 'follow_up') return null;
  const { followUp } = after.item;
  const actor = followUp.closed_by;
  if (followUp.state !== 'closed' || actor == null || !actor.startsWith(EHR_ACTOR_PREFIX)) return null;
  const wants = (write: TallyWrite) => write.tally?.kind === 'closed' && write.tally.by === actor && write.tally.by_display === undefined;
  const named = work.tallies.some((report) => report.kind === 'rows' && [...report.writes, ...report.current].some(wants));
  return named ? { id: followUp.id, version: followUp.version, actor } : null;
}

/** `report` with the close rows of `actor` carrying `name`. */
export function namedCloseWork(report: ReportWork, actor: string, name: string): ReportWork {
  if (report.kind !== 'rows') return report;
  const withName = (write: TallyWrite): TallyWrite => (write.tally?.kind === 'closed' && write.tally.by === actor ? { ...write, tally: { ...write.tally, by_display: name } } : write);
  return { ...report, writes: report.writes.map(withName), current: report.current.map(withName) };
}

/**
 * Each EHR person's close the batch writes carries the name its history entry
 * gave them (read once, here; parked work keeps it so). A failed read is
 * logged and the row is written without the name: the count is what matters.
 */
async function withCloserNames(ctx: StepContext, run: Run, works: readonly RecordWork[]): Promise<void> {
  await forEachLimited(works, ctx.concurrency, async (work) => {
    const close = closeWantingName(work);
    if (close === null || Date.now() >= run.workDeadline) return;
    try {
      const name = await closeDisplay(ctx.db, ctx.tableName, close);
      if (name !== null) work.tallies = work.tallies.map((report) => namedCloseWork(report, close.actor, name));
    } catch (error) {
      ctx.logger.error('close name read failed', { error: errorName(error) });
    }
  });
}

/** Applies the batch's report work; resolves with the rows written. */
export async function applyReportRows(ctx: StepContext, run: Run, works: Iterable<RecordWork>, counting: ClosesCounting = { recorded: false }): Promise<number> {
  let written = 0;
  const all = [...works];
  await withCloserNames(ctx, run, all);
  const queues = ledgerQueues(all);
  await recordCounting(ctx, counting, queues);
  await forEachLimited(queues, ctx.concurrency, async (queue) => {
    const rows = await applyQueue(ctx, run, queue);
    written += rows;
  });
  return written;
}
