/**
 * CONTRACT §13 on AWS: the FHIR Task writer, only with the `fhir` setting. Off (the default), the template
 * has nothing of it: no resource, no variable, no grant (and it is the template it was before the setting
 * existed). On: the writer's function, its stream mapping, its dead letters, its grants and its poll schedule.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FHIR_PARTITIONS, FHIR_STREAM_FILTER, FHIR_STREAM_MAPPING, FHIR_WRITER_MEMORY_MB, FHIR_WRITER_TIMEOUT } from '../../lib/fhir';
import { FHIR_RETRY_EVENT, FHIR_RETRY_SECONDS, isRetryEvent } from '../../functions/core/fhir/retry';
import { FHIR_DEFAULTS, FHIR_POLL_MIN_SECONDS, parseSettings } from '../../lib/settings';
import type { TableBoundFunction } from '../../lib/table-bound-function';
import { byAction, customStack, fhirVariables, fhirWriter, functionsOf, secretArn, secretGrant, typeCounts, typesAdded, typesById } from './fhir-stack';
import { actionsOf, statementsOf, type Statement } from './policies';
import { type BuiltStack, cdkJsonSettings, FHIR_SETTING, fhirOn, sharedStack } from './stack';

/** Without the setting and with it: built once for the FHIR files (./stack.ts sharedStack). */
const [off, on] = [sharedStack(), sharedStack(fhirOn())];

const writer = (): TableBoundFunction => fhirWriter(on);

describe('FHIR Tasks off (the default: cdk.json `"fhir": null`)', () => {
  it('is off in the committed cdk.json and when the setting is left out', () => {
    expect(cdkJsonSettings().fhir).toBeNull();
    const { fhir: _left, ...withoutFhir } = cdkJsonSettings();
    expect(parseSettings(withoutFhir).fhir).toBeNull();
    expect(off.stack.fhirWriter).toBeNull();
  });

  it('deploys nothing of it: no resource, no FHIR_ variable, no FHIR partition or secret in any grant, no alarm', () => {
    const json = JSON.stringify(off.template.toJSON());
    expect(json).not.toMatch(/fhir/i);
    for (const [service, fn] of functionsOf(off)) expect(Object.keys(fn.Environment.Variables).filter((name) => name.startsWith('FHIR_')), service).toEqual([]);
    // The transaction function's stream mapping and dead-letter queue are the only ones.
    expect(typeCounts(off)['AWS::Lambda::EventSourceMapping']).toBe(1);
    expect(typeCounts(off)['AWS::SQS::Queue']).toBe(1);
  });

  it("adds, when on (without a notify secret), exactly the writer's resources, its poll schedule and its alarms, and changes no other resource's type or logical id", () => {
    expect(typesAdded(off, customStack())).toEqual({
      'AWS::Lambda::Function': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      // The poll's schedule and the retry tick's, their permissions to invoke the writer, and no asynchronous retry of a run.
      'AWS::Events::Rule': 2,
      'AWS::Lambda::Permission': 2,
      'AWS::Lambda::EventInvokeConfig': 1,
      // DeadLetters, WriterErrors, Refused, ChangedInEhr, DeletedInEhr, Unauthorized, BaseUrlNotFound, CatchUpFailed, Behind;
      // EhrChangesHeld, EhrConflicts, PollFailed.
      'AWS::CloudWatch::Alarm': 12,
    });
    for (const { id, before, after } of typesById(off, customStack())) expect(after, id).toBe(before);
  }, 120_000);
});

