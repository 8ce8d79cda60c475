/**
 * Every key the query and digest functions read is within the partitions the
 * stack grants them (issue 45 item 6, functions/store/key-prefixes.ts): the real
 * query handler, on every route of functions/query/route-table.ts, and the real
 * weekly digest, on DynamoDB Local with data present so that each read happens
 * (orders with appointments, transactions, open and closed follow-ups with their
 * history, open and stale redraws, report rows, and a quarantined body beside
 * them), through a TableClient that records the partition key values of each
 * request (test/support/recording-table.ts): a GetItem's Key, a BatchGetItem's
 * keys and a Query's partition, on the table and on each index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectAppointment } from '../../functions/core/appointment';
import { QUEUES } from '../../functions/core/queues';
import { readWebhookBody } from '../../functions/core/schemas';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createQueryHandler, type QueryEvent } from '../../functions/query/app';
import type { RouteName } from '../../functions/query/route-table';
import { putAppointmentFromWebhook } from '../../functions/store/appointments';
import { tableClaims } from '../../functions/store/claims';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { FOLLOW_UP_LIST_STATES } from '../../functions/store/follow-ups/worklist';
import { leadsWith, READER_PARTITIONS, type ReaderPartitions } from '../../functions/store/key-prefixes';
import { putQuarantine } from '../../functions/store/quarantine';
import { flagStale } from '../../functions/store/redraws';
import { CLAIM_PARTITION_PREFIX, CLAIM_SCOPES } from '../../functions/store/keys';
import { createDigestHandler, DIGEST_CLAIM_DAYS } from '../../functions/weekly-digest/app';
import { createInMemoryDigestPublisher } from '../../functions/weekly-digest/publisher';
import { tableReads } from '../../functions/weekly-digest/reads';
import { appointmentDelivery, buildDeliveries, freshId, redrawFlow, type RedrawOutcome } from '../support/junction';
import { recordingTable, type RecordedRequest } from '../support/recording-table';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** Tuesday 2026-04-07: the labs offer redraws; the digest and the reads come the Monday after. */
const START = new Date('2026-04-07T08:00:00Z');
const NOW = new Date('2026-04-13T06:00:00Z');

let rig: TransactionRig;
const flows: Record<'awaiting' | 'inProgress' | 'completed', { transactionId: string; initialId: string; redrawId: string }> = {
  awaiting: { transactionId: freshId(), initialId: freshId(), redrawId: freshId() },
  inProgress: { transactionId: freshId(), initialId: freshId(), redrawId: freshId() },
  completed: { transactionId: freshId(), initialId: freshId(), redrawId: freshId() },
};
const OUTCOMES: Record<keyof typeof flows, RedrawOutcome> = { awaiting: 'not_created', inProgress: 'in_progress', completed: 'completed' };

beforeAll(async () => {
  rig = await startTransactionRig('read-partitions', { retentionDays: 365 });
  for (const [name, ids] of Object.entries(flows) as [keyof typeof flows, (typeof flows)[keyof typeof flows]][]) {
    for (const delivery of buildDeliveries(redrawFlow(ids, OUTCOMES[name], START))) await rig.webhook(delivery);
  }
  for (const orderId of [flows.awaiting.initialId, flows.inProgress.redrawId]) {
    const read = readWebhookBody(JSON.stringify(appointmentDelivery({ orderId, appointmentId: freshId(), startAt: new Date('2026-04-15T09:00:00Z'), status: 'confirmed', eventTimes: [START] }).body));
    if (read.kind !== 'appointment') throw new Error('not an appointment event');
    await putAppointmentFromWebhook(rig.table.db, rig.table.tableName, projectAppointment(read.appointment));
  }
  // A quarantined body (PHI) in the table and in by-transaction's QUARANTINE listing: nothing below may name it.
  await putQuarantine(rig.table.db, rig.table.tableName, { svixId: `msg_${freshId()}`, svixTimestamp: Math.floor(START.getTime() / 1000), reason: 'data: invalid_type', receivedAt: START, rawBody: new TextEncoder().encode('{"patient":"canary"}') });
  await rig.settle();
  // The awaiting redraw flagged stale, as the sweep does; its follow-up owned by maria, with history.
  const awaiting = await rig.order(flows.awaiting.initialId);
  if (awaiting?.openRedraw == null) throw new Error('the awaiting redraw is not open');
  expect(await flagStale(rig.table.db, rig.table.tableName, { orderId: awaiting.record.id, rank: awaiting.record.rank, partition: awaiting.openRedraw }, { since: '2026-04-09T08:00:00.000000Z', reason: 'redraw_not_created' })).toBe('written');
  const acted = await actOnFollowUp(rig.table.db, rig.table.tableName, { id: flows.awaiting.transactionId, body: { action: 'acknowledge', owner: 'maria' }, actor: 'someone', now: NOW, thresholds: DEFAULT_THRESHOLDS });
  expect(acted.kind).toBe('changed');
  await rig.settle();
});
afterAll(async () => {
  await rig?.close();
});

