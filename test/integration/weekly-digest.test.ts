/**
 * The weekly digest through its real reads (store/reports.ts) on DynamoDB
 * Local's real stream, and SNS's real client against the AWS stand-in (issue 27
 * item 3): Junction's webhooks open a redraw's follow-up last week, the digest
 * of Monday counts it and names it as overdue; with DynamoDB failing (through the
 * wire proxy), the invocation fails before anything is published.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_KIND, type WeeklyDigest } from '../../functions/core/digest';
import { SNS_CLIENT_CONFIG } from '../../functions/notices/config';
import { createDigestHandler, DigestError } from '../../functions/weekly-digest/app';
import { createSnsDigestPublisher } from '../../functions/weekly-digest/publisher';
import { tableReads } from '../../functions/weekly-digest/reads';
import { localTable } from '../../local/dynamodb-local';
import { startAwsStandin, STANDIN_CLIENT_CONFIG, type AwsStandin } from '../support/aws-standin';
import { localEndpoint } from '../support/dynamodb';
import { startDynamoDbProxy, type DynamoDbProxy } from '../support/dynamodb-proxy';
import { buildDeliveries, freshId, redrawFlow } from '../support/junction';
import { recordingLogger } from '../support/recording-logs';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:notifications';

let rig: TransactionRig;
let aws: AwsStandin;
let sns: SNSClient;
let proxy: DynamoDbProxy;
beforeAll(async () => {
  [rig, aws, proxy] = await Promise.all([startTransactionRig('weekly-digest', { retentionDays: 365 }), startAwsStandin(), startDynamoDbProxy(localEndpoint())]);
  sns = new SNSClient({ ...SNS_CLIENT_CONFIG, ...STANDIN_CLIENT_CONFIG, endpoint: aws.endpoint });
});
afterAll(async () => {
  sns?.destroy();
  await Promise.all([rig?.close(), aws?.close(), proxy?.close()]);
});

describe('the weekly digest on DynamoDB Local', () => {
  it('counts last week\'s redraw from what the tracker kept, and names its follow-up among the overdue', async () => {
    // Tuesday 2026-04-07 in Berlin: the lab offers a redraw, and no redraw order follows.
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    for (const delivery of buildDeliveries(redrawFlow(ids, 'not_created', new Date('2026-04-07T08:00:00Z')))) await rig.webhook(delivery);
    await rig.settle();

    const handler = createDigestHandler({
      reads: tableReads(rig.table.db, rig.table.tableName),
      publisher: createSnsDigestPublisher(sns, TOPIC),
      logger: recordingLogger().logger,
      timeZone: 'Europe/Berlin',
      environment: 'prod',
      // Monday 2026-04-13 08:00 in Berlin (CEST).
      clock: () => new Date('2026-04-13T06:00:00Z'),
    });
    const result = await handler({ source: 'aws.scheduler' });

    expect(result.week_start).toBe('2026-04-05T22:00:00.000000Z');
    expect(aws.messages).toHaveLength(1);
    const digest = JSON.parse(aws.messages[0]?.message ?? '{}') as WeeklyDigest;
    expect(digest.kind).toBe(DIGEST_KIND);
    expect(digest.report.opened).toBe(1);
    expect(digest.report.open_now).toBe(1);
    expect(digest.report.unassigned_now).toBe(1);
    expect(digest.overdue.map((item) => ({ id: item.id, owner: item.owner, state: item.state }))).toEqual([{ id: ids.transactionId, owner: null, state: 'new' }]);
    expect(aws.messages[0]?.protocols?.email).toContain(`${ids.transactionId} (no owner, due to be flagged `);
    // Named as a problem, with the order to paste into Junction's dashboard (an id: no order's details ride along).
    expect(aws.messages[0]?.protocols?.email).toContain(`Without an owner (1):\n  ${ids.transactionId}: new, opened `);
    expect(digest.problems.unowned).toMatchObject({ total: 1, items: [{ id: ids.transactionId, owner: null }] });
    expect(digest.week_before).toMatchObject({ week_start: '2026-03-29T22:00:00.000000Z' });
  });

  it('fails the invocation, publishing nothing, when DynamoDB keeps failing its reads', async () => {
    proxy.fault = (operation) => (operation === 'Query' ? { kind: 'answer', status: 500, errorType: 'InternalServerError' } : null);
    const before = aws.calls.sns;
    const { logger, lines } = recordingLogger();
    const handler = createDigestHandler({
      reads: tableReads(localTable(proxy.endpoint), rig.table.tableName),
      publisher: createSnsDigestPublisher(sns, TOPIC),
      logger,
      timeZone: 'UTC',
      environment: 'prod',
    });
    const failure = await handler().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DigestError);
    expect((failure as DigestError).step).toBe('read');
    expect(aws.calls.sns).toBe(before);
    // The SDK retried before giving up (its own retries: none of ours).
    expect(proxy.counts().Query).toBeGreaterThan(1);
    expect(lines.filter((line) => line.level === 'error')).toEqual([
      { level: 'error', message: 'weekly digest not sent: reading the report failed', fields: { step: 'read', error: 'InternalServerError' } },
    ]);
    proxy.reset();
  });
});
