/**
 * The weekly digest goes out once per week on AWS (CONTRACT §11), through the
 * real code: the handler with its claims in a DynamoDB Local table (as
 * handler.ts binds them), the real SNS client pointed at the AWS stand-in. The
 * schedule firing twice, two invocations at once, a crash between SNS's
 * acceptance and the claim's mark, a refused publish retried by Lambda (the
 * same request id). Without claims (`POST /local/digest`), every call sends.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalFromDate } from '../../functions/core/instant';
import type { RedrawReport } from '../../functions/core/report';
import { SNS_CLIENT_CONFIG } from '../../functions/notices/config';
import { tableClaims } from '../../functions/store/claims';
import { CLAIM_SCOPES, claimKey } from '../../functions/store/keys';
import { createDigestHandler, DIGEST_CLAIM_DAYS, sendWeeklyDigestOnce, type DigestDeps, type DigestPublisher, type DigestReads } from '../../functions/weekly-digest/app';
import { createSnsDigestPublisher } from '../../functions/weekly-digest/publisher';
import { startAwsStandin, STANDIN_CLIENT_CONFIG, type AwsStandin } from '../support/aws-standin';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { quietReport } from '../support/redraw-report';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:notifications';
const MINUTE = 60_000;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

const REPORT: RedrawReport = quietReport({ from: '', to: '', opened: 1, open_now: 1, unassigned_now: 1, aging_now: { '0_7': 1, '8_14': 0, '15_30': 0, over_30: 0 } });
const reads: DigestReads = { report: async ({ from, to }) => ({ ...REPORT, from: from.toISOString(), to: to.toISOString() }), overdue: async () => [], problems: async () => ({ attention: { total: 0, items: [] }, stuck: { total: 0, items: [] }, unowned: { total: 0, items: [] } }) };

let table: TestTable;
let aws: AwsStandin;
let sns: SNSClient;
beforeAll(async () => {
  [table, aws] = await Promise.all([createTestTable('weekly-digest-once'), startAwsStandin()]);
  sns = new SNSClient({ ...SNS_CLIENT_CONFIG, ...STANDIN_CLIENT_CONFIG, endpoint: aws.endpoint });
});
afterAll(async () => {
  sns?.destroy();
  await Promise.all([table?.drop(), aws?.close()]);
});
beforeEach(() => {
  aws.plan.sns = () => 'serve';
  aws.messages.length = 0;
});

let week = 0;
/** A Monday 08:00 UTC later than every earlier test's, two weeks apart, so each test has weeks of its own. */
function nextMonday(): number {
  week++;
  return Date.UTC(2027, 0, 4 + 14 * week, 8);
}

/** The week a digest sent on `monday` (08:00 UTC) reports: the one before, from its Monday 00:00. */
const lastWeekStart = (monday: number) => canonicalFromDate(new Date(monday - 7 * 24 * 60 * MINUTE - 8 * 60 * MINUTE));

function deps(at: () => number, publisher: DigestPublisher = createSnsDigestPublisher(sns, TOPIC), withClaims = true): DigestDeps {
  return {
    reads,
    publisher,
    logger: silent,
    timeZone: 'UTC',
    environment: 'prod',
    clock: () => new Date(at()),
    claims: withClaims ? tableClaims(table.db, table.tableName, CLAIM_SCOPES.digest, DIGEST_CLAIM_DAYS) : null,
  };
}

