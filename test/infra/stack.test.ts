import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConsoleConfig } from '../../console/src/lib/sign-in';
import { TABLE } from '../../functions/store/table';
import { CONSOLE_ACTION_PATH, CONSOLE_READ_PATHS, consoleContentSecurityPolicy } from '../../lib/console';
import { STREAM_MAPPING } from '../../lib/redraw-tracker-stack';
import {
  ITERATOR_AGE_THRESHOLD_MS,
  NOTIFICATIONS_PENDING_SWEEPS,
  RECONCILE_FAILURES_THRESHOLD,
  STREAM_STALLED_MINUTES,
  STREAM_STALLED_WINDOW,
  SWEEP_STOPPED_EARLY_SWEEPS,
  SYNC_BEHIND_SWEEPS,
  SYNC_LAG_THRESHOLD_SECONDS,
  WEBHOOK_REJECTED_MIN_DELIVERIES,
  WEBHOOK_REJECTED_RATE_THRESHOLD,
} from '../../lib/monitoring';
import { actionsOf, allStatements, statementsOf } from './policies';
import { buildStack, type BuiltStack } from './stack';

let built: BuiltStack;
beforeAll(() => {
  built = buildStack();
}, 120_000);

const ref = (value: unknown) => built.stack.resolve(value);
const dynamodbActions = (actions: Set<string>) => [...actions].filter((a) => a.startsWith('dynamodb:')).sort();

describe('table', () => {
  it('has the key schema and the three indexes of the shared table design, with their projections (the worklist\'s slim entry only)', () => {
    const keyType = (name: string, type: 'HASH' | 'RANGE') => ({ AttributeName: name, KeyType: type });
    built.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [keyType(TABLE.partitionKey, 'HASH'), keyType(TABLE.sortKey, 'RANGE')],
      GlobalSecondaryIndexes: Match.arrayEquals(
        [TABLE.byTransaction, TABLE.openRedraws, TABLE.worklist].map((index) => ({
          IndexName: index.indexName,
          KeySchema: [keyType(index.partitionKey, 'HASH'), keyType(index.sortKey, 'RANGE')],
          Projection: { ProjectionType: index.projection, ...('nonKeyAttributes' in index ? { NonKeyAttributes: ['wq', 'expires_at'] } : {}) },
        })),
      ),
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('streams new and old images and expires quarantined items by TTL', () => {
    built.template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: TABLE.streamViewType },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    });
  });

  it('is encrypted with its own rotating customer-managed key and has point-in-time recovery', () => {
    built.template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: ref(built.stack.table.encryptionKey?.keyArn) },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const keyId = ref(built.stack.table.encryptionKey?.keyArn);
    expect(keyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
  });

  it('survives stack deletion, and so does its key', () => {
    built.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const keys = built.template.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } });
    expect(Object.values(keys).map((key) => key['DeletionPolicy'])).toEqual(['Retain', 'Retain']);
  });
});

describe('functions', () => {
  const services = ['webhook', 'transaction-status', 'stale-redraw-sweep', 'query'] as const;

  it.each(services)('%s runs on arm64 with the newest Node runtime, its service name and the table name', (service) => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: ref(built.stack.table.tableName),
          POWERTOOLS_SERVICE_NAME: service,
          POWERTOOLS_METRICS_NAMESPACE: 'RedrawTracker',
        }),
      },
    });
  });

  it('gives every function its own log group with the configured retention, encrypted', () => {
    for (const bound of [built.stack.webhook, built.stack.transactionStatus, built.stack.staleRedrawSweep, built.stack.query]) {
      built.template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: Match.absent(),
        LoggingConfig: { LogGroup: ref(bound.logGroup.logGroupName) },
        Role: ref(bound.role.roleArn),
      });
    }
    const groups = Object.values(built.template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const group of groups) {
      expect(group['Properties']).toMatchObject({ RetentionInDays: 30, KmsKeyId: expect.anything() });
    }
  });

  it('passes the sweep its thresholds and topic from the settings', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'stale-redraw-sweep',
          REDRAW_STALE_AFTER_DAYS: '7',
          REDRAW_MISSING_AFTER_HOURS: '24',
          STALE_REDRAW_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^Notifications') },
        }),
      },
    });
  });
});