/** Every partition key value `requests` name, outside what `reader` may lead with (the table's list, or the indexes'). */
function outside(requests: readonly RecordedRequest[], partitions: ReaderPartitions): { operation: string; target: string; partition: string }[] {
  return requests.flatMap(({ operation, target, partitions: named }) =>
    named.filter((partition) => !leadsWith(target === 'table' ? partitions.table : partitions.indexes, partition)).map((partition) => ({ operation, target, partition })),
  );
}

/** Each prefix and whole partition of `partitions` that no recorded request named: a grant the reader would not need. */
function unused(requests: readonly RecordedRequest[], partitions: ReaderPartitions): string[] {
  const named = (onIndexes: boolean) => requests.filter((request) => (request.target !== 'table') === onIndexes).flatMap((request) => request.partitions);
  return [
    ...partitions.table.prefixes.filter((prefix) => !named(false).some((partition) => partition.startsWith(prefix))),
    ...partitions.table.partitions.filter((partition) => !named(false).includes(partition)),
    // The indexes' prefixes are the table partitions of what they list (the safe reading of AWS's docs): never named by a Query.
    ...partitions.indexes.partitions.filter((partition) => !named(true).includes(partition)),
  ];
}

describe('the partitions the query function reads', () => {
  it('are all within its dynamodb:LeadingKeys, on every route, with every list, queue and page', async () => {
    const { db, requests } = recordingTable(rig.table.db);
    const handler = createQueryHandler({ db, tableName: rig.table.tableName, logger: silent, now: () => NOW, actorSource: 'header' });
    const get = async (path: string, query: Record<string, string> = {}, status = 200): Promise<Record<string, unknown>> => {
      const event: QueryEvent = { routeKey: '$default', rawPath: path, requestContext: { http: { method: 'GET' } }, queryStringParameters: query, headers: { 'x-redraw-actor': 'maria' } };
      const response = await handler(event);
      expect(response.statusCode, `${path} ${JSON.stringify(query)}: ${response.body}`).toBe(status);
      return JSON.parse(response.body) as Record<string, unknown>;
    };
    /** Every page of a list, one item a page: each cursor's read too. */
    const pages = async (path: string, query: Record<string, string>): Promise<number> => {
      let cursor: string | null = null;
      let items = 0;
      for (let page = 0; page < 20; page++) {
        const body = await get(path, { ...query, limit: '1', ...(cursor === null ? {} : { cursor }) });
        items += (body.items as unknown[]).length;
        cursor = typeof body.next_cursor === 'string' ? body.next_cursor : null;
        if (cursor === null) return items;
      }
      throw new Error(`${path}: paging did not end`);
    };
    // A Record of every route (a new route fails the type check until it is read here).
    const routes: Record<RouteName, () => Promise<void>> = {
      order: async () => {
        for (const orderId of [flows.awaiting.initialId, flows.inProgress.redrawId, flows.completed.redrawId]) await get(`/orders/${orderId}`);
      },
      transaction: async () => {
        for (const ids of Object.values(flows)) await get(`/transactions/${ids.transactionId}`);
      },
      redraws: async () => {
        expect(await pages('/redraws', { state: 'open' })).toBe(2);
        expect(await pages('/redraws', { state: 'stale' })).toBe(1);
      },
      'follow-ups': async () => {
        for (const state of FOLLOW_UP_LIST_STATES) await pages('/follow-ups', { state });
        for (const queue of QUEUES) await pages('/follow-ups', { queue });
        expect(await pages('/follow-ups', { owner: 'maria' })).toBe(1);
        expect(await pages('/follow-ups', { state: 'closed' })).toBe(1);
        expect(await pages('/follow-ups', { ehr: 'needs_you' })).toBe(0);
      },
      'follow-up-counts': async () => {
        await get('/follow-ups/counts');
      },
      'follow-up': async () => {
        for (const ids of Object.values(flows)) expect(((await get(`/follow-ups/${ids.transactionId}`)).history as unknown[]).length).toBeGreaterThan(0);
      },
      'follow-up-stamp': async () => {
        for (const ids of Object.values(flows)) expect((await get(`/follow-ups/${ids.transactionId}/stamp`)).stamp).toMatch(/^\d+\.$/);
      },
      // Without Junction's key (this handler has none) the booking's reads end in 409 not_bookable, after the
      // table's: the follow-up and its orders, the reads they make with a key too.
      'booking-sites': async () => {
        for (const ids of Object.values(flows)) await get(`/follow-ups/${ids.transactionId}/booking/sites`, {}, 409);
      },
      'booking-slots': async () => {
        for (const ids of Object.values(flows)) await get(`/follow-ups/${ids.transactionId}/booking/slots`, { site_codes: 'A1' }, 409);
      },
      'cancellation-reasons': async () => {
        await get('/booking/cancellation-reasons', {}, 409);
      },
      report: async () => {
        expect(await get('/reports/redraws')).toMatchObject({ opened: 3 });
        await get('/reports/redraws', { weeks: '4' });
      },
      me: async () => {
        await get('/me');
      },
    };
    for (const read of Object.values(routes)) await read();

    // The reads happened: by key, in a batch, and Queries of the table and of its three indexes.
    expect(new Set(requests.map((request) => `${request.operation} ${request.target}`))).toEqual(
      new Set(['GetItem table', 'BatchGetItem table', 'Query table', 'Query by-transaction', 'Query open-redraws', 'Query worklist']),
    );
    expect(outside(requests, READER_PARTITIONS.query)).toEqual([]);
    // And each partition it is granted is one it reads.
    expect(unused(requests, READER_PARTITIONS.query)).toEqual([]);
  });
});