describe('FHIR Tasks on: the writer (service fhir-writer)', () => {
  it('is a function of its own, 60 s, 256 MB, with the FHIR settings (the EHR actions and the poll too) and its credential secret by ARN (never a value)', () => {
    const fn = functionsOf(on).get('fhir-writer');
    expect(fn).toMatchObject({ Timeout: FHIR_WRITER_TIMEOUT.toSeconds(), MemorySize: FHIR_WRITER_MEMORY_MB, Handler: 'index.handler' });
    expect(fhirVariables(on, 'fhir-writer')).toEqual({
      FHIR_BASE_URL: FHIR_SETTING.baseUrl,
      FHIR_TASK_SYSTEM: FHIR_DEFAULTS.taskSystem,
      FHIR_CODE_SYSTEM: FHIR_DEFAULTS.codeSystem,
      FHIR_ORDER_SYSTEM: FHIR_DEFAULTS.orderSystem,
      FHIR_OWNER_SYSTEM: FHIR_DEFAULTS.ownerSystem,
      FHIR_TOKEN_URL: FHIR_SETTING.tokenUrl,
      FHIR_CLIENT_ID: FHIR_SETTING.clientId,
      FHIR_SCOPE: 'system/Task.rs system/Task.cu system/Practitioner.r system/PractitionerRole.r system/Provenance.rs',
      FHIR_CATCH_UP_PER_SWEEP: String(FHIR_DEFAULTS.catchUpPerSweep),
      FHIR_EHR_ACTIONS: 'on',
      FHIR_EHR_CLOSES: 'group',
      FHIR_POLL_SECONDS: '300',
      FHIR_POLL_MAX: '1000',
      FHIR_PRIVATE_KEY_SECRET_ARN: secretArn(FHIR_SETTING.privateKeySecretName),
      FHIR_KEY_ID: FHIR_SETTING.keyId,
    });
    expect(fn?.Environment.Variables['TABLE_NAME']).toEqual({ Ref: expect.stringMatching(/^Table/) });
  });

  it("reads the table's stream through a mapping of its own: follow-up items only, batches of 10, 2 retries, bisected, partial failures, 24 h, to its own dead-letter queue", () => {
    const fn = on.stack.resolve(writer().fn.functionName);
    const queue = on.stack.resolve(on.stack.fhirWriter?.deadLetters.queueArn);
    on.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: fn,
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Table'), 'StreamArn'] },
      BatchSize: FHIR_STREAM_MAPPING.batchSize,
      MaximumRetryAttempts: FHIR_STREAM_MAPPING.retryAttempts,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 86_400,
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(FHIR_STREAM_FILTER) }] },
      DestinationConfig: { OnFailure: { Destination: queue } },
    });
    // The pattern as CONTRACT §13's design writes it: the sort key `sk` equal to FOLLOWUP.
    expect(JSON.parse(JSON.stringify(FHIR_STREAM_FILTER))).toEqual({ dynamodb: { Keys: { sk: { S: ['FOLLOWUP'] } }, NewImage: { fx: { N: ['1'] } } } });
    // The transaction function's mapping is untouched: no filter, its own queue (the third mapping is the notices' queue, issue 71).
    const mappings = Object.values(on.template.findResources('AWS::Lambda::EventSourceMapping')).filter((mapping) => JSON.stringify(mapping).includes('StreamArn'));
    expect(mappings).toHaveLength(2);
    expect(mappings.filter((mapping) => JSON.stringify(mapping).includes('FilterCriteria'))).toHaveLength(1);
  });

  it('keeps its dead letters in a queue encrypted with the operations key, refusing plain HTTP, for 14 days', () => {
    const queue = on.stack.fhirWriter?.deadLetters;
    on.template.hasResource('AWS::SQS::Queue', {
      Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OpsKey'), 'Arn'] }, MessageRetentionPeriod: 14 * 86_400 },
    });
    expect(on.stack.resolve(queue?.encryptionMasterKey?.keyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OpsKey/), 'Arn'] });
    on.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [on.stack.resolve(queue?.queueUrl)],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  /** A role's statements on the table's items (not its stream), each as its actions and the partitions it is held to. */
  const tableStatements = (role: TableBoundFunction['role']) =>
    statementsOf(on.stack, on.template, role).filter((statement) => statement.Action.some((action) => action.startsWith('dynamodb:') && !['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'].includes(action)));
  const leading = (keys: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } });

  it("reads follow-ups, puts and updates confirmations, updates and deletes pending records, reads and puts the poll's cursor and updates the notices' counts beside it, and applies actions as the follow-up actions do: nothing else of the table", () => {
    const table = tableStatements(writer().role);
    expect(table.map((statement) => [statement.Action, statement.Condition])).toEqual([
      [['dynamodb:GetItem'], leading(['FOLLOWUP#*', 'FHIRTASK#*', 'FHIR#POLL', 'ORDER#*'])],
      // The pending records' page its retry sends, and one moved behind the others after its failed tries (issue 84).
      [['dynamodb:Query'], leading(['FOLLOWUP#*', 'FHIR#PENDING'])],
      [['dynamodb:PutItem'], leading(['FHIRTASK#*', 'FHIR#POLL', 'FHIR#PENDING', 'FOLLOWUP#*'])],
      // The pending record, the confirmation's expiry moved with its follow-up's (fhir-writer/intake.ts setConfirmationExpiry),
      // a notifying source's count of the minute beside the poll's cursor (issue 82, store/fhir-poll.ts takeNotices), and the stamp of
      // a confirmed write on the follow-up item that an open page reads (issue 84, store/follow-ups/ehr-attention.ts stampConfirmed).
      [['dynamodb:UpdateItem'], leading(['FOLLOWUP#*', 'FHIR#PENDING', 'FHIRTASK#*', 'FHIR#POLL'])],
      [['dynamodb:DeleteItem'], leading(['FHIR#PENDING'])],
    ]);
    expect(FHIR_PARTITIONS.pending).toBe('FHIR#PENDING');
    for (const statement of table) expect(statement.Resource).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] }]);
  });

  it("has every table grant of the follow-up actions function but the booking's, action for action and partition for partition, and no index (CONTRACT §13: the follow-up actions' write access and no more)", () => {
    const actions = tableStatements(on.stack.followUpActions.role);
    // What the follow-up actions may do: read follow-ups and orders, put in a follow-up's partition (TransactWriteItems).
    expect(actions.map((statement) => statement.Action).flat()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    const writers = tableStatements(writer().role);
    for (const statement of actions) {
      const [action] = statement.Action;
      const granted = writers.filter((candidate) => candidate.Action.includes(action!));
      expect(granted, action).toHaveLength(1);
      const keys = (condition: Statement['Condition']) => condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      // But the booked appointment's put on its order (CONTRACT §14): the EHR's work never books.
      const expected = (keys(statement.Condition) as string[]).filter((key) => !(action === 'dynamodb:PutItem' && key === 'ORDER#*'));
      expect(keys(granted[0]!.Condition), action).toEqual(expect.arrayContaining(expected));
      expect(granted[0]!.Resource).toEqual(statement.Resource);
    }
    // Its writes of follow-ups are puts and the confirmed write's stamp (never a delete), and no index is queried.
    expect(JSON.stringify(byAction(writers, 'dynamodb:DeleteItem').map((statement) => statement.Condition))).not.toContain('FOLLOWUP#');
    expect(JSON.stringify(statementsOf(on.stack, on.template, writer().role))).not.toContain('/index/');
  });

  it('computes due times as the follow-up actions do (their stale thresholds), and holds the EHR\'s closes to their console group (CONTRACT §13)', () => {
    const fn = functionsOf(on).get('fhir-writer')?.Environment.Variables ?? {};
    const actions = functionsOf(on).get('follow-up-actions')?.Environment.Variables ?? {};
    const thresholds = ['REDRAW_STALE_AFTER_DAYS', 'REDRAW_MISSING_AFTER_HOURS', 'APPOINTMENT_GRACE_HOURS'];
    for (const name of thresholds) {
      expect(fn[name], name).toBeDefined();
      expect(fn[name], name).toEqual(actions[name]);
    }
    const variables = functionsOf(customStack()).get('fhir-writer')?.Environment.Variables;
    expect(variables).toMatchObject({ REDRAW_STALE_AFTER_DAYS: '9', REDRAW_MISSING_AFTER_HOURS: '36', APPOINTMENT_GRACE_HOURS: '12' });
    expect(functionsOf(customStack()).get('follow-up-actions')?.Environment.Variables).toMatchObject({ CLOSE_REQUIRES_GROUP: 'leads' });
    expect(variables).toMatchObject({ CLOSE_REQUIRES_GROUP: 'leads', FHIR_EHR_CLOSES: 'group' });
    expect(fn).not.toHaveProperty('CLOSE_REQUIRES_GROUP');
  }, 120_000);

  it('has exactly the actions its work needs: the items, the stream, its queue, its secret, the table key, its logs', () => {
    expect([...actionsOf(on.stack, on.template, writer().role)].sort()).toEqual(
      [
        'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
        'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams',
        'sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl',
        // The notices' queue (issue 71), as its event source mapping's consumer.
        'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage',
        'secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret',
        'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:ReEncrypt*', 'kms:GenerateDataKey*',
        'logs:CreateLogStream', 'logs:PutLogEvents',
      ].sort(),
    );
    const statements = statementsOf(on.stack, on.template, writer().role);
    // The stream actions on the stream's ARN; ListStreams alone on "*" (IAM has no resource form for it).
    expect(byAction(statements, 'dynamodb:GetRecords').flatMap((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'StreamArn'] }]);
    expect(byAction(statements, 'dynamodb:ListStreams').flatMap((statement) => statement.Resource)).toEqual(['*']);
    // Its secret only (the suffix Secrets Manager adds to a name), its queue only, the keys by ARN.
    expect(byAction(statements, 'secretsmanager:GetSecretValue').flatMap((statement) => statement.Resource)).toEqual([secretGrant(FHIR_SETTING.privateKeySecretName)]);
    expect(byAction(statements, 'sqs:SendMessage').flatMap((statement) => statement.Resource)).toEqual([on.stack.resolve(on.stack.fhirWriter?.deadLetters.queueArn)]);
    for (const statement of statements.filter((s) => s.Action.some((action) => action.startsWith('kms:')))) {
      expect(JSON.stringify(statement.Resource)).toMatch(/^\[\{"Fn::GetAtt":\["(TableKey|OpsKey)[A-F0-9]+","Arn"\]\}\]$/);
    }
  });
});