describe('permissions', () => {
  it('allows dynamodb:Scan nowhere, not even through a wildcard', () => {
    const actions = allStatements(built.template).flatMap(({ statement }) => statement.Action);
    expect(actions.filter((a) => /^dynamodb:(Scan|\*)$/i.test(a) || a === '*')).toEqual([]);
  });

  it('lets the webhook write orders and quarantined events (and keep a flag on a newer copy of the same state) but never read', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.webhook.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actions).toContain('secretsmanager:GetSecretValue');
  });

  it('lets the webhook read only its own secret', () => {
    const secretStatements = statementsOf(built.stack, built.template, built.stack.webhook.role).filter((s) =>
      s.Action.some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements.flatMap((s) => s.Resource)).toEqual([
      { Ref: expect.stringMatching(/^WebhookSecret/) },
    ]);
  });

  it('lets the query function read only: BatchGetItem (appointments, CONTRACT §10; a worklist page\'s follow-ups and orders), GetItem and Query, on the table, the open-redraws index, the by-transaction index and the worklist index (the follow-ups\' worklist)', () => {
    const statements = statementsOf(built.stack, built.template, built.stack.query.role);
    const actions = actionsOf(built.stack, built.template, built.stack.query.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect([...actions].filter((a) => a.startsWith('kms:')).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    const indexResources = statements
      .filter((s) => s.Action.includes('dynamodb:Query'))
      .flatMap((s) => s.Resource)
      .map((r) => JSON.stringify(r));
    expect(indexResources.filter((r) => r.includes('/index/')).map((r) => /\/index\/([a-z-]+)/.exec(r)?.[1]).sort()).toEqual(['by-transaction', 'open-redraws', 'worklist']);
  });

  it('lets the transaction function read and write items by key, read the stream, and query the table (a follow-up\'s history) but no index', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.transactionStatus.role);
    expect(dynamodbActions(actions)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const statements = built.template.toJSON().Resources;
    const queried = JSON.stringify(
      Object.values(statements as Record<string, { Type: string; Properties: { Roles?: unknown; PolicyDocument?: { Statement: { Action: string | string[]; Resource: unknown }[] } } }>)
        .filter((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes('TransactionStatus'))
        .flatMap((resource) => resource.Properties.PolicyDocument?.Statement ?? [])
        .filter((statement) => [statement.Action].flat().includes('dynamodb:Query'))
        .map((statement) => statement.Resource),
    );
    expect(queried).not.toContain('/index/');
  });

  it('lets the follow-up actions function read follow-ups and orders by key and put follow-ups (its TransactWriteItems), held to those partitions: no query, no index, no update', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.followUpActions.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    const table = statementsOf(built.stack, built.template, built.stack.followUpActions.role).filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    // dynamodb:LeadingKeys: the follow-up's own partition, and the orders' for the stale flag its answer shows.
    expect(table.map((s) => [s.Action, s.Condition])).toEqual([
      [['dynamodb:GetItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FOLLOWUP#*', 'ORDER#*'] } }],
      [['dynamodb:PutItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FOLLOWUP#*'] } }],
    ]);
    expect(JSON.stringify(table.flatMap((s) => s.Resource))).not.toContain('/index/');
    for (const forbidden of ['lambda:InvokeFunction', 'sns:Publish', 'events:PutEvents', 'secretsmanager:GetSecretValue']) expect(actions.has(forbidden)).toBe(false);
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10,
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'follow-up-actions', REDRAW_STALE_AFTER_DAYS: '7', REDRAW_MISSING_AFTER_HOURS: '24' }) },
    });
  });

  it('lets the sweep query the open-redraws index, read and apply orders (reconciliation), update flags and publish notifications', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.staleRedrawSweep.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(actions).toContain('sns:Publish');
    // It deletes only the records of missing results it read or gave up (CONTRACT §9 `missing`), and the report's hour marks.
    const statements = statementsOf(built.stack, built.template, built.stack.staleRedrawSweep.role);
    const deletes = statements.filter((s) => s.Action.includes('dynamodb:DeleteItem'));
    expect(deletes.map((s) => [s.Action, s.Condition])).toEqual([[['dynamodb:DeleteItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RESULTS#*', 'REPORT#unit-mark-hour*'] } }]]);
    // Its Queries of the table (not an index) read the report's partitions only (CONTRACT §11: the units are built from rows).
    const tableQueries = statements.filter((s) => s.Action.includes('dynamodb:Query') && !JSON.stringify(s.Resource).includes('/index/'));
    expect(tableQueries.map((s) => [s.Action, s.Condition])).toEqual([[['dynamodb:Query'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPORT#*'] } }]]);
  });

  it('lets only the sweep and the backfill read the Junction API key, and nothing else of Secrets Manager', () => {
    const readers = [built.stack.staleRedrawSweep, built.stack.backfill];
    for (const bound of readers) {
      const secretStatements = statementsOf(built.stack, built.template, bound.role).filter((s) => s.Action.some((a) => a.startsWith('secretsmanager:')));
      expect(secretStatements.flatMap((s) => s.Resource)).toEqual([{ Ref: expect.stringMatching(/^JunctionApiKey/) }]);
    }
    for (const bound of [built.stack.webhook, built.stack.transactionStatus, built.stack.query]) {
      expect(JSON.stringify(statementsOf(built.stack, built.template, bound.role))).not.toContain('JunctionApiKey');
    }
  });

  it('gives the backfill the write path of an API read, a 15-minute timeout, and the right to invoke itself only', () => {
    const actions = actionsOf(built.stack, built.template, built.stack.backfill.role);
    expect(dynamodbActions(actions)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    const invoke = statementsOf(built.stack, built.template, built.stack.backfill.role).filter((s) => s.Action.includes('lambda:InvokeFunction'));
    expect(invoke.flatMap((s) => s.Resource)).toEqual([ref(built.stack.backfill.fn.functionArn)]);
    for (const bound of [built.stack.webhook, built.stack.transactionStatus, built.stack.staleRedrawSweep, built.stack.query]) {
      expect(actionsOf(built.stack, built.template, bound.role).has('lambda:InvokeFunction')).toBe(false);
    }
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'backfill', JUNCTION_API_BASE_URL: 'https://api.us.junction.com' }) },
    });
  });

  it('gives the sweep the Junction settings from cdk.json and the key secret by ARN', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'stale-redraw-sweep',
          JUNCTION_API_BASE_URL: 'https://api.us.junction.com',
          RECONCILE_AFTER_MINUTES: '60',
          SYNC_LOOKBACK_HOURS: '24',
          SYNC_MAX_SECONDS: '120',
          JUNCTION_API_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('^JunctionApiKey') },
        }),
      },
    });
  });
});