describe('the partitions the weekly digest reads and writes', () => {
  it('are within its dynamodb:LeadingKeys: its reads within its partitions, its writes its own claims', async () => {
    const { db, requests } = recordingTable(rig.table.db);
    const publisher = createInMemoryDigestPublisher();
    const handler = createDigestHandler({
      reads: tableReads(db, rig.table.tableName),
      claims: tableClaims(db, rig.table.tableName, CLAIM_SCOPES.digest, DIGEST_CLAIM_DAYS),
      publisher,
      logger: silent,
      timeZone: 'Europe/Berlin',
      environment: 'test',
      clock: () => NOW,
    });
    await handler({ source: 'aws.scheduler' });
    expect(publisher.digests).toHaveLength(1);
    expect(publisher.digests[0]?.json).toMatchObject({ report: { opened: 3 }, problems: { stuck: { total: 1 } } });

    const reads = requests.filter((request) => ['GetItem', 'BatchGetItem', 'Query'].includes(request.operation));
    const writes = requests.filter((request) => !reads.includes(request));
    expect(new Set(reads.map((request) => `${request.operation} ${request.target}`))).toEqual(new Set(['Query table', 'Query by-transaction', 'Query open-redraws']));
    expect(outside(reads, READER_PARTITIONS.digest)).toEqual([]);
    expect(unused(reads, READER_PARTITIONS.digest)).toEqual([]);
    // The claim and its mark (lib/weekly-digest.ts partitionWrites).
    expect(writes.map((request) => request.operation).sort()).toEqual(['PutItem', 'UpdateItem']);
    for (const partition of writes.flatMap((request) => request.partitions)) expect(partition.startsWith(`${CLAIM_PARTITION_PREFIX}${CLAIM_SCOPES.digest}#`), partition).toBe(true);
  });
});