describe("FHIR Tasks on: the writer's poll schedule (CONTRACT §13: found within FHIR_POLL_SECONDS)", () => {
  const rules = (built: BuiltStack) => Object.entries(built.template.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('FhirPollSchedule'));
  const writerOf = (built: BuiltStack) => {
    if (built.stack.fhirWriter === null) throw new Error('no FHIR writer with the fhir setting');
    return built.stack.fhirWriter.function.fn;
  };

  it("is an EventBridge rule every pollSeconds (300 s: 5 minutes) whose one target is the writer with EventBridge's scheduled event (no input), never retried", () => {
    const [rule, ...more] = rules(on);
    expect(more).toEqual([]);
    const properties = rule?.[1]['Properties'] as { ScheduleExpression: string; State: string; Targets: Record<string, unknown>[]; EventPattern?: unknown };
    expect(properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(properties.State).toBe('ENABLED');
    expect(properties.EventPattern).toBeUndefined();
    expect(properties.Targets).toEqual([{ Id: expect.any(String), Arn: on.stack.resolve(writerOf(on).functionArn), RetryPolicy: { MaximumRetryAttempts: 0 } }]);
    // Only EventBridge, for that rule, may invoke the writer this way.
    on.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: on.stack.resolve(writerOf(on).functionArn),
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [rule?.[0], 'Arn'] },
    });
    // Lambda does not retry a failed run either (its asynchronous retries would overlap the next run).
    on.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: on.stack.resolve(writerOf(on).functionName), MaximumRetryAttempts: 0, Qualifier: '$LATEST' });
  });

  it('follows the pollSeconds setting (60: every minute), and the writer gets the same FHIR_POLL_SECONDS, FHIR_POLL_MAX and FHIR_EHR_ACTIONS', () => {
    expect(rules(customStack()).map(([, rule]) => (rule['Properties'] as { ScheduleExpression: string }).ScheduleExpression)).toEqual(['rate(1 minute)']);
    expect(fhirVariables(customStack(), 'fhir-writer')).toMatchObject({ FHIR_POLL_SECONDS: '60', FHIR_POLL_MAX: '250', FHIR_EHR_ACTIONS: 'off' });
  }, 120_000);

  it("gives a run the writer's whole timeout, and scheduled runs never overlap: the timeout is no longer than the shortest poll period", () => {
    expect(FHIR_WRITER_TIMEOUT.toSeconds()).toBeLessThanOrEqual(FHIR_POLL_MIN_SECONDS);
    expect(() => parseSettings({ ...cdkJsonSettings(), fhir: { ...FHIR_SETTING, pollSeconds: FHIR_POLL_MIN_SECONDS - 1 } })).toThrow(/redrawTracker\.fhir\.pollSeconds/);
  });

  it('has a retry tick of its own every minute (CONTRACT §13: an outage heals within 2 minutes), its constant input the retry event, never retried', () => {
    const retries = Object.entries(on.template.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('FhirRetrySchedule'));
    expect(retries).toHaveLength(1);
    const properties = retries[0]![1]['Properties'] as { ScheduleExpression: string; Targets: Record<string, unknown>[] };
    expect(properties.ScheduleExpression).toBe(`rate(${FHIR_RETRY_SECONDS / 60} minute)`);
    expect(properties.Targets).toEqual([{ Id: expect.any(String), Arn: on.stack.resolve(writerOf(on).functionArn), Input: JSON.stringify(FHIR_RETRY_EVENT), RetryPolicy: { MaximumRetryAttempts: 0 } }]);
    expect(isRetryEvent(JSON.parse(properties.Targets[0]!['Input'] as string))).toBe(true);
  });

  it('exists only with FHIR on: without the setting the hourly sweep is the only rule', () => {
    expect(Object.keys(off.template.findResources('AWS::Events::Rule')).map((id) => id.replace(/[A-F0-9]{8}$/, ''))).toEqual(['HourlySweep']);
  });
});