describe('stream processing', () => {
  it('maps the table stream to the transaction function, retrying a failing record without an attempt limit until the stream\'s 24 h age, with bisection and partial failures', () => {
    built.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(built.stack.transactionStatus.fn.functionName),
      EventSourceArn: ref(built.stack.table.tableStreamArn),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: STREAM_MAPPING.batchSize,
      // -1: Lambda retries until the record reaches its age limit (no record dropped after N tries).
      MaximumRetryAttempts: -1,
      BisectBatchOnFunctionError: true,
      // The stream keeps records 24 h: the age limit is the stream's own.
      MaximumRecordAgeInSeconds: 24 * 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // The last resort, alarmed (DeadLettersWaiting).
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StreamFailures'), 'Arn'] } } },
    });
  });

  it('raises an alarm within minutes when the stream falls behind (IteratorAge, maximum per minute), long before the 24 h age limit', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: ref(built.stack.transactionStatus.fn.functionName) }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: ITERATOR_AGE_THRESHOLD_MS,
      EvaluationPeriods: STREAM_STALLED_WINDOW,
      DatapointsToAlarm: STREAM_STALLED_MINUTES,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    // Fires within STREAM_STALLED_WINDOW minutes of the age passing the threshold: minutes, not hours.
    expect(ITERATOR_AGE_THRESHOLD_MS + STREAM_STALLED_WINDOW * 60_000).toBeLessThanOrEqual(10 * 60_000);
    expect(ITERATOR_AGE_THRESHOLD_MS).toBeLessThan(STREAM_MAPPING.maxRecordAge.toMilliseconds() / 100);
  });

  it.each([
    ['the transaction function parks stream work', 'StreamWorkParked'],
    ['an ended transaction or order is left with no expiry and no follow-up to hold it (issue 55)', 'EndedWithoutExpiry'],
  ])('raises an alarm as soon as %s', (_what, metricName) => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'transaction-status' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('keeps failed batches in a KMS-encrypted queue that refuses plain HTTP', () => {
    built.template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OpsKey'), 'Arn'] } });
    built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('schedule and notifications', () => {
  it('runs the sweep every hour, without retrying a failed one (the next hour is the retry; a retry would re-ask a rate-limiting Junction)', () => {
    built.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: ref(built.stack.staleRedrawSweep.fn.functionArn), RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    // Nor by Lambda's asynchronous retries (two by default): the schedule's invoke is asynchronous.
    const sweepInvokeConfigs = Object.values(built.template.findResources('AWS::Lambda::EventInvokeConfig')).filter(
      (resource) => JSON.stringify(resource.Properties?.FunctionName) === JSON.stringify(ref(built.stack.staleRedrawSweep.fn.functionName)),
    );
    expect(sweepInvokeConfigs.map((resource) => resource.Properties)).toEqual([expect.objectContaining({ MaximumRetryAttempts: 0, Qualifier: '$LATEST' })]);
  });

  it('publishes to a KMS-encrypted topic that refuses plain HTTP', () => {
    built.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes no e-mail by default, and the configured alarm e-mail to the alarm topic only', () => {
    built.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = buildStack({ settings: { alarmEmail: 'ops@example.org' } });
    withEmail.template.resourceCountIs('AWS::SNS::Subscription', 1);
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic') },
    });
  }, 120_000);

  it('gives the alarms a topic of their own, encrypted with the notification topic\'s key and refusing plain HTTP', () => {
    const topics = built.template.findResources('AWS::SNS::Topic');
    const ids = Object.keys(topics);
    expect(ids).toEqual([expect.stringMatching(/^Notifications/), expect.stringMatching(/^AlarmTopic/)]);
    const [notifications, alarms] = ids.map((id) => topics[id]?.['Properties'] as { KmsMasterKeyId: unknown });
    expect(alarms?.KmsMasterKeyId).toEqual(notifications?.KmsMasterKeyId);
    expect(alarms?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OpsKey/), 'Arn'] });
    for (const id of ids) {
      built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    // CloudWatch can publish to it: the key lets the alarms' service principal encrypt.
    built.template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'redraw-tracker logs, queue, topic and secrets',
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
    built.template.hasOutput('AlarmTopicArn', { Value: { Ref: ids[1] } });
    built.template.hasOutput('NotificationsTopicArn', { Value: { Ref: ids[0] } });
  });

  it('lets functions publish to the notification topic, never to the alarm topic (only alarms are there)', () => {
    const publishers = allStatements(built.template).filter(({ statement }) => statement.Effect === 'Allow' && statement.Action.includes('sns:Publish'));
    const resources = JSON.stringify(publishers.map(({ statement }) => statement.Resource));
    expect(resources).toMatch(/"Ref":"Notifications/);
    expect(resources).not.toMatch(/AlarmTopic/);
  });
});

describe('HTTP API', () => {
  it('leaves the webhook route without AWS authorization: the Svix signature authenticates it', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/junction',
      AuthorizationType: 'NONE',
    });
  });

  it.each(['GET /orders/{order_id}', 'GET /transactions/{transaction_id}', 'GET /redraws', 'GET /follow-ups', 'GET /follow-ups/{follow_up_id}', 'GET /follow-ups/counts', 'GET /reports/redraws', 'GET /me', 'POST /follow-ups/{follow_up_id}/actions'])(
    'requires IAM authorization on %s',
    (routeKey) => {
      built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey, AuthorizationType: 'AWS_IAM' });
    },
  );

  it('sends the follow-up reads to the query function and the actions to the follow-up actions function', () => {
    const resources = built.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const targetOf = (routeKey: string) => {
      const route = Object.values(resources).find((resource) => resource.Type === 'AWS::ApiGatewayV2::Route' && resource.Properties.RouteKey === routeKey)!;
      const integrationId = JSON.stringify(route.Properties.Target).match(/"Ref":"([^"]+)"/)![1]!;
      return JSON.stringify(resources[integrationId]!.Properties.IntegrationUri);
    };
    const fnId = (bound: { fn: { node: { defaultChild?: unknown } } }) => built.stack.getLogicalId(bound.fn.node.defaultChild as never);
    for (const routeKey of ['GET /follow-ups', 'GET /follow-ups/{follow_up_id}', 'GET /follow-ups/counts', 'GET /redraws', 'GET /reports/redraws', 'GET /me']) expect(targetOf(routeKey)).toContain(fnId(built.stack.query));
    expect(targetOf('POST /follow-ups/{follow_up_id}/actions')).toContain(fnId(built.stack.followUpActions));
  });

  it('has no other routes: the IAM routes, the webhook, and the console\'s twins of the IAM routes under /api', () => {
    const routes = Object.values(built.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route['Properties']['RouteKey'],
    );
    expect(routes.sort()).toEqual([
      'GET /api/follow-ups',
      'GET /api/follow-ups/counts',
      'GET /api/follow-ups/{follow_up_id}',
      'GET /api/me',
      'GET /api/orders/{order_id}',
      'GET /api/redraws',
      'GET /api/reports/redraws',
      'GET /api/transactions/{transaction_id}',
      'GET /follow-ups',
      'GET /follow-ups/counts',
      'GET /follow-ups/{follow_up_id}',
      'GET /me',
      'GET /orders/{order_id}',
      'GET /redraws',
      'GET /reports/redraws',
      'GET /transactions/{transaction_id}',
      'POST /api/follow-ups/{follow_up_id}/actions',
      'POST /follow-ups/{follow_up_id}/actions',
      'POST /webhooks/junction',
    ]);
  });

  it('gives the webhook route its own throttling and detailed metrics, apart from the stage default the query routes use', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /webhooks/junction': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DetailedMetricsEnabled: true },
      },
    });
    const tuned = buildStack({ settings: { webhookRateLimit: 200, webhookBurstLimit: 500, apiRateLimit: 10, apiBurstLimit: 20 } });
    tuned.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      RouteSettings: { 'POST /webhooks/junction': { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 500, DetailedMetricsEnabled: true } },
    });
    // The route settings name a route key: CloudFormation must create the route before the stage.
    const [stage] = Object.values(built.template.findResources('AWS::ApiGatewayV2::Stage'));
    const [routeId] = Object.entries(built.template.findResources('AWS::ApiGatewayV2::Route')).find(([, route]) => route['Properties']['RouteKey'] === 'POST /webhooks/junction')!;
    expect(stage!['DependsOn']).toContain(routeId);
  }, 120_000);

  it('throttles the default stage and writes access logs without bodies', () => {
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
    const stage = Object.values(built.template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(JSON.stringify(stage)).not.toMatch(/requestBody|\$input|querystring/i);
  });
});