describe('the weekly digest, once per week', () => {
  it('is published once when the schedule fires twice for the same week (two invocations, minutes or days apart)', async () => {
    const monday = nextMonday();
    let now = monday;
    const handler = createDigestHandler(deps(() => now));
    expect(await handler({}, { awsRequestId: 'first' })).toMatchObject({ outcome: 'sent' });
    now = monday + 2 * MINUTE;
    expect(await handler({}, { awsRequestId: 'second' })).toMatchObject({ outcome: 'already_sent', week_start: lastWeekStart(monday) });
    now = monday + 3 * 24 * 60 * MINUTE;
    expect(await handler({}, { awsRequestId: 'third' })).toMatchObject({ outcome: 'already_sent' });
    expect(aws.messages).toHaveLength(1);
    // The next week is another digest.
    now = monday + 7 * 24 * 60 * MINUTE;
    expect(await handler({}, { awsRequestId: 'next-week' })).toMatchObject({ outcome: 'sent' });
    expect(aws.messages).toHaveLength(2);
  });

  it('is published once by two invocations at once', async () => {
    const monday = nextMonday();
    const handler = createDigestHandler(deps(() => monday));
    const results = await Promise.all([handler({}, { awsRequestId: 'a' }), handler({}, { awsRequestId: 'b' })]);
    // One sends; the other finds its claim fresh (in progress) or, if it came second, already marked.
    expect(results.filter((result) => result.outcome === 'sent')).toHaveLength(1);
    expect(aws.messages).toHaveLength(1);
  });

  it('after a crash between SNS accepting it and the claim\'s mark: not repeated within 15 minutes, repeated once after, never lost', async () => {
    const monday = nextMonday();
    let now = monday;
    const real = createSnsDigestPublisher(sns, TOPIC);
    let accepted: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (accepted = resolve));
    // SNS accepts it; then the process dies: the publish never returns, nothing after it runs.
    const dying: DigestPublisher = {
      async publish(digest) {
        await real.publish(digest);
        accepted();
        return new Promise<void>(() => undefined);
      },
    };
    void createDigestHandler(deps(() => now, dying))({}, { awsRequestId: 'dead' }).catch(() => undefined);
    await reached;
    expect(aws.messages).toHaveLength(1);
    const handler = createDigestHandler(deps(() => now));
    now = monday + 14 * MINUTE;
    expect(await handler({}, { awsRequestId: 'second-firing' })).toMatchObject({ outcome: 'in_progress' });
    expect(aws.messages).toHaveLength(1);
    now = monday + 15 * MINUTE;
    expect(await handler({}, { awsRequestId: 'late-firing' })).toMatchObject({ outcome: 'sent' });
    expect(aws.messages).toHaveLength(2);
    now = monday + 60 * MINUTE;
    expect(await handler({}, { awsRequestId: 'later' })).toMatchObject({ outcome: 'already_sent' });
    expect(aws.messages).toHaveLength(2);
  });

  it("is sent by Lambda's retry of an invocation SNS refused (the same request id takes its own claim again), once", async () => {
    const monday = nextMonday();
    let now = monday;
    const handler = createDigestHandler(deps(() => now));
    aws.plan.sns = () => ({ status: 500, code: 'InternalError' });
    await expect(handler({}, { awsRequestId: 'req-1' })).rejects.toMatchObject({ step: 'publish' });
    expect(aws.messages).toHaveLength(0);
    // Another firing meanwhile leaves it to the failing one (its claim is fresh).
    now = monday + MINUTE;
    expect(await handler({}, { awsRequestId: 'req-2' })).toMatchObject({ outcome: 'in_progress' });
    // Lambda retries req-1 a minute, then two minutes later.
    aws.plan.sns = () => 'serve';
    now = monday + 2 * MINUTE;
    expect(await handler({}, { awsRequestId: 'req-1' })).toMatchObject({ outcome: 'sent' });
    expect(aws.messages).toHaveLength(1);
    const claim = await table.db.get({ TableName: table.tableName, Key: claimKey(CLAIM_SCOPES.digest, `UTC#${lastWeekStart(monday)}`) });
    expect(claim).toMatchObject({ holder: 'req-1', sent_at: expect.any(String) });
  });

  it('without claims (POST /local/digest), sends every time', async () => {
    const monday = nextMonday();
    const local = deps(() => monday, undefined, false);
    for (const id of ['one', 'two']) expect(await sendWeeklyDigestOnce(local, id)).toMatchObject({ outcome: 'sent' });
    expect(aws.messages).toHaveLength(2);
  });
});
