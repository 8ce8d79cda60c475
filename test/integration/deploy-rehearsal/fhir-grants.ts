/**
 * The deploy rehearsal (../deploy-rehearsal.test.ts), the stack with `fhir` on (CONTRACT §13): what each
 * FHIR role may do, asked through its proxy with SDK clients (or signed SQS requests) as the function would
 * ask, what it may not, and who may invoke the writer; the notifications route (issue 71) at init.
 */
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect, it } from 'vitest';
import { FHIR_RETRY_EVENT } from '../../../functions/core/fhir/retry';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb-local';
import { freshId } from '../../../local/junction/flows';
import { FHIR_SETTING } from '../../infra/stack';
import { localEndpoint } from '../../support/dynamodb';
import { startAwsProxy } from '../../support/rehearsal/aws-proxy';
import { isAllowed } from '../../support/rehearsal/iam';
import { ACCOUNT, FHIR_PRIVATE_KEY, FHIR_STACK, NOTIFY_SECRET, type RehearsalStage, STACK } from '../../support/rehearsal/stage';

/** The FHIR stack's roles: their grants and their refusals, request by request. */
export function rehearseFhirGrants(stage: RehearsalStage): void {
  const { deploy } = stage;
  const { ids } = stage.story;
  /** SDK clients that call AWS as `service` of the FHIR stack does, through its proxy (its role's grants). */
  const asFunction = async (service: string) => {
    const fn = stage.fhirDeployment.functions.find((candidate) => candidate.service === service);
    if (!fn) throw new Error(`no function ${service} in the FHIR stack`);
    const proxy = await startAwsProxy(stage.fhirDeployment, fn, localEndpoint());
    const config = { region: LOCAL_REGION, endpoint: proxy.endpoint, credentials: { ...LOCAL_CREDENTIALS }, maxAttempts: 1 };
    const dynamodb = new DynamoDBClient(config);
    const secrets = new SecretsManagerClient(config);
    return {
      fn,
      proxy,
      dynamodb,
      secrets,
      /** The error's name, or 'ok'. */
      outcome: (request: Promise<unknown>) => request.then(() => 'ok', (error: unknown) => (error instanceof Error ? error.name : String(error))),
      async stop() {
        dynamodb.destroy();
        secrets.destroy();
        await proxy.close();
      },
    };
  };

  it("the writer's role: reads its credential secret by the template's ARN (not the webhook's), reads follow-ups, puts and updates confirmations, updates and deletes pending records, reads and puts the poll's cursor and updates the notices' counts beside it, and writes a follow-up as the follow-up actions do (puts, an order's read) only", async () => {
    const writer = await asFunction('fhir-writer');
    const id = freshId();
    const item = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });
    try {
      const answer = await writer.secrets.send(new GetSecretValueCommand({ SecretId: writer.fn.environment['FHIR_PRIVATE_KEY_SECRET_ARN'] }));
      expect(answer.SecretString).toBe(FHIR_PRIVATE_KEY);
      const [webhookSecret] = [...stage.fhirDeployment.secrets].find(([, secret]) => secret.logicalId.startsWith('WebhookSecret')) ?? [];
      expect(await writer.outcome(writer.secrets.send(new GetSecretValueCommand({ SecretId: webhookSecret })))).toBe('AccessDeniedException');
      const TableName = stage.fhirDeployment.table.name;
      const ok = [
        new GetItemCommand({ TableName, Key: item(`FOLLOWUP#${id}`, 'FOLLOWUP') }),
        new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `FOLLOWUP#${id}` } } }),
        new PutItemCommand({ TableName, Item: item(`FHIRTASK#${id}`, 'FHIRTASK') }),
        new GetItemCommand({ TableName, Key: item(`FHIRTASK#${id}`, 'FHIRTASK') }),
        new UpdateItemCommand({ TableName, Key: item('FHIR#PENDING', `2026-11-27T09:00:00.000Z#${id}`), UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': { S: 'x' } } }),
        new DeleteItemCommand({ TableName, Key: item('FHIR#PENDING', `2026-11-27T09:00:00.000Z#${id}`) }),
        // The poll's cursor (CONTRACT §13), one item per base URL.
        new PutItemCommand({ TableName, Item: item('FHIR#POLL', `rehearsal-${id}`) }),
        new GetItemCommand({ TableName, Key: item('FHIR#POLL', `rehearsal-${id}`) }),
        // What the follow-up actions may do, to apply the EHR's work: read an order's stale flag.
        new GetItemCommand({ TableName, Key: item(`ORDER#${id}`, 'ORDER') }),
        // The retry's page of pending records (issue 84: an outage heals within 2 minutes).
        new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'FHIR#PENDING' } } }),
      ];
      for (const command of ok) expect(await writer.outcome(writer.dynamodb.send(command as never)), command.constructor.name).toBe('ok');
      // Allowed, and refused here by their condition alone, so that nothing is written: a put in a follow-up's partition
      // (the follow-up actions' TransactWriteItems of conditional puts), and the update that moves a confirmation's
      // expiry with its follow-up's (fhir-writer/intake.ts, conditional on its base URL).
      const allowedByCondition = [
        new PutItemCommand({ TableName, Item: item(`FOLLOWUP#${id}`, 'FOLLOWUP'), ConditionExpression: 'attribute_exists(pk)' }),
        new UpdateItemCommand({ TableName, Key: item(`FHIRTASK#${freshId()}`, 'FHIRTASK'), UpdateExpression: 'REMOVE expires_at', ConditionExpression: 'attribute_exists(pk)' }),
        // A notifying source's count of the minute, beside the poll's cursor (issue 82: store/fhir-poll.ts takeNotices).
        new UpdateItemCommand({ TableName, Key: item('FHIR#POLL', `rehearsal-${id}#notices`), UpdateExpression: 'ADD n :one', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':one': { N: '1' } } }),
        // The stamp of a confirmed write on the follow-up item (issue 84: store/follow-ups/ehr-attention.ts stampConfirmed).
        new UpdateItemCommand({ TableName, Key: item(`FOLLOWUP#${id}`, 'FOLLOWUP'), UpdateExpression: 'SET ec = :at', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': { S: 'x' } } }),
      ];
      for (const command of allowedByCondition) expect(await writer.outcome(writer.dynamodb.send(command as never)), command.constructor.name).toBe('ConditionalCheckFailedException');
      const denied = [
        new GetItemCommand({ TableName, Key: item(`TRANSACTION#${id}`, 'TRANSACTION') }),
        new PutItemCommand({ TableName, Item: item(`ORDER#${id}`, 'ORDER') }),
        new DeleteItemCommand({ TableName, Key: item(`LEASE#sweep`, 'LEASE') }),
        new DeleteItemCommand({ TableName, Key: item(`FOLLOWUP#${id}`, 'FOLLOWUP') }),
        new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'ORDER#x' } } }),
      ];
      for (const command of denied) expect(await writer.outcome(writer.dynamodb.send(command as never)), command.constructor.name).toBe('AccessDeniedException');
      expect(writer.proxy.denials.map((denial) => denial.action)).toEqual([
        'secretsmanager:GetSecretValue',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
      ]);
      expect(writer.proxy.unexpected).toEqual([]);
    } finally {
      await writer.stop();
    }
  });

  it("the writer's poll schedule (CONTRACT §13): one rule every pollSeconds, EventBridge's scheduled event to the writer, which that rule alone may invoke; and its retry tick every minute, a constant input (issue 84)", () => {
    const template = stage.template(FHIR_STACK);
    const writer = stage.fhirDeployment.functions.find((candidate) => candidate.service === 'fhir-writer')!;
    const invoke = (principal: string, sourceArn: string) =>
      isAllowed({ principal, action: 'lambda:InvokeFunction', resource: writer.arn, context: { 'aws:SourceArn': sourceArn } }, { identity: [], resource: stage.fhirDeployment.functionPolicies.get(writer.arn) ?? [] });
    const invokeBy = (sourceArn: string) => invoke('events.amazonaws.com', sourceArn);
    const targetsWriter = ([, resource]: [string, { Type: string; Properties?: Record<string, unknown> }]) =>
      resource.Type === 'AWS::Events::Rule' && JSON.stringify(stage.fhirDeployment.resolve(resource.Properties?.['Targets'])).includes(writer.arn);
    const rules = Object.entries(template.Resources).filter(targetsWriter);
    const [rule, ...more] = rules.filter(([, resource]) => !JSON.stringify(resource.Properties).includes('Input'));
    expect(more).toEqual([]);
    expect(stage.fhirDeployment.resolve(rule?.[1].Properties)).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED', Targets: [{ Arn: writer.arn, RetryPolicy: { MaximumRetryAttempts: 0 } }] });
    // The retry tick: EventBridge's constant input tells it from the poll's scheduled event.
    const [retry, ...others] = rules.filter(([, resource]) => JSON.stringify(resource.Properties).includes('Input'));
    expect(others).toEqual([]);
    expect(stage.fhirDeployment.resolve(retry?.[1].Properties)).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED', Targets: [{ Arn: writer.arn, Input: JSON.stringify(FHIR_RETRY_EVENT) }] });
    expect(invokeBy(`arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${FHIR_STACK}-${retry?.[0] ?? ''}`)).toBe(true);
    // The stack without the setting has no such rule: the hourly sweep's is its only one.
    const plain = stage.template(STACK);
    expect(Object.values(plain.Resources).filter((resource) => resource.Type === 'AWS::Events::Rule')).toHaveLength(1);
    const ruleArn = `arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${FHIR_STACK}-${rule?.[0] ?? ''}`;
    expect(invoke('events.amazonaws.com', ruleArn)).toBe(true);
    expect(invoke('events.amazonaws.com', `arn:aws:events:${LOCAL_REGION}:${ACCOUNT}:rule/${FHIR_STACK}-HourlySweep`)).toBe(false);
    expect(invoke('apigateway.amazonaws.com', ruleArn)).toBe(false);
  });

  it("the sweep's role: Queries the pending partition, deletes pending records and reads the credential secret; the query function's reads the confirmation item", async () => {
    const sweep = await asFunction('stale-redraw-sweep');
    const query = await asFunction('query');
    const TableName = stage.fhirDeployment.table.name;
    try {
      expect(await sweep.outcome(sweep.dynamodb.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'FHIR#PENDING' } }, Limit: 10 })))).toBe('ok');
      expect(await sweep.outcome(sweep.dynamodb.send(new DeleteItemCommand({ TableName, Key: { pk: { S: 'FHIR#PENDING' }, sk: { S: `2026-11-27T09:00:00.000Z#${freshId()}` } } })))).toBe('ok');
      expect((await sweep.secrets.send(new GetSecretValueCommand({ SecretId: sweep.fn.environment['FHIR_PRIVATE_KEY_SECRET_ARN'] }))).SecretString).toBe(FHIR_PRIVATE_KEY);
      expect(sweep.proxy.denials).toEqual([]);
      expect(await query.outcome(query.dynamodb.send(new GetItemCommand({ TableName, Key: { pk: { S: `FHIRTASK#${ids.transactionId}` }, sk: { S: 'FHIRTASK' } } })))).toBe('ok');
      expect(await query.outcome(query.secrets.send(new GetSecretValueCommand({ SecretId: sweep.fn.environment['FHIR_PRIVATE_KEY_SECRET_ARN'] })))).toBe('AccessDeniedException');
      expect(await query.outcome(query.dynamodb.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'FHIR#PENDING' } } })))).toBe('AccessDeniedException');
    } finally {
      await sweep.stop();
      await query.stop();
    }
  });
  /**
   * One SQS request (its JSON protocol, `AmazonSQS.<action>`) signed as the SDK signs it, to a proxy: the error's
   * type ('ok' when answered 200). The notifications route's SQS client is not a dependency of this branch's tests.
   */
  const sqsOutcome = async (endpoint: string, action: 'SendMessage' | 'SendMessageBatch', input: Record<string, unknown>): Promise<string> => {
    const url = new URL(endpoint);
    const signer = new SignatureV4({ credentials: { ...LOCAL_CREDENTIALS }, region: LOCAL_REGION, service: 'sqs', sha256: Sha256 });
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      body,
    });
    const answer = await fetch(endpoint, { method: 'POST', headers: signed.headers, body });
    if (answer.ok) return 'ok';
    return String(((await answer.json()) as { __type?: string }).__type ?? answer.status).split('#').pop() ?? '';
  };
  const noticesQueue = () => [...stage.fhirDeployment.queues].find(([, queue]) => queue.logicalId.startsWith('FhirNotificationsNotices'))!;

  it('fhir-notifications (issue 71): its init makes no AWS request but its notify secret\'s read (as the webhook\'s); the template gives it that secret by ARN and the notices\' queue by URL, and nothing of the FHIR server', async () => {
    const route = await deploy('fhir-notifications', {}, stage.fhirDeployment);
    try {
      expect((await route.fn.init).kind, route.fn.logs()).toBe('ready');
      expect(route.proxy.calls.filter((call) => call !== 'secretsmanager:GetSecretValue')).toEqual([]);
      expect(route.proxy.denials).toEqual([]);
      const [queueUrl] = noticesQueue();
      const { environment } = stage.fhirDeployment.functions.find((candidate) => candidate.service === 'fhir-notifications')!;
      expect(Object.fromEntries(Object.entries(environment).filter(([name]) => name.startsWith('FHIR_')))).toEqual({
        FHIR_NOTIFY_SECRET_ARN: `arn:aws:secretsmanager:${LOCAL_REGION}:${ACCOUNT}:secret:${FHIR_SETTING.notifySecretName}`,
        FHIR_NOTIFY_QUEUE_URL: queueUrl,
      });
      expect(environment).not.toHaveProperty('TABLE_NAME');
    } finally {
      await route.stop();
    }
  });

  it("the notifications route's role: reads the notify secret and sends notices to the writer's queue (one, or ten a call), and nothing else: not its dead letters, not the table, not the FHIR credential", async () => {
    const route = await asFunction('fhir-notifications');
    const [queueUrl] = noticesQueue();
    const [deadLettersUrl] = [...stage.fhirDeployment.queues].find(([, queue]) => queue.logicalId.startsWith('FhirNotificationsNoticeDeadLetters'))!;
    const [writerDeadLettersUrl] = [...stage.fhirDeployment.queues].find(([, queue]) => queue.logicalId.startsWith('FhirDeadLetters'))!;
    try {
      expect((await route.secrets.send(new GetSecretValueCommand({ SecretId: route.fn.environment['FHIR_NOTIFY_SECRET_ARN'] }))).SecretString).toBe(NOTIFY_SECRET);
      const notice = JSON.stringify({ kind: 'task', task_id: 'rehearsal-1', deleted: false });
      expect(await sqsOutcome(route.proxy.endpoint, 'SendMessage', { QueueUrl: queueUrl, MessageBody: notice })).toBe('ok');
      const entries = Array.from({ length: 10 }, (_, index) => ({ Id: String(index), MessageBody: JSON.stringify({ kind: 'task', task_id: `rehearsal-${index}`, deleted: index === 9 }) }));
      expect(await sqsOutcome(route.proxy.endpoint, 'SendMessageBatch', { QueueUrl: queueUrl, Entries: entries })).toBe('ok');
      expect(route.proxy.sent.map((sent) => sent.queueUrl)).toEqual(Array.from({ length: 11 }, () => queueUrl));
      expect(route.proxy.denials).toEqual([]);
      // Nothing else: the dead-letter queues, the table, the writer's credential.
      expect(await sqsOutcome(route.proxy.endpoint, 'SendMessage', { QueueUrl: deadLettersUrl, MessageBody: notice })).toBe('AccessDeniedException');
      expect(await sqsOutcome(route.proxy.endpoint, 'SendMessage', { QueueUrl: writerDeadLettersUrl, MessageBody: notice })).toBe('AccessDeniedException');
      expect(await route.outcome(route.dynamodb.send(new GetItemCommand({ TableName: stage.fhirDeployment.table.name, Key: { pk: { S: `FHIRTASK#${ids.transactionId}` }, sk: { S: 'FHIRTASK' } } })))).toBe('AccessDeniedException');
      expect(await route.outcome(route.secrets.send(new GetSecretValueCommand({ SecretId: `arn:aws:secretsmanager:${LOCAL_REGION}:${ACCOUNT}:secret:${FHIR_SETTING.privateKeySecretName}` })))).toBe('AccessDeniedException');
      expect(route.proxy.sent).toHaveLength(11);
      // And no other function may send notices or read the notify secret.
      const writer = await asFunction('fhir-writer');
      try {
        expect(await sqsOutcome(writer.proxy.endpoint, 'SendMessage', { QueueUrl: queueUrl, MessageBody: notice })).toBe('AccessDeniedException');
        expect(await writer.outcome(writer.secrets.send(new GetSecretValueCommand({ SecretId: route.fn.environment['FHIR_NOTIFY_SECRET_ARN'] })))).toBe('AccessDeniedException');
      } finally {
        await writer.stop();
      }
    } finally {
      await route.stop();
    }
  });
}