describe('alarms and dashboard', () => {
  const alarms = () => Object.values(built.template.findResources('AWS::CloudWatch::Alarm')).map((a) => a['Properties']);

  it('sends every alarm to the alarm topic, none to the notification topic (alarms carry no `kind` to filter on)', () => {
    const topicRef = { Ref: expect.stringMatching(/^AlarmTopic/) };
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([topicRef]);
  });

  it('raises an alarm as soon as a dead letter waits', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('raises an alarm on errors of each function', () => {
    const functions = [built.stack.webhook, built.stack.transactionStatus, built.stack.staleRedrawSweep, built.stack.query, built.stack.backfill];
    for (const bound of functions) {
      built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref(bound.fn.functionName) }],
        Threshold: 0,
      });
    }
  });

  it('raises an alarm when webhook 5xx answers exceed the rate threshold, counting handled errors and failed invocations', () => {
    const rate = alarms().find((alarm) => JSON.stringify(alarm.Metrics ?? []).includes('"Webhooks"'));
    const body = JSON.stringify(rate);
    expect(body).toContain('{"Name":"result","Value":"error"}');
    expect(body).toContain('"MetricName":"Errors"');
    expect(body).toContain('"MetricName":"Invocations"');
    expect(rate).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('raises an alarm on a rejected Junction API key (any) and on failed Junction reads (above the threshold)', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: 'JunctionUnauthorized',
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: 'ReconcileFailures',
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Threshold: RECONCILE_FAILURES_THRESHOLD,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('lets only the sweep and the query function (appointments) batch-read, and on the table alone (not an index)', () => {
    for (const reader of [built.stack.staleRedrawSweep, built.stack.query]) {
      const statements = statementsOf(built.stack, built.template, reader.role).filter((s) => s.Action.includes('dynamodb:BatchGetItem'));
      expect(statements.flatMap((s) => s.Resource)).toEqual([ref(built.stack.table.tableArn)]);
    }
    for (const bound of [built.stack.webhook, built.stack.transactionStatus, built.stack.backfill]) {
      expect(actionsOf(built.stack, built.template, bound.role).has('dynamodb:BatchGetItem')).toBe(false);
    }
  });

  it('raises an alarm when the continuous sync stays behind for several hourly sweeps', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: 'SyncLagSeconds',
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: 'Minimum',
      Threshold: SYNC_LAG_THRESHOLD_SECONDS,
      EvaluationPeriods: SYNC_BEHIND_SWEEPS,
      DatapointsToAlarm: SYNC_BEHIND_SWEEPS,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(SYNC_BEHIND_SWEEPS).toBeGreaterThan(1);
  });

  type MetricQuery = { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: unknown };
  /** The one alarm of the Monitoring construct with this id, with its properties. */
  const alarmNamed = (id: string) => {
    const found = Object.entries(built.template.findResources('AWS::CloudWatch::Alarm')).filter(([logicalId]) => logicalId.startsWith(`Monitoring${id}`));
    expect(found).toHaveLength(1);
    return found[0]![1]['Properties'] as Record<string, unknown> & { Metrics?: MetricQuery[] };
  };
  const metricOf = (alarm: { Metrics?: MetricQuery[] }, id: string) => alarm.Metrics?.find((m) => m.Id === id)?.MetricStat;

  it('raises an alarm when more than 20% of at least 5 webhook deliveries in 15 minutes are rejected for signature or timestamp (a rotated secret)', () => {
    const alarm = alarmNamed('WebhookSignaturesRejected');
    expect(alarm).toMatchObject({ Threshold: WEBHOOK_REJECTED_RATE_THRESHOLD, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(WEBHOOK_REJECTED_RATE_THRESHOLD).toBe(20);
    const expression = alarm.Metrics?.find((m) => m.ReturnData !== false)?.Expression;
    expect(expression).toBe(`IF(FILL(deliveries, 0) >= ${WEBHOOK_REJECTED_MIN_DELIVERIES}, 100 * (FILL(signature, 0) + FILL(timestamp, 0)) / deliveries, 0)`);
    const webhooksOf = (result: string) => ({
      Metric: { Namespace: 'RedrawTracker', MetricName: 'Webhooks', Dimensions: [{ Name: 'result', Value: result }, { Name: 'service', Value: 'webhook' }] },
      Period: 900,
      Stat: 'Sum',
    });
    expect(metricOf(alarm, 'signature')).toEqual(webhooksOf('invalid_signature'));
    expect(metricOf(alarm, 'timestamp')).toEqual(webhooksOf('timestamp_out_of_range'));
    expect(metricOf(alarm, 'deliveries')).toEqual({
      Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: ref(built.stack.webhook.fn.functionName) }] },
      Period: 900,
      Stat: 'Sum',
    });
  });

  it('raises an alarm on any quarantined webhook', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: 'Webhooks',
      Dimensions: [{ Name: 'result', Value: 'quarantined' }, { Name: 'service', Value: 'webhook' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('raises an alarm when no order webhook was accepted for noWebhookAlarmHours (24 h by default), counting silence as breaching', () => {
    const alarm = alarmNamed('NoOrderWebhooks');
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 24, DatapointsToAlarm: 24, TreatMissingData: 'breaching' });
    for (const result of ['applied', 'duplicate', 'stale']) {
      expect(metricOf(alarm, result)).toEqual({
        Metric: { Namespace: 'RedrawTracker', MetricName: 'Webhooks', Dimensions: [{ Name: 'result', Value: result }, { Name: 'service', Value: 'webhook' }] },
        Period: 3600,
        Stat: 'Sum',
      });
    }
    expect(alarm.Metrics?.find((m) => m.ReturnData !== false)?.Expression).toBe('FILL(applied, 0) + FILL(duplicate, 0) + FILL(stale, 0)');
  });

  it('sizes the no-webhook alarm from the setting, within CloudWatch\'s 7 days of evaluation, and leaves it out at 0', () => {
    const week = buildStack({ settings: { noWebhookAlarmHours: 168 } });
    week.template.hasResourceProperties('AWS::CloudWatch::Alarm', { EvaluationPeriods: 168, DatapointsToAlarm: 168, TreatMissingData: 'breaching' });
    const off = buildStack({ settings: { noWebhookAlarmHours: 0 } });
    expect(Object.values(off.template.findResources('AWS::CloudWatch::Alarm')).filter((a) => a['Properties']['TreatMissingData'] === 'breaching')).toEqual([]);
    expect(Object.keys(off.template.findResources('AWS::CloudWatch::Alarm')).some((id) => id.startsWith('MonitoringNoOrderWebhooks'))).toBe(false);
  }, 120_000);

  it('raises an alarm when API Gateway throttles the webhook route: the route\'s 4xx (detailed metrics) less the 4xx the function answered, two periods in a row', () => {
    const alarm = alarmNamed('WebhookThrottled');
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'notBreaching' });
    expect(metricOf(alarm, 'route4xx')).toEqual({
      Metric: {
        Namespace: 'AWS/ApiGateway',
        MetricName: '4xx',
        Dimensions: [
          { Name: 'ApiId', Value: ref(built.stack.api.apiId) },
          { Name: 'Method', Value: 'POST' },
          { Name: 'Resource', Value: '/webhooks/junction' },
          { Name: 'Stage', Value: '$default' },
        ],
      },
      Period: 300,
      Stat: 'Sum',
    });
    for (const result of ['invalid_signature', 'timestamp_out_of_range', 'payload_too_large']) {
      expect(metricOf(alarm, result)).toMatchObject({ Metric: { MetricName: 'Webhooks', Dimensions: [{ Name: 'result', Value: result }, { Name: 'service', Value: 'webhook' }] } });
    }
    const unexplained = 'FILL(route4xx, 0) - FILL(invalid_signature, 0) - FILL(timestamp_out_of_range, 0) - FILL(payload_too_large, 0)';
    expect(alarm.Metrics?.find((m) => m.ReturnData !== false)?.Expression).toBe(`IF(${unexplained} > 0, ${unexplained}, 0)`);
  });

  it.each([
    ['StaleNotificationFailures', 'Sum'],
    ['JunctionKeyUnusable', 'Maximum'],
    ['SyncInvalidOrders', 'Sum'],
    ['SyncSkippedOrders', 'Sum'],
    ['MissingResultsReadsGivenUp', 'Sum'],
  ])('raises an alarm on any %s in an hourly sweep', (metricName, statistic) => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: statistic,
      Period: 3600,
      Threshold: 0,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['StaleNotificationsPending', NOTIFICATIONS_PENDING_SWEEPS],
    ['SweepStoppedEarly', SWEEP_STOPPED_EARLY_SWEEPS],
  ])('raises an alarm when %s stays above 0 for several hourly sweeps in a row', (metricName, sweeps) => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'RedrawTracker',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: 'Minimum',
      Period: 3600,
      Threshold: 0,
      EvaluationPeriods: sweeps,
      DatapointsToAlarm: sweeps,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(sweeps).toBeGreaterThanOrEqual(2);
  });

  it('keeps every alarm within CloudWatch\'s evaluation range (period x evaluation periods: 1 day under hourly periods, 7 days otherwise)', () => {
    for (const alarm of alarms()) {
      const queries = (alarm.Metrics ?? []) as Array<{ MetricStat?: { Period?: number } }>;
      const periods = [alarm.Period, ...queries.map((m) => m.MetricStat?.Period)].filter((p): p is number => typeof p === 'number');
      const period = Math.max(...periods);
      expect(period * alarm.EvaluationPeriods).toBeLessThanOrEqual(period < 3600 ? 86_400 : 604_800);
    }
  });

  it('shows webhooks by result, open and stale redraws and stream lag on the dashboard', () => {
    const dashboards = Object.values(built.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]);
    for (const expected of ['Webhooks by result', 'OpenRedraws', 'StaleRedraws', 'IteratorAge', 'invalid_signature', 'Reconciled', 'JunctionUnauthorized', 'BackfillApplied', 'SyncLagSeconds', 'SyncedOrders']) {
      expect(body).toContain(expected);
    }
  });
});

