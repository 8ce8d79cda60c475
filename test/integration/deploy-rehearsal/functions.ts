/**
 * The deploy rehearsal (../deploy-rehearsal.test.ts), the stack as cdk.json builds it: each function's bundle
 * started with its template environment, given Lambda-shaped invocations of the redraw story in order (the
 * webhook applies its deliveries, the transaction function their stream records, the query function answers,
 * an action, the sweep, the digest, the backfill), every AWS request within its role's grants.
 */
import { expect, it } from 'vitest';
import { WEBHOOK_SDK_CLIENT } from '../../../functions/shared/sdk-clients';
import { LOCAL_REGION } from '../../../local/dynamodb-local';
import { buildDeliveries, freshId, PHI_CANARY, simpleFlow } from '../../../local/junction/flows';
import { toLambdaRecord } from '../../../local/stream-reader';
import { localEndpoint } from '../../support/dynamodb';
import { startDynamoDbProxy } from '../../support/dynamodb-proxy';
import { queryEvent, resultOf, scheduledEvent } from '../../support/rehearsal/events';
import { ACCOUNT, type RehearsalStage, WEBHOOK_SECRET } from '../../support/rehearsal/stage';
import { signedEvent } from '../../support/webhook';

/** Each function of the stack as cdk.json builds it, in the story's order. */
export function rehearseFunctions(stage: RehearsalStage): void {
  const { deploy, streamRecordsAfter } = stage;
  const { ids, done, deliveries, seenRecords, orderCount } = stage.story;
  it.each([
    ['webhook', ['secretsmanager:GetSecretValue']],
    ['transaction-status', []],
    ['query', []],
    ['follow-up-actions', []],
    ['stale-redraw-sweep', ['secretsmanager:GetSecretValue']],
    ['backfill', []],
    ['weekly-digest', []],
  ])('%s: its init makes no AWS request but the secret reads it needs (%j)', async (service, expected) => {
    const fn = await deploy(service, { WebhookSecret: WEBHOOK_SECRET });
    try {
      expect((await fn.fn.init).kind, fn.fn.logs()).toBe('ready');
      expect(fn.proxy.calls).toEqual(expected);
    } finally {
      await fn.stop();
    }
  });

  it('webhook: reads its signing secret at init and applies signed Junction webhooks, one PutItem each, within its grants', async () => {
    const webhook = await deploy('webhook', { WebhookSecret: WEBHOOK_SECRET });
    try {
      const init = await webhook.fn.init;
      expect(init.kind, webhook.fn.logs()).toBe('ready');
      for (const delivery of deliveries) {
        const answer = resultOf(await webhook.fn.invoke(signedEvent(JSON.stringify(delivery.body), { secret: WEBHOOK_SECRET })), webhook.fn.logs());
        expect(answer).toMatchObject({ statusCode: 200, body: JSON.stringify({ result: 'applied' }) });
      }
      expect(webhook.proxy.denials).toEqual([]);
      expect(webhook.proxy.unexpected).toEqual([]);
      expect(webhook.proxy.calls).toEqual(['secretsmanager:GetSecretValue', ...deliveries.map(() => 'dynamodb:PutItem')]);
      expect(webhook.fn.logs()).not.toContain(PHI_CANARY);
    } finally {
      await webhook.stop();
    }
  });

  it('webhook: answers 503 itself within its timeout when DynamoDB hangs, its SDK bounded as handler.ts wires it (issue 24, item 9)', async () => {
    const hanging = await startDynamoDbProxy(localEndpoint());
    hanging.fault = () => ({ kind: 'silent' });
    const webhook = await deploy('webhook', { WebhookSecret: WEBHOOK_SECRET }, stage.deployment, hanging.endpoint);
    try {
      expect((await webhook.fn.init).kind, webhook.fn.logs()).toBe('ready');
      const timeoutMs = stage.deployment.functions.find((fn) => fn.service === 'webhook')!.timeoutSeconds * 1000;
      const started = performance.now();
      const answer = resultOf(await webhook.fn.invoke(signedEvent(JSON.stringify(deliveries[0]!.body), { secret: WEBHOOK_SECRET }), timeoutMs), webhook.fn.logs());
      const elapsed = performance.now() - started;
      expect(answer).toMatchObject({ statusCode: 503 });
      // The bundle's client makes WEBHOOK_SDK_CLIENT's attempts (the SDK's default for DynamoDB is 4),
      // and the answer comes before the function's timeout: by design at the latest 1 s before it.
      expect(hanging.counts()['PutItem']).toBe(WEBHOOK_SDK_CLIENT.maxAttempts);
      expect(elapsed).toBeLessThan(timeoutMs);
      expect(webhook.fn.logs()).toContain('"error_name":"TimeoutError"');
    } finally {
      await webhook.stop();
      await hanging.close();
    }
  });

  it("transaction-status: takes the table's stream records as Lambda delivers them, reports no failure and publishes their facts to the stack's bus", async () => {
    const fn = await deploy('transaction-status');
    try {
      const records = await streamRecordsAfter(seenRecords);
      expect(records.length).toBeGreaterThanOrEqual(deliveries.length);
      const event = { Records: records.map((record) => toLambdaRecord(record, stage.streamArn, LOCAL_REGION)) };
      expect(resultOf(await fn.fn.invoke(event), fn.fn.logs())).toEqual({ batchItemFailures: [] });
      expect(fn.proxy.denials).toEqual([]);
      expect(fn.proxy.unexpected).toEqual([]);
      // PutEvents went through the proxy, checked against the role's grant on the bus, in calls of at most 10 entries.
      expect(fn.proxy.calls).toContain('events:PutEvents');
      expect(fn.proxy.events.length).toBeGreaterThanOrEqual(orderCount);
      expect(fn.proxy.calls.filter((call) => call === 'events:PutEvents').length).toBeGreaterThanOrEqual(Math.ceil(fn.proxy.events.length / 10));
      const types = new Set(fn.proxy.events.map((entry) => entry.DetailType));
      expect(types).toContain('order.status_changed');
      expect(types).toContain('redraw.available');
      const busName = stage.deployment.functions.find((candidate) => candidate.service === 'transaction-status')?.environment.EVENT_BUS_NAME;
      expect(busName).toMatch(/Events/);
      for (const entry of fn.proxy.events) expect(entry).toMatchObject({ Source: 'redraw-tracker', EventBusName: busName });
      expect(JSON.stringify(fn.proxy.events)).not.toContain(PHI_CANARY);
      // Its own writes' records come next (the follow-up it opened, the transaction items): their report rows
      // (CONTRACT §11) are written within the same grants.
      const own = await streamRecordsAfter(seenRecords);
      expect(own.length).toBeGreaterThan(0);
      expect(resultOf(await fn.fn.invoke({ Records: own.map((record) => toLambdaRecord(record, stage.streamArn, LOCAL_REGION)) }), fn.fn.logs())).toEqual({ batchItemFailures: [] });
      expect(fn.proxy.denials).toEqual([]);
    } finally {
      await fn.stop();
    }
  });

  it('query: answers the HTTP API routes from the table, read-only', async () => {
    const query = await deploy('query');
    try {
      const order = resultOf(await query.fn.invoke(queryEvent('GET /orders/{order_id}', `/orders/${done.orderId}`, { order_id: done.orderId })), query.fn.logs());
      expect(order).toMatchObject({ statusCode: 200 });
      expect(JSON.parse(String((order as { body: string }).body))).toMatchObject({ order: { id: done.orderId, status: 'completed' } });
      const transaction = resultOf(await query.fn.invoke(queryEvent('GET /transactions/{transaction_id}', `/transactions/${ids.transactionId}`, { transaction_id: ids.transactionId })));
      expect(JSON.parse(String((transaction as { body: string }).body))).toMatchObject({ transaction: { id: ids.transactionId, status: 'active' } });
      const open = resultOf(await query.fn.invoke(queryEvent('GET /redraws', '/redraws', undefined, 'state=open')));
      expect(JSON.parse(String((open as { body: string }).body)).items.map((item: { id: string }) => item.id)).toContain(ids.initialId);
      // The follow-up the transaction function opened (CONTRACT §9): in the worklist (by-transaction index), with its history.
      expect(JSON.parse(String((transaction as { body: string }).body))).toMatchObject({ transaction: { follow_up_id: ids.transactionId } });
      const worklist = resultOf(await query.fn.invoke(queryEvent('GET /follow-ups', '/follow-ups', undefined, 'state=new')), query.fn.logs());
      expect(JSON.parse(String((worklist as { body: string }).body)).items.map((item: { id: string }) => item.id)).toContain(ids.transactionId);
      const followUp = resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })));
      expect(JSON.parse(String((followUp as { body: string }).body))).toMatchObject({ follow_up: { id: ids.transactionId, state: 'new' }, history: [{ action: 'open', actor: 'tracker' }] });
      // The report (CONTRACT §11): the rows the transaction function kept (the stuck redraw opened 5 days ago), the open worklist, the stale keys.
      const report = resultOf(await query.fn.invoke(queryEvent('GET /reports/redraws', '/reports/redraws')), query.fn.logs());
      expect(report).toMatchObject({ statusCode: 200 });
      const document = JSON.parse(String((report as { body: string }).body)) as { opened: number; open_now: number; unassigned_now: number };
      expect(document.opened).toBeGreaterThanOrEqual(1);
      expect(document.open_now).toBeGreaterThanOrEqual(1);
      expect(document.unassigned_now).toBeGreaterThanOrEqual(1);
      expect(query.proxy.denials).toEqual([]);
      // BatchGetItem: the orders' appointments (CONTRACT §10) of a transaction and a /redraws page. The Junction key's
      // secret: a follow-up's `booking_options` says whether a key is set (CONTRACT §14; read at most every 5 minutes).
      expect(new Set(query.proxy.calls)).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'secretsmanager:GetSecretValue']));
    } finally {
      await query.stop();
    }
  });

  it('follow-up-actions: applies an action through the IAM-authorized route (the caller\'s userArn is the actor) within its partitions, and refuses a direct invocation\'s payload', async () => {
    const actions = await deploy('follow-up-actions');
    const userArn = `arn:aws:iam::${ACCOUNT}:user/j.doe`;
    const event = queryEvent('POST /follow-ups/{follow_up_id}/actions', `/follow-ups/${ids.transactionId}/actions`, { follow_up_id: ids.transactionId });
    const post = (body: unknown) => ({
      ...event,
      headers: { 'content-type': 'application/json', 'x-redraw-actor': 'not-on-aws' },
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'POST' }, authorizer: { iam: { accessKey: 'AKIA', accountId: ACCOUNT, callerId: 'AIDA', principalOrgId: null, userArn, userId: 'AIDA', cognitoIdentity: null } } },
    });
    const answerOf = async (payload: unknown) => {
      const answer = resultOf(await actions.fn.invoke(payload), actions.fn.logs()) as { statusCode: number; body: string };
      return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
    };
    try {
      // What a chat button sent before issue 32 (a direct invocation with any action): refused, before the table.
      // An acknowledge and a contact only: the sweep's rehearsal below still flags this redraw (a snooze would hold it).
      expect(await answerOf({ follow_up_id: ids.transactionId, action: { action: 'acknowledge' } })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
      expect(await answerOf({ follow_up_id: ids.transactionId, button: 'acknowledge' })).toMatchObject({ status: 400 });
      expect(actions.proxy.calls).toEqual([]);
      expect(await answerOf(post({ action: 'acknowledge', expected_version: 1 }))).toMatchObject({ status: 200, body: { follow_up: { id: ids.transactionId, state: 'acknowledged', version: 2 } } });
      expect(await answerOf(post({ action: 'record_contact', channel: 'phone', outcome: 'no_answer', expected_version: 2 }))).toMatchObject({ status: 200, body: { follow_up: { id: ids.transactionId, contact_attempts: 1, version: 3 } } });
      expect(await answerOf(post({ action: 'acknowledge', expected_version: 1 }))).toMatchObject({ status: 409, body: { error: { code: 'conflict' }, follow_up: { version: 3 } } });
      expect(await answerOf(post({ action: 'close' }))).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringMatching(/^disposition must be one of /) } } });
      // Within its grants: GetItem and the puts of its transactions, each on the partitions it names (dynamodb:LeadingKeys).
      expect(actions.proxy.denials).toEqual([]);
      expect(actions.proxy.unexpected).toEqual([]);
      expect(new Set(actions.proxy.calls)).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:TransactWriteItems']));
      expect(actions.fn.logs()).toContain('follow-up action');
      expect(actions.fn.logs()).not.toContain('no_answer');
    } finally {
      await actions.stop();
    }
    // The actor as recorded: the IAM identity, never the header.
    const query = await deploy('query');
    try {
      const read = resultOf(await query.fn.invoke(queryEvent('GET /follow-ups/{follow_up_id}', `/follow-ups/${ids.transactionId}`, { follow_up_id: ids.transactionId })));
      const history = JSON.parse(String((read as { body: string }).body)).history as { actor: string; action: string }[];
      expect(history.map((entry) => [entry.action, entry.actor])).toEqual([['open', 'tracker'], ['acknowledge', userArn], ['record_contact', userArn]]);
    } finally {
      await query.stop();
    }
  });

  it('stale-redraw-sweep without a Junction key (the placeholder): flags the stale redraw and publishes one notification to the topic', async () => {
    await stage.standin.clearRequests();
    const sweep = await deploy('stale-redraw-sweep');
    try {
      const result = resultOf(await sweep.fn.invoke(scheduledEvent()), sweep.fn.logs());
      expect(result).toMatchObject({ flagged: 1, synced: 0 });
      expect(sweep.proxy.published).toHaveLength(1);
      expect(sweep.proxy.published[0]?.message).toContain(ids.initialId);
      expect(sweep.proxy.denials).toEqual([]);
      expect(sweep.proxy.unexpected).toEqual([]);
      expect(await stage.standin.requests()).toEqual([]);
    } finally {
      await sweep.stop();
    }
  });

  it('stale-redraw-sweep with a key: syncs from the Junction stand-in (BatchGetItem, conditional writes) within its grants', async () => {
    // Junction knows the story above, and an order of the last hours whose webhooks never came (the sync's window is 24 h).
    const lost = buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: freshId() }, 'at_home_phlebotomy', 3, new Date(Date.now() - 5 * 3_600_000)));
    await stage.standin.recordDeliveries([...deliveries, ...lost]);
    await stage.standin.clearRequests();
    const sweep = await deploy('stale-redraw-sweep', { JunctionApiKey: stage.standin.apiKey });
    try {
      const result = resultOf(await sweep.fn.invoke(scheduledEvent()), sweep.fn.logs());
      expect(result).toMatchObject({ synced: 1 });
      expect((await stage.standin.requests()).length).toBeGreaterThan(0);
      expect(sweep.proxy.calls).toContain('dynamodb:BatchGetItem');
      expect(sweep.proxy.calls).toContain('dynamodb:PutItem');
      expect(sweep.proxy.denials).toEqual([]);
      expect(sweep.proxy.unexpected).toEqual([]);
      expect(sweep.fn.logs()).not.toContain(stage.standin.apiKey);
    } finally {
      await sweep.stop();
    }
  });

  it('weekly-digest: an EventBridge Scheduler invocation publishes the digest per protocol, naming the overdue follow-up, with Queries, its week\'s claim and one Publish only; fired again, it sends nothing', async () => {
    const digest = await deploy('weekly-digest');
    try {
      // Scheduler's Lambda target without an input: the function reads nothing from the event.
      const result = resultOf(await digest.fn.invoke({}), digest.fn.logs());
      expect(result).toMatchObject({ outcome: 'sent', subject: expect.stringMatching(/^Weekly redraw review: .+ - RedrawTracker$/) });
      expect(digest.proxy.published).toHaveLength(1);
      const [published] = digest.proxy.published;
      expect(published?.messageStructure).toBe('json');
      const message = JSON.parse(published?.message ?? '{}') as { default: string; email: string; https: string };
      const json = JSON.parse(message.default) as { kind: string; overdue: { id: string }[] };
      expect(json.kind).toBe('weekly_digest');
      // The stuck redraw's follow-up (its transaction's id) is overdue, and named with the order to paste into
      // Junction's dashboard (an id, issue 33); no PHI is in any format.
      expect(json.overdue.map((item) => item.id)).toContain(ids.transactionId);
      expect(message.email).toContain(ids.transactionId);
      expect(message.email).toContain(`order ${ids.initialId}`);
      expect(published?.message).not.toContain(PHI_CANARY);
      // The week's claim: taken (PutItem) and marked (UpdateItem), within its grant on CLAIM#digest#... alone.
      expect(new Set(digest.proxy.calls)).toEqual(new Set(['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'sns:Publish']));
      // The schedule fires again for the same week (CONTRACT §11): nothing is read or sent.
      expect(resultOf(await digest.fn.invoke({}), digest.fn.logs())).toMatchObject({ outcome: 'already_sent' });
      expect(digest.proxy.published).toHaveLength(1);
      expect(digest.proxy.denials).toEqual([]);
      expect(digest.proxy.unexpected).toEqual([]);
    } finally {
      await digest.stop();
    }
  });

  it('backfill: continues itself through lambda:InvokeFunction when time runs short, then applies the window', async () => {
    // More than one page of orders at Junction (100 a page).
    const more = Array.from({ length: 120 }, () => buildDeliveries(simpleFlow({ transactionId: null, orderId: freshId() }, 'testkit', 3, new Date(Date.now() - 2 * 86_400_000)))).flat();
    await stage.standin.recordDeliveries(more);
    const total = orderCount + 1 + 120;
    const backfill = await deploy('backfill', { JunctionApiKey: stage.standin.apiKey });
    try {
      const event = { since: new Date(Date.now() - 7 * 86_400_000).toISOString() };
      // Less than its 90 s margin left after the first page: it saves its place and invokes itself.
      const paused = resultOf(await backfill.fn.invoke(event, 60_000), backfill.fn.logs());
      expect(paused).toMatchObject({ status: 'continuing' });
      expect(backfill.proxy.invoked).toEqual([{ functionName: expect.stringContaining('Backfill'), invocationType: 'Event', payload: JSON.stringify(event) }]);
      const finished = resultOf(await backfill.fn.invoke(JSON.parse(backfill.proxy.invoked[0]?.payload ?? '{}')), backfill.fn.logs());
      expect(finished).toMatchObject({ status: 'done', read: total, failed: 0 });
      expect(backfill.proxy.denials).toEqual([]);
      expect(backfill.proxy.unexpected).toEqual([]);
    } finally {
      await backfill.stop();
    }
  });
}
