/**
 * The stack's table (the shared table design, its stream, TTL, key and retention), its functions'
 * runtime and settings, and the stream's mapping to the transaction function with its alarms.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/store/table';
import { STREAM_MAPPING } from '../../lib/redraw-tracker-stack';
import { ITERATOR_AGE_THRESHOLD_MS, STREAM_STALLED_MINUTES, STREAM_STALLED_WINDOW } from '../../lib/monitoring';
import { sharedStack, type BuiltStack } from './stack';

let built: BuiltStack;
beforeAll(() => {
  built = sharedStack();
}, 120_000);

const ref = (value: unknown) => built.stack.resolve(value);

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