describe('events, retention and chat (CONTRACT §7, §8)', () => {
  it('creates one event bus and names it and its ARN in the outputs', () => {
    built.template.resourceCountIs('AWS::Events::EventBus', 1);
    const [busId] = Object.keys(built.template.findResources('AWS::Events::EventBus'));
    built.template.hasOutput('EventBusName', { Value: { Ref: busId } });
    built.template.hasOutput('EventBusArn', { Value: { 'Fn::GetAtt': [busId, 'Arn'] } });
  });

  it('lets only the transaction function publish, PutEvents on that bus alone, and tells it the bus and the retention', () => {
    const [busId] = Object.keys(built.template.findResources('AWS::Events::EventBus'));
    const publishing = allStatements(built.template).filter(({ statement }) => JSON.stringify(statement.Action ?? '').includes('events:'));
    expect(publishing).toHaveLength(1);
    const statements = statementsOf(built.stack, built.template, built.stack.transactionStatus.role).filter((statement) =>
      JSON.stringify(statement.Action).includes('events:'),
    );
    expect(statements).toEqual([expect.objectContaining({ Action: ['events:PutEvents'], Effect: 'Allow', Resource: [{ 'Fn::GetAtt': [busId, 'Arn'] }] })]);
    for (const role of [built.stack.webhook.role, built.stack.query.role, built.stack.staleRedrawSweep.role, built.stack.backfill.role]) {
      expect([...actionsOf(built.stack, built.template, role)].filter((action) => action.startsWith('events:'))).toEqual([]);
    }
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('publishes the facts'),
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: busId }, RETENTION_DAYS: '365' }) },
    });
  });

  it('raises an alarm when publishing fails in two periods in a row, and shows events on the dashboard', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'EventPublishFailures',
      Namespace: 'RedrawTracker',
      Dimensions: [{ Name: 'service', Value: 'transaction-status' }],
      Threshold: 0,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const body = JSON.stringify(Object.values(built.template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain('EventsPublished');
    expect(body).toContain('EventPublishFailures');
  });

  it('expires items by TTL on expires_at', () => {
    built.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
  });

  it('adds no chat configuration without the slack setting', () => {
    built.template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  it('with the slack setting, maps both topics (alerts and digests, alarms) to the channel with logging on, its guardrail and role allowing the buttons\' one invocation only', () => {
    const withSlack = buildStack({ settings: { slack: { workspaceId: 'T0123456789', channelId: 'C0123456789' } } });
    withSlack.template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123456789',
      SlackChannelId: 'C0123456789',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^Notifications') }, { Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      LoggingLevel: 'ERROR',
      GuardrailPolicies: [{ Ref: Match.stringLikeRegexp('^ChatActionsGuardrail') }],
      UserRoleRequired: false,
    });
    const guardrails = JSON.stringify(withSlack.template.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    expect(guardrails).not.toContain('AdministratorAccess');
    expect(guardrails).not.toContain('ReadOnlyAccess');
    // The channel's own role may invoke the chat button function (the buttons, lib/chat-actions.ts) and nothing else.
    const config = Object.values(withSlack.template.findResources('AWS::Chatbot::SlackChannelConfiguration'))[0] as { Properties: { IamRoleArn: { 'Fn::GetAtt': [string, string] } } };
    const roleId = config.Properties.IamRoleArn['Fn::GetAtt'][0];
    const role = withSlack.template.findResources('AWS::IAM::Role')[roleId] as { Properties: Record<string, unknown> };
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const fnId = withSlack.stack.getLogicalId(withSlack.stack.chatButton!.fn.node.defaultChild as CfnElement);
    const rolePolicies = Object.values(withSlack.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    expect(rolePolicies.map((policy) => policy['Properties']['PolicyDocument']['Statement'])).toEqual([
      [{ Sid: 'InvokeChatButton', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } }],
    ]);
  });
});


describe('the console on AWS (CONTRACT §12)', () => {
  /** A resource of the template, as the assertions library types it (loosely: each property is checked below). */
  type Resource = ReturnType<Template['findResources']>[string];
  const resources = () => built.template.toJSON().Resources as Record<string, Resource>;
  const only = (type: string): [string, Resource] => {
    const found = Object.entries(resources()).filter(([, r]) => r.Type === type);
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };
  const routes = () => Object.values(resources()).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
  const consoleRoutes = () => routes().filter((r) => String(r.Properties['RouteKey']).split(' ')[1]!.startsWith('/api/'));
  const integrationOf = (route: Resource) => resources()[JSON.stringify(route.Properties['Target']).match(/"Ref":"([^"]+)"/)![1]!]!;
  const fnId = (bound: { fn: { node: { defaultChild?: unknown } } }) => built.stack.getLogicalId(bound.fn.node.defaultChild as never);

  it('puts a JWT authorizer on every /api route, the user pool\'s issuer with the console client as audience, and IAM on every other route but the webhook', () => {
    const [authorizerId, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    const [poolId] = only('AWS::Cognito::UserPool');
    const [clientId] = only('AWS::Cognito::UserPoolClient');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: clientId }], Issuer: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: poolId }]] } },
    });
    expect(consoleRoutes()).toHaveLength(CONSOLE_READ_PATHS.length + 1);
    for (const route of consoleRoutes()) {
      expect(route.Properties, route.Properties['RouteKey']).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
    for (const route of routes().filter((r) => !consoleRoutes().includes(r) && r.Properties['RouteKey'] !== 'POST /webhooks/junction')) {
      expect(route.Properties['AuthorizationType'], route.Properties['RouteKey']).toBe('AWS_IAM');
      expect(route.Properties['AuthorizerId']).toBeUndefined();
    }
  });

  it('requires the redraw-tracker/act scope on the console\'s action route, and no scope on its reads', () => {
    const action = consoleRoutes().find((r) => r.Properties['RouteKey'] === `POST /api${CONSOLE_ACTION_PATH}`)!;
    expect(action.Properties['AuthorizationScopes']).toEqual(['redraw-tracker/act']);
    for (const read of consoleRoutes().filter((r) => r !== action)) expect(read.Properties['AuthorizationScopes']).toBeUndefined();
    // The scope exists on the pool's resource server, and the client may ask for it.
    expect(only('AWS::Cognito::UserPoolResourceServer')[1].Properties).toMatchObject({ Identifier: 'redraw-tracker', Scopes: [{ ScopeName: 'act' }] });
  });

  it('sends the console\'s reads to the query function and its actions to the follow-up actions function: the same functions as the IAM routes', () => {
    for (const route of consoleRoutes()) {
      const target = JSON.stringify(integrationOf(route).Properties['IntegrationUri']);
      expect(target, route.Properties['RouteKey']).toContain(route.Properties['RouteKey'].startsWith('POST') ? fnId(built.stack.followUpActions) : fnId(built.stack.query));
    }
  });

  it('has a user pool of invited users only, MFA required by authenticator app only, a strong password policy, deletion protection, on Essentials by default', () => {
    const [, pool] = only('AWS::Cognito::UserPool');
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      DeletionProtection: 'ACTIVE',
      UserPoolTier: 'ESSENTIALS',
    });
    expect(pool.Properties['UserPoolAddOns']).toBeUndefined();
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('with consoleTier plus, is on the Plus tier with threat protection enforced', () => {
    const plus = buildStack({ settings: { consoleTier: 'plus' } });
    plus.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      MfaConfiguration: 'ON',
    });
  }, 120_000);

  it('has a public client for the authorization code grant only (implicit and client credentials off), no secret, no password flows, callback and logout the distribution\'s URL', () => {
    const [, client] = only('AWS::Cognito::UserPoolClient');
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] };
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [url],
      LogoutURLs: [url],
      EnableTokenRevocation: true,
    });
    expect(client.Properties['AllowedOAuthScopes']).toHaveLength(2);
    expect(client.Properties['AllowedOAuthScopes'][0]).toBe('openid');
    expect(JSON.stringify(client.Properties['AllowedOAuthScopes'][1])).toContain('/act');
    // Access tokens live 15 minutes: API Gateway checks them offline, so one stays good after a sign-out until then; the page renews it unseen.
    expect(client.Properties).toMatchObject({
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
    built.template.hasOutput('ConsoleUrl', { Value: url });
  });

  it('keeps the page in a private bucket: public access blocked, TLS only, access logs, readable by this distribution alone', () => {
    const blocked = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
    const buckets = Object.entries(resources()).filter(([, r]) => r.Type === 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    const [siteId, site] = buckets.find(([, r]) => r.Properties['LoggingConfiguration'] !== undefined)!;
    const [logsId, logs] = buckets.find(([id]) => id !== siteId)!;
    expect(site.Properties).toMatchObject({ PublicAccessBlockConfiguration: blocked, LoggingConfiguration: { DestinationBucketName: { Ref: logsId } } });
    expect(logs.Properties).toMatchObject({ PublicAccessBlockConfiguration: blocked, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } });
    const policies = Object.values(resources()).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
    for (const id of [siteId, logsId]) {
      const policy = policies.find((p) => JSON.stringify(p.Properties['Bucket']) === JSON.stringify({ Ref: id }))!;
      expect(policy.Properties['PolicyDocument']['Statement']).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
    // Only CloudFront, for this distribution, may read the page (origin access control).
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const allows = policies.find((p) => JSON.stringify(p.Properties['Bucket']) === JSON.stringify({ Ref: siteId }))!.Properties['PolicyDocument']['Statement'].filter((s: { Effect: string }) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(JSON.stringify(allows[0].Condition)).toContain(`{"Ref":"${distributionId}"}`);
  });

  it('serves the page through origin access control with index.html as root, and /api/* from the HTTP API uncached with every viewer header but Host', () => {
    const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
    const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
    const [, distribution] = only('AWS::CloudFront::Distribution');
    const [oacId, oac] = only('AWS::CloudFront::OriginAccessControl');
    const config = distribution.Properties['DistributionConfig'];
    expect(oac.Properties['OriginAccessControlConfig']).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
    const s3Origin = config.Origins.find((o: Record<string, unknown>) => o['S3OriginConfig'] !== undefined);
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(config.DefaultCacheBehavior).toMatchObject({ TargetOriginId: s3Origin.Id, ViewerProtocolPolicy: 'redirect-to-https' });
    expect(config.CacheBehaviors).toHaveLength(1);
    const [api] = config.CacheBehaviors;
    const apiOrigin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(api).toMatchObject({ PathPattern: '/api/*', CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER, ViewerProtocolPolicy: 'https-only' });
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(apiOrigin).toMatchObject({ CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } });
    expect(apiOrigin.DomainName).toEqual({ 'Fn::Join': ['', [{ Ref: built.stack.getLogicalId(built.stack.api.node.defaultChild as CfnElement) }, '.execute-api.eu-west-1.amazonaws.com']] });
  });

  it('answers every page and API response with a CSP without unsafe-inline whose connect-src is only the page\'s origin and the sign-in domain, HSTS, nosniff, DENY and no-referrer', () => {
    const [policyId, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');
    const [domainId] = only('AWS::Cognito::UserPoolDomain');
    const headers = policy.Properties['ResponseHeadersPolicyConfig']['SecurityHeadersConfig'];
    const csp = headers.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toEqual({ 'Fn::Join': ['', [expect.any(String), { Ref: domainId }, expect.any(String)]] });
    const text = csp['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : '<domain>')).join('');
    expect(text).toBe(consoleContentSecurityPolicy('https://<domain>.auth.eu-west-1.amazoncognito.com'));
    expect(text).not.toContain('unsafe-inline');
    expect(text).not.toContain('unsafe-eval');
    const directives = new Map(text.split('; ').map((d: string) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('connect-src')).toEqual(["'self'", 'https://<domain>.auth.eu-west-1.amazoncognito.com']);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(headers).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    const config = only('AWS::CloudFront::Distribution')[1].Properties['DistributionConfig'];
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    expect(config.CacheBehaviors[0].ResponseHeadersPolicyId).toEqual({ Ref: policyId });
  });

  it('uploads the page with a config.json, deletes it on a teardown, and outputs the console URL, the pool id and the sign-in domain', () => {
    const [, deployment] = only('Custom::CDKBucketDeployment');
    expect(deployment.Properties['RetainOnDelete']).toBe(false);
    expect(deployment.Properties['Prune']).toBe(true);
    expect(deployment.Properties['DistributionPaths']).toEqual(['/*']);
    expect(Object.keys(built.template.toJSON().Outputs)).toEqual(expect.arrayContaining(['ConsoleUrl', 'ConsoleUserPoolId', 'ConsoleSignInDomain']));
    built.template.hasOutput('ConsoleUserPoolId', { Value: { Ref: only('AWS::Cognito::UserPool')[0] } });
  });

  it('writes a config.json the page accepts: the API under /api/, the sign-in domain, the client and the console URL as its redirect', () => {
    const [, deployment] = only('Custom::CDKBucketDeployment');
    const keys = deployment.Properties['SourceObjectKeys'] as string[];
    const markers = deployment.Properties['SourceMarkers'] as Record<string, unknown>[];
    const index = markers.findIndex((marker) => Object.keys(marker).length > 0);
    const file = readFileSync(join(built.app.outdir, `asset.${keys[index]!.replace(/\.zip$/, '')}`, 'config.json'), 'utf8');
    // Deploy-time values, as CloudFormation would resolve them.
    const [domainId] = only('AWS::Cognito::UserPoolDomain');
    const [clientId] = only('AWS::Cognito::UserPoolClient');
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const values = new Map<string, string>([
      [JSON.stringify({ Ref: domainId }), 'redraw-tracker-123456789012'],
      [JSON.stringify({ Ref: clientId }), 'client0id'],
      [JSON.stringify({ 'Fn::GetAtt': [distributionId, 'DomainName'] }), 'd111111abcdef8.cloudfront.net'],
    ]);
    let resolved = file;
    for (const [marker, value] of Object.entries(markers[index]!)) {
      const known = values.get(JSON.stringify(value));
      if (known === undefined) throw new Error(`config.json has an unexpected deploy-time value: ${JSON.stringify(value)}`);
      resolved = resolved.replaceAll(marker, known);
    }
    expect(parseConsoleConfig(JSON.parse(resolved), 'https://d111111abcdef8.cloudfront.net')).toEqual({
      api: '/api/',
      auth: {
        domain: 'https://redraw-tracker-123456789012.auth.eu-west-1.amazoncognito.com',
        clientId: 'client0id',
        scopes: 'openid redraw-tracker/act',
        redirectUri: 'https://d111111abcdef8.cloudfront.net/',
      },
    });
  });

  it('gives the actions function CLOSE_REQUIRES_GROUP only with consoleCloseGroup, and creates that group in the pool', () => {
    const env = (of: BuiltStack) => (of.template.toJSON().Resources[fnId(of.stack.followUpActions)].Properties.Environment.Variables as Record<string, string>);
    expect(env(built)['CLOSE_REQUIRES_GROUP']).toBeUndefined();
    built.template.resourceCountIs('AWS::Cognito::UserPoolGroup', 0);
    const leads = buildStack({ settings: { consoleCloseGroup: 'leads' } });
    expect(env(leads)['CLOSE_REQUIRES_GROUP']).toBe('leads');
    leads.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'leads' });
  }, 120_000);

  it('gives the sweep and the digest CONSOLE_URL, the distribution\'s URL (ConsoleUrl): alerts and digests link to the console', () => {
    const [distributionId] = only('AWS::CloudFront::Distribution');
    const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] };
    const env = (bound: { fn: { node: { defaultChild?: unknown } } }) => resources()[fnId(bound)]!.Properties['Environment']['Variables'] as Record<string, unknown>;
    expect(env(built.stack.staleRedrawSweep)['CONSOLE_URL']).toEqual(url);
    expect(env(built.stack.weeklyDigest!.function)['CONSOLE_URL']).toEqual(url);
    // The very value of the ConsoleUrl output, and no other function gets it.
    built.template.hasOutput('ConsoleUrl', { Value: url });
    const withIt = Object.entries(resources()).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties['Environment']?.['Variables']?.['CONSOLE_URL'] !== undefined);
    expect(withIt.map(([id]) => id).sort()).toEqual([fnId(built.stack.staleRedrawSweep), fnId(built.stack.weeklyDigest!.function)].sort());
  });

  it('gives the query and actions functions the console pool and app client their access tokens must come from, and no other function', () => {
    const [poolId] = only('AWS::Cognito::UserPool');
    const [clientId] = only('AWS::Cognito::UserPoolClient');
    const env = (bound: { fn: { node: { defaultChild?: unknown } } }) => resources()[fnId(bound)]!.Properties['Environment']['Variables'] as Record<string, unknown>;
    for (const bound of [built.stack.query, built.stack.followUpActions]) {
      expect(env(bound)).toMatchObject({ CONSOLE_USER_POOL_ID: { Ref: poolId }, CONSOLE_CLIENT_ID: { Ref: clientId } });
    }
    const withIt = Object.entries(resources()).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties['Environment']?.['Variables']?.['CONSOLE_USER_POOL_ID'] !== undefined);
    expect(withIt.map(([id]) => id).sort()).toEqual([fnId(built.stack.query), fnId(built.stack.followUpActions)].sort());
  });

  it('with console false, deploys none of it: no Cognito, CloudFront or S3 resource, no /api route, no JWT authorizer, no deployment helper', () => {
    const off = buildStack({ settings: { console: false, consoleCloseGroup: 'leads' } });
    const types = Object.values(off.template.toJSON().Resources as Record<string, Resource>).map((r) => r.Type);
    expect(types.filter((type) => /^AWS::(Cognito|CloudFront|S3)::/.test(type) || type === 'Custom::CDKBucketDeployment' || type === 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
    const keys = Object.values(off.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r['Properties']['RouteKey'] as string);
    expect(keys.filter((key) => key.includes('/api/'))).toEqual([]);
    expect(keys).toHaveLength(10);
    expect(Object.keys(off.template.toJSON().Outputs).filter((name) => name.startsWith('Console'))).toEqual([]);
    // Every function is the tracker's own (no CDK helper), and the group setting reaches nothing.
    const fns = Object.values(off.template.findResources('AWS::Lambda::Function'));
    for (const fn of fns) expect(fn['Properties']['Environment']['Variables']['POWERTOOLS_SERVICE_NAME']).toEqual(expect.any(String));
    expect(JSON.stringify(off.template.toJSON())).not.toContain('CLOSE_REQUIRES_GROUP');
    // No console, no links: neither the sweep nor the digest gets CONSOLE_URL.
    expect(off.stack.weeklyDigest).not.toBeNull();
    expect(JSON.stringify(off.template.toJSON())).not.toContain('CONSOLE_URL');
    // No pool to verify a console token against: both functions are told so (and would refuse any console request 401).
    for (const bound of [off.stack.query, off.stack.followUpActions]) {
      const variables = off.template.toJSON().Resources[fnId(bound)].Properties.Environment.Variables as Record<string, unknown>;
      expect(variables).toMatchObject({ CONSOLE_USER_POOL_ID: 'none', CONSOLE_CLIENT_ID: 'none' });
    }
  }, 120_000);
});
