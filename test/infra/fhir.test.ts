/**
 * CONTRACT §13 on AWS: the FHIR Task writer and what the sweep and the query function get for it,
 * only with the `fhir` setting. Off (the default), the template has nothing of it: no resource, no
 * variable, no grant (and it is the template it was before the setting existed).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { FHIR_METRICS } from '../../functions/shared/metric-names';
import { DEFAULT_FHIR_CATCH_UP_PER_SWEEP, DEFAULT_FHIR_POLL_MAX, DEFAULT_FHIR_POLL_SECONDS, DEFAULT_FHIR_SCOPE } from '../../functions/fhir/settings';
import { FHIR_PARTITIONS, FHIR_STREAM_FILTER, FHIR_STREAM_MAPPING, FHIR_WRITER_MEMORY_MB, FHIR_WRITER_TIMEOUT } from '../../lib/fhir';
import { FHIR_BEHIND_SWEEPS, FHIR_NOTIFY_REFUSED_HOURS, FHIR_POLL_FAILED_RUNS } from '../../lib/fhir-alarms';
import { FHIR_NOTICE_MAPPING, FHIR_NOTICE_MAX_RECEIVES, FHIR_NOTICE_VISIBILITY, FHIR_NOTIFICATION_ROUTES, FHIR_NOTIFICATIONS_MEMORY_MB } from '../../lib/fhir-notifications';
import { FHIR_DEFAULTS, FHIR_POLL_MIN_SECONDS, parseSettings } from '../../lib/settings';
import type { TableBoundFunction } from '../../lib/table-bound-function';
import { actionsOf, statementsOf, type Statement } from './policies';
import { buildStack, type BuiltStack, cdkJsonSettings, FHIR_SETTING, FHIR_SETTING_WITHOUT_NOTIFY, fhirOn } from './stack';

let off: BuiltStack;
let on: BuiltStack;
beforeAll(() => {
  off = buildStack();
  on = buildStack({ settings: fhirOn() });
}, 120_000);

/**
 * FHIR on with every setting of issue 70 away from its default, the thresholds and a close group set, and no notify
 * secret (no notifications route, issue 71): built once, when first asked for.
 */
let custom: BuiltStack | undefined;
const customStack = (): BuiltStack =>
  (custom ??= buildStack({
    settings: { ...fhirOn({ ...FHIR_SETTING_WITHOUT_NOTIFY, pollSeconds: 60, pollMax: 250, ehrActions: 'off' }), redrawStaleAfterDays: 9, redrawMissingAfterHours: 36, appointmentGraceHours: 12, consoleCloseGroup: 'leads' },
  }));

const TemplateJson = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() })),
});
const FunctionProperties = z.object({
  Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }),
  Timeout: z.number().optional(),
  MemorySize: z.number().optional(),
  Handler: z.string(),
});

/** Each function of a template by its service (POWERTOOLS_SERVICE_NAME; the deployment helper has none). */
function functionsOf(built: BuiltStack): Map<string, z.output<typeof FunctionProperties>> {
  const result = new Map<string, z.output<typeof FunctionProperties>>();
  for (const [id, resource] of Object.entries(TemplateJson.parse(built.template.toJSON()).Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || id.startsWith('CustomCDKBucketDeployment')) continue;
    const fn = FunctionProperties.parse(resource.Properties);
    result.set(String(fn.Environment.Variables['POWERTOOLS_SERVICE_NAME']), fn);
  }
  return result;
}

/** The FHIR_ variables of one function, by service. */
const fhirVariables = (built: BuiltStack, service: string) =>
  Object.fromEntries(Object.entries(functionsOf(built).get(service)?.Environment.Variables ?? {}).filter(([name]) => name.startsWith('FHIR_')));

/** How many resources of each type a template has (not the console's close group, which customStack() adds). */
function typeCounts(built: BuiltStack): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(TemplateJson.parse(built.template.toJSON()).Resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  delete counts['AWS::Cognito::UserPoolGroup'];
  return counts;
}

const byAction = (statements: Statement[], action: string) => statements.filter((statement) => statement.Action.includes(action));
const writer = (): TableBoundFunction => {
  if (on.stack.fhirWriter === null) throw new Error('no FHIR writer with the fhir setting');
  return on.stack.fhirWriter.function;
};
const secretArn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:123456789012:secret:${name}`]] });
const secretGrant = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:123456789012:secret:${name}-??????`]] });

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
    const before = typeCounts(off);
    const after = typeCounts(customStack());
    const added = Object.fromEntries(Object.keys({ ...before, ...after }).map((type) => [type, (after[type] ?? 0) - (before[type] ?? 0)]).filter(([, count]) => count !== 0));
    expect(added).toEqual({
      'AWS::Lambda::Function': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      // The poll's schedule, its permission to invoke the writer, and no asynchronous retry of a poll run.
      'AWS::Events::Rule': 1,
      'AWS::Lambda::Permission': 1,
      'AWS::Lambda::EventInvokeConfig': 1,
      // DeadLetters, WriterErrors, Refused, ChangedInEhr, DeletedInEhr, Unauthorized, BaseUrlNotFound, CatchUpFailed, Behind;
      // EhrChangesHeld, EhrConflicts, PollFailed.
      'AWS::CloudWatch::Alarm': 12,
    });
    const offIds = Object.keys(TemplateJson.parse(off.template.toJSON()).Resources);
    const onResources = TemplateJson.parse(customStack().template.toJSON()).Resources;
    const offResources = TemplateJson.parse(off.template.toJSON()).Resources;
    for (const id of offIds) expect(onResources[id]?.Type, id).toBe(offResources[id]?.Type);
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

  it("reads follow-ups, puts and updates confirmations, updates and deletes pending records, reads and puts the poll's cursor, and applies actions as the follow-up actions do: nothing else of the table", () => {
    const table = tableStatements(writer().role);
    expect(table.map((statement) => [statement.Action, statement.Condition])).toEqual([
      [['dynamodb:GetItem'], leading(['FOLLOWUP#*', 'FHIRTASK#*', 'FHIR#POLL', 'ORDER#*'])],
      [['dynamodb:Query'], leading(['FOLLOWUP#*'])],
      [['dynamodb:PutItem'], leading(['FHIRTASK#*', 'FHIR#POLL', 'FOLLOWUP#*'])],
      // The pending record, and the confirmation's expiry moved with its follow-up's (fhir/changes.ts setConfirmationExpiry).
      [['dynamodb:UpdateItem'], leading(['FHIR#PENDING', 'FHIRTASK#*'])],
      [['dynamodb:DeleteItem'], leading(['FHIR#PENDING'])],
    ]);
    expect(FHIR_PARTITIONS.pending).toBe('FHIR#PENDING');
    for (const statement of table) expect(statement.Resource).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] }]);
  });

  it("has every table grant of the follow-up actions function, action for action and partition for partition, and no index (CONTRACT §13: the follow-up actions' write access and no more)", () => {
    const actions = tableStatements(on.stack.followUpActions.role);
    // What the follow-up actions may do: read follow-ups and orders, put in a follow-up's partition (TransactWriteItems).
    expect(actions.map((statement) => statement.Action).flat()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    const writers = tableStatements(writer().role);
    for (const statement of actions) {
      const [action] = statement.Action;
      const granted = writers.filter((candidate) => candidate.Action.includes(action!));
      expect(granted, action).toHaveLength(1);
      const keys = (condition: Statement['Condition']) => condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      expect(keys(granted[0]!.Condition), action).toEqual(expect.arrayContaining(keys(statement.Condition) as string[]));
      expect(granted[0]!.Resource).toEqual(statement.Resource);
    }
    // Its writes of follow-ups are puts only (no update, no delete), and no index is queried.
    expect(JSON.stringify(byAction(writers, 'dynamodb:UpdateItem').map((statement) => statement.Condition))).not.toContain('FOLLOWUP#');
    expect(JSON.stringify(byAction(writers, 'dynamodb:DeleteItem').map((statement) => statement.Condition))).not.toContain('FOLLOWUP#');
    expect(JSON.stringify(statementsOf(on.stack, on.template, writer().role))).not.toContain('/index/');
  });

  it('computes due times as the follow-up actions do: their stale thresholds, and not their console group', () => {
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
    expect(variables).not.toHaveProperty('CLOSE_REQUIRES_GROUP');
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

  it('exists only with FHIR on: without the setting the hourly sweep is the only rule', () => {
    expect(Object.keys(off.template.findResources('AWS::Events::Rule')).map((id) => id.replace(/[A-F0-9]{8}$/, ''))).toEqual(['HourlySweep']);
  });
});

describe('FHIR Tasks on: the sweep (catch-up) and the query function (`fhir` in GET /follow-ups/{id})', () => {
  it("gives the sweep the writer's FHIR settings and its secret, Query of the pending partition and deletes of the FHIR items", () => {
    expect(fhirVariables(on, 'stale-redraw-sweep')).toEqual(fhirVariables(on, 'fhir-writer'));
    const statements = statementsOf(on.stack, on.template, on.stack.staleRedrawSweep.role);
    const tableQueries = byAction(statements, 'dynamodb:Query').filter((statement) => !JSON.stringify(statement.Resource).includes('/index/'));
    expect(tableQueries.map((statement) => statement.Condition)).toEqual([{ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REPORT#*', 'FHIR#PENDING*', 'FOLLOWUP#*'] } }]);
    expect(byAction(statements, 'dynamodb:DeleteItem').map((statement) => [statement.Action, statement.Condition])).toEqual([
      [['dynamodb:DeleteItem'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RESULTS#*', 'REPORT#unit-mark-hour*', 'FHIR#PENDING*'] } }],
    ]);
    expect(byAction(statements, 'secretsmanager:GetSecretValue').flatMap((statement) => statement.Resource)).toEqual([{ Ref: expect.stringMatching(/^JunctionApiKey/) }, secretGrant(FHIR_SETTING.privateKeySecretName)]);
    // Nothing else changes for it: the same actions as without the setting.
    expect([...actionsOf(on.stack, on.template, on.stack.staleRedrawSweep.role)].sort()).toEqual([...actionsOf(off.stack, off.template, off.stack.staleRedrawSweep.role)].sort());
  });

  it('gives the query function the base URL and the four systems (no token setting, no credential), and reads of the confirmation items', () => {
    expect(fhirVariables(on, 'query')).toEqual({
      FHIR_BASE_URL: FHIR_SETTING.baseUrl,
      FHIR_TASK_SYSTEM: FHIR_DEFAULTS.taskSystem,
      FHIR_CODE_SYSTEM: FHIR_DEFAULTS.codeSystem,
      FHIR_ORDER_SYSTEM: FHIR_DEFAULTS.orderSystem,
      FHIR_OWNER_SYSTEM: FHIR_DEFAULTS.ownerSystem,
    });
    // Its reads also reach the confirmation items (FHIRTASK#<id>), and nothing else changes.
    const getItem = byAction(statementsOf(on.stack, on.template, on.stack.query.role), 'dynamodb:GetItem');
    expect(JSON.stringify(getItem.map((statement) => statement.Condition))).toContain('"FHIRTASK#*"');
    expect(JSON.stringify(statementsOf(off.stack, off.template, off.stack.query.role))).not.toContain('FHIRTASK#');
    expect(JSON.stringify(statementsOf(on.stack, on.template, on.stack.query.role)).replaceAll(',"FHIRTASK#*"', '')).toEqual(JSON.stringify(statementsOf(off.stack, off.template, off.stack.query.role)));
  });

  it('gives the writer and the query function CONSOLE_URL (the Task links to its follow-up, and the digest covers it), as the sweep has it; neither without FHIR', () => {
    const consoleUrl = (built: BuiltStack, service: string) => functionsOf(built).get(service)?.Environment.Variables['CONSOLE_URL'];
    const sweeps = consoleUrl(on, 'stale-redraw-sweep');
    expect(sweeps).toBeDefined();
    expect(consoleUrl(on, 'fhir-writer')).toEqual(sweeps);
    expect(consoleUrl(on, 'query')).toEqual(sweeps);
    expect(consoleUrl(off, 'query')).toBeUndefined();
  });

  it('gives no other function a FHIR_ variable or the FHIR secret', () => {
    for (const service of functionsOf(on).keys()) {
      if (['fhir-writer', 'stale-redraw-sweep', 'query'].includes(service)) continue;
      // The notifications route: its secret and its queue, nothing of the FHIR server (issue 71).
      if (service === 'fhir-notifications') expect(Object.keys(fhirVariables(on, service)).sort(), service).toEqual(['FHIR_NOTIFY_QUEUE_URL', 'FHIR_NOTIFY_SECRET_ARN']);
      else expect(fhirVariables(on, service), service).toEqual({});
    }
    const readers = [...on.stack.node.findAll()]
      .filter((construct) => 'role' in construct && 'fn' in construct)
      .map((construct) => construct as TableBoundFunction)
      .filter((bound) => JSON.stringify(statementsOf(on.stack, on.template, bound.role)).includes('fhir/private_key'))
      .map((bound) => bound.node.path)
      .sort();
    expect(readers).toEqual(['RedrawTracker/Fhir/Writer', 'RedrawTracker/StaleRedrawSweep']);
  });

  it('with a client secret, passes FHIR_CLIENT_SECRET_ARN (no key, no kid); without a token URL, no token setting and no secret at all', () => {
    const withSecret = buildStack({ settings: fhirOn({ baseUrl: FHIR_SETTING.baseUrl, tokenUrl: FHIR_SETTING.tokenUrl, clientId: 'tracker', clientSecretName: 'redraw-tracker/fhir/client_secret' }) });
    expect(fhirVariables(withSecret, 'fhir-writer')).toMatchObject({ FHIR_CLIENT_SECRET_ARN: secretArn('redraw-tracker/fhir/client_secret'), FHIR_CLIENT_ID: 'tracker' });
    expect(Object.keys(fhirVariables(withSecret, 'fhir-writer'))).not.toContain('FHIR_PRIVATE_KEY_SECRET_ARN');
    expect(Object.keys(fhirVariables(withSecret, 'fhir-writer'))).not.toContain('FHIR_KEY_ID');
    const open = buildStack({ settings: fhirOn({ baseUrl: 'https://fhir.example.org/r4', orderSystem: 'https://example.org/junction-order' }) });
    expect(Object.keys(fhirVariables(open, 'fhir-writer')).sort()).toEqual([
      'FHIR_BASE_URL', 'FHIR_CATCH_UP_PER_SWEEP', 'FHIR_CODE_SYSTEM', 'FHIR_EHR_ACTIONS', 'FHIR_ORDER_SYSTEM', 'FHIR_OWNER_SYSTEM', 'FHIR_POLL_MAX', 'FHIR_POLL_SECONDS', 'FHIR_SCOPE', 'FHIR_TASK_SYSTEM',
    ]);
    expect(fhirVariables(open, 'query')).toMatchObject({ FHIR_ORDER_SYSTEM: 'https://example.org/junction-order' });
    expect(JSON.stringify(open.template.toJSON())).not.toContain('secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":[{"Fn::Join"');
  }, 120_000);
});

describe('FHIR Tasks on: the notifications (issue 71; only with a notify secret named)', () => {
  const notifications = (built: BuiltStack = on) => {
    if (built.stack.fhirNotifications === null) throw new Error('no notifications with fhir.notifySecretName');
    return built.stack.fhirNotifications;
  };
  const OutputsJson = z.object({ Outputs: z.record(z.string(), z.object({ Value: z.unknown(), Description: z.string().optional() })) });

  it('exist only with fhir.notifySecretName: with FHIR on and none named, no route, function, queue, alarm, variable or output of them', () => {
    expect(customStack().stack.fhirNotifications).toBeNull();
    const json = JSON.stringify(customStack().template.toJSON());
    for (const absent of ['/fhir/notifications', 'FhirNotif', 'FhirNotice', 'FHIR_NOTIFY', 'fhir-notifications', 'fhir/notify']) expect(json, absent).not.toContain(absent);
    // With it, exactly these resources more, and none of the others changes its type or logical id.
    const before = typeCounts(customStack());
    const after = typeCounts(on);
    const added = Object.fromEntries(Object.keys({ ...before, ...after }).map((type) => [type, (after[type] ?? 0) - (before[type] ?? 0)]).filter(([, count]) => count !== 0));
    expect(added).toEqual({
      // The route's function, role, policy and log group.
      'AWS::Lambda::Function': 1,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Logs::LogGroup': 1,
      // The notices' queue and its dead-letter queue, each with its SSL-only policy; the writer's mapping of the first.
      'AWS::SQS::Queue': 2,
      'AWS::SQS::QueuePolicy': 2,
      'AWS::Lambda::EventSourceMapping': 1,
      // Three routes to one integration, and API Gateway's permission to invoke the function from each.
      'AWS::ApiGatewayV2::Route': 3,
      'AWS::ApiGatewayV2::Integration': 1,
      'AWS::Lambda::Permission': 3,
      // FhirNotificationsRefused, FhirNotificationsUnqueued, FhirNoticeDeadLettersWaiting, FhirNotificationsErrors.
      'AWS::CloudWatch::Alarm': 4,
    });
    const withoutIds = TemplateJson.parse(customStack().template.toJSON()).Resources;
    const withIds = TemplateJson.parse(on.template.toJSON()).Resources;
    for (const [id, resource] of Object.entries(withoutIds).filter(([, one]) => one.Type !== 'AWS::Cognito::UserPoolGroup')) expect(withIds[id]?.Type, id).toBe(resource.Type);
    expect(Object.keys(OutputsJson.parse(customStack().template.toJSON()).Outputs)).not.toContain('FhirNotificationsUrl');
  }, 120_000);

  it("outputs the route's URL, on the stage of the webhook's API", () => {
    const { Outputs } = OutputsJson.parse(on.template.toJSON());
    const webhook = JSON.stringify(Outputs['WebhookUrl']?.Value);
    expect(JSON.stringify(Outputs['FhirNotificationsUrl']?.Value)).toBe(webhook.replace('webhooks/junction', 'fhir/notifications'));
    expect(Outputs['FhirNotificationsUrl']?.Description).toMatch(/Subscription/);
  });

  it('is a function of its own (service fhir-notifications), 10 s, 256 MB, given its secret by ARN and its queue by URL, and no table', () => {
    const fn = functionsOf(on).get('fhir-notifications');
    expect(fn).toMatchObject({ Timeout: 10, MemorySize: FHIR_NOTIFICATIONS_MEMORY_MB, Handler: 'index.handler' });
    expect(fn?.Environment.Variables).toEqual({
      FHIR_NOTIFY_SECRET_ARN: secretArn(FHIR_SETTING.notifySecretName),
      FHIR_NOTIFY_QUEUE_URL: on.stack.resolve(notifications().queue.queueUrl),
      POWERTOOLS_SERVICE_NAME: 'fhir-notifications',
      POWERTOOLS_METRICS_NAMESPACE: 'RedrawTracker',
    });
  });

  it('may read its secret and send to its queue (the operations key for it), write its logs, and nothing else: no table, no key of the table, no other queue', () => {
    const role = notifications().function.role;
    expect([...actionsOf(on.stack, on.template, role)].sort()).toEqual(
      ['kms:Decrypt', 'kms:GenerateDataKey', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:SendMessage'].sort(),
    );
    const statements = statementsOf(on.stack, on.template, role);
    expect(byAction(statements, 'secretsmanager:GetSecretValue').flatMap((statement) => statement.Resource)).toEqual([secretGrant(FHIR_SETTING.notifySecretName)]);
    expect(byAction(statements, 'sqs:SendMessage').flatMap((statement) => statement.Resource)).toEqual([on.stack.resolve(notifications().queue.queueArn)]);
    expect(byAction(statements, 'kms:GenerateDataKey').flatMap((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^OpsKey/), 'Arn'] }]);
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb|TableKey|private_key/);
    // No other function may read the notify secret.
    const readers = [...on.stack.node.findAll()]
      .filter((construct) => 'role' in construct && 'fn' in construct)
      .map((construct) => construct as TableBoundFunction)
      .filter((bound) => JSON.stringify(statementsOf(on.stack, on.template, bound.role)).includes('fhir/notify'))
      .map((bound) => bound.node.path);
    expect(readers).toEqual(['RedrawTracker/FhirNotifications/Route']);
  });

  it("takes POST /fhir/notifications and PUT and DELETE /fhir/notifications/Task/{id} on the webhook's API, with no authorizer, throttled route by route", () => {
    const apiId = on.stack.resolve(on.stack.api.apiId);
    const routes = Object.values(on.template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route['Properties'] as { RouteKey: string; ApiId: unknown; AuthorizationType?: string; Target: unknown });
    const ours = routes.filter((route) => route.RouteKey.includes('/fhir/'));
    expect(ours.map((route) => route.RouteKey).sort()).toEqual(FHIR_NOTIFICATION_ROUTES.map((route) => route.key).sort());
    expect(FHIR_NOTIFICATION_ROUTES.map((route) => route.key)).toEqual(['POST /fhir/notifications', 'PUT /fhir/notifications/Task/{id}', 'DELETE /fhir/notifications/Task/{id}']);
    for (const route of ours) {
      expect(route.ApiId, route.RouteKey).toEqual(apiId);
      expect(route.AuthorizationType ?? 'NONE', route.RouteKey).toBe('NONE');
      expect(new Set(ours.map((one) => JSON.stringify(one.Target))).size).toBe(1);
    }
    on.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: on.stack.resolve(notifications().function.fn.functionArn), PayloadFormatVersion: '2.0' });
    // API Gateway may invoke the route function from these routes only.
    const permissions = Object.values(on.template.findResources('AWS::Lambda::Permission')).map((permission) => permission['Properties'] as { FunctionName: unknown; Principal: string; SourceArn: unknown });
    const invokers = permissions.filter((permission) => JSON.stringify(permission.FunctionName) === JSON.stringify(on.stack.resolve(notifications().function.fn.functionArn)));
    expect(invokers).toHaveLength(3);
    for (const permission of invokers) {
      expect(permission.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.SourceArn)).toMatch(/\/fhir\/notifications/);
    }
    // Each its own limits on the stage (the webhook's kept), and the stage waits for the routes it names.
    const [stageId, stage] = Object.entries(on.template.findResources('AWS::ApiGatewayV2::Stage'))[0] ?? [];
    const settings = (stage?.['Properties'] as { RouteSettings: Record<string, Record<string, unknown>> }).RouteSettings;
    for (const { key } of FHIR_NOTIFICATION_ROUTES) expect(settings[key], key).toEqual({ ThrottlingRateLimit: FHIR_DEFAULTS.notifyRateLimit, ThrottlingBurstLimit: FHIR_DEFAULTS.notifyBurstLimit });
    expect(settings['POST /webhooks/junction']).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const routeIds = Object.entries(on.template.findResources('AWS::ApiGatewayV2::Route')).filter(([, route]) => JSON.stringify(route).includes('/fhir/')).map(([id]) => id);
    expect(stage?.['DependsOn']).toEqual(expect.arrayContaining(routeIds));
    expect(stageId).toBeDefined();
    // And from the settings, when given.
    const limits = parseSettings({ ...cdkJsonSettings(), fhir: { ...FHIR_SETTING, notifyRateLimit: 5, notifyBurstLimit: 10 } }).fhir;
    expect(limits).toMatchObject({ notifyRateLimit: 5, notifyBurstLimit: 10 });
  });

  it('queues each notice encrypted with the operations key, SSL only, for a day, hidden 6 writer timeouts while worked, to a dead-letter queue after 5 receives (kept 14 days)', () => {
    const { queue, deadLetters } = notifications();
    expect(FHIR_NOTICE_VISIBILITY.toSeconds()).toBeGreaterThanOrEqual(6 * FHIR_WRITER_TIMEOUT.toSeconds());
    const queueId = on.stack.resolve(queue.queueName)['Fn::GetAtt'][0] as string;
    const deadId = on.stack.resolve(deadLetters.queueName)['Fn::GetAtt'][0] as string;
    const properties = (id: string) => TemplateJson.parse(on.template.toJSON()).Resources[id]?.Properties;
    expect(properties(queueId)).toEqual({
      KmsMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^OpsKey/), 'Arn'] },
      MessageRetentionPeriod: 86_400,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadId, 'Arn'] }, maxReceiveCount: FHIR_NOTICE_MAX_RECEIVES },
    });
    expect(FHIR_NOTICE_MAX_RECEIVES).toBe(5);
    expect(properties(deadId)).toEqual({ KmsMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^OpsKey/), 'Arn'] }, MessageRetentionPeriod: 14 * 86_400 });
    for (const q of [queue, deadLetters]) {
      on.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [on.stack.resolve(q.queueUrl)],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    }
  });

  it('is worked by the writer: batches of 10 within a second, each notice reported on its own, at most 5 writers at once', () => {
    on.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: on.stack.resolve(writer().fn.functionName),
      EventSourceArn: on.stack.resolve(notifications().queue.queueArn),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    expect(FHIR_NOTICE_MAPPING).toMatchObject({ batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 });
    // The writer consumes it (receive, delete, hide) and decrypts with the operations key; it never sends to it.
    const statements = statementsOf(on.stack, on.template, writer().role);
    const queueArn = JSON.stringify(on.stack.resolve(notifications().queue.queueArn));
    expect(statements.filter((statement) => JSON.stringify(statement.Resource).includes(queueArn)).flatMap((statement) => statement.Action).sort()).toEqual(
      ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'].sort(),
    );
  });
});

describe('FHIR Tasks on: alarms (to the alarm topic)', () => {
  type AlarmProperties = { MetricName?: string; Namespace?: string; Statistic?: string; Period?: number; EvaluationPeriods: number; DatapointsToAlarm?: number; Threshold: number; ComparisonOperator: string; AlarmActions: unknown[]; Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] } } }[]; Dimensions?: { Name: string; Value: unknown }[] };
  const alarm = (name: string): AlarmProperties => {
    const found = Object.entries(on.template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(`Monitoring${name}`));
    expect(found, name).toHaveLength(1);
    return found[0]![1]['Properties'] as AlarmProperties;
  };
  const alarmTopic = () => Object.keys(on.template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('AlarmTopic'));

  it('raises an alarm as soon as a dead letter of the writer waits, and on any failed invocation of the writer', () => {
    const dead = alarm('FhirDeadLettersWaiting');
    expect(dead).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    expect(dead.Dimensions).toEqual([{ Name: 'QueueName', Value: on.stack.resolve(on.stack.fhirWriter?.deadLetters.queueName) }]);
    expect(alarm('FhirWriterErrors')).toMatchObject({ MetricName: 'Errors', Threshold: 0 });
  });

  it.each([
    ['FhirTasksRefused', FHIR_METRICS.refused],
    ['FhirTasksChangedInEhr', FHIR_METRICS.changedInEhr],
    ['FhirTasksDeletedInEhr', FHIR_METRICS.deletedInEhr],
    ['FhirUnauthorized', FHIR_METRICS.unauthorized],
    ['FhirBaseUrlNotFound', FHIR_METRICS.baseUrlNotFound],
    ['FhirEhrChangesHeld', FHIR_METRICS.ehrHeld],
    ['FhirEhrConflicts', FHIR_METRICS.ehrConflict],
  ])('raises %s when the writer or the sweep counts any %s', (name, metricName) => {
    const properties = alarm(name);
    expect(properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    const stats = (properties.Metrics ?? []).flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric] : []));
    expect(stats.map((metric) => [metric.MetricName, metric.Dimensions])).toEqual([
      [metricName, [{ Name: 'service', Value: 'fhir-writer' }]],
      [metricName, [{ Name: 'service', Value: 'stale-redraw-sweep' }]],
    ]);
    expect(properties.Metrics?.find((query) => query.Expression !== undefined)?.Expression).toBe('FILL(writer, 0) + FILL(sweep, 0)');
  });

  it("raises FhirCatchUpFailed when a sweep's FHIR catch-up fails as a whole, once", () => {
    expect(alarm('FhirCatchUpFailed')).toMatchObject({
      MetricName: FHIR_METRICS.catchUpFailed,
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it(`raises FhirTasksBehind when pending records are left after ${FHIR_BEHIND_SWEEPS} hourly sweeps in a row`, () => {
    expect(alarm('FhirTasksBehind')).toMatchObject({
      MetricName: FHIR_METRICS.behind,
      Dimensions: [{ Name: 'service', Value: 'stale-redraw-sweep' }],
      Statistic: 'Minimum',
      Period: 3600,
      EvaluationPeriods: FHIR_BEHIND_SWEEPS,
      DatapointsToAlarm: FHIR_BEHIND_SWEEPS,
      Threshold: 0,
    });
  });

  it(`raises FhirPollFailed when the writer's poll runs failed in ${FHIR_POLL_FAILED_RUNS} poll periods in a row (one period per run)`, () => {
    expect(alarm('FhirPollFailed')).toMatchObject({
      MetricName: FHIR_METRICS.pollFailed,
      Dimensions: [{ Name: 'service', Value: 'fhir-writer' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: FHIR_POLL_FAILED_RUNS,
      DatapointsToAlarm: FHIR_POLL_FAILED_RUNS,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // Its period is the poll's: a poll every minute fails three minutes in a row before anyone is called.
    const [found] = Object.entries(customStack().template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('MonitoringFhirPollFailed'));
    expect(found?.[1]['Properties']).toMatchObject({ Period: 60, EvaluationPeriods: FHIR_POLL_FAILED_RUNS });
  }, 120_000);

  it(`raises FhirNotificationsRefused when the route refused notifications in ${FHIR_NOTIFY_REFUSED_HOURS} hours in a row, FhirNoticeDeadLettersWaiting on any notice given up, FhirNotificationsErrors on any failed invocation of the route`, () => {
    expect(alarm('FhirNotificationsRefused')).toMatchObject({
      MetricName: FHIR_METRICS.notificationsRefused,
      Dimensions: [{ Name: 'service', Value: 'fhir-notifications' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: FHIR_NOTIFY_REFUSED_HOURS,
      DatapointsToAlarm: FHIR_NOTIFY_REFUSED_HOURS,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const dead = alarm('FhirNoticeDeadLettersWaiting');
    expect(dead).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 });
    expect(dead.Dimensions).toEqual([{ Name: 'QueueName', Value: on.stack.resolve(on.stack.fhirNotifications?.deadLetters.queueName) }]);
    expect(alarm('FhirNotificationsErrors')).toMatchObject({ MetricName: 'Errors', Threshold: 0, Dimensions: [{ Name: 'FunctionName', Value: on.stack.resolve(on.stack.fhirNotifications?.function.fn.functionName) }] });
  });

  it('sends each to the alarm topic', () => {
    for (const name of ['FhirDeadLettersWaiting', 'FhirWriterErrors', 'FhirTasksRefused', 'FhirTasksChangedInEhr', 'FhirTasksDeletedInEhr', 'FhirUnauthorized', 'FhirBaseUrlNotFound', 'FhirCatchUpFailed', 'FhirTasksBehind', 'FhirEhrChangesHeld', 'FhirEhrConflicts', 'FhirPollFailed', 'FhirNotificationsRefused', 'FhirNotificationsUnqueued', 'FhirNoticeDeadLettersWaiting', 'FhirNotificationsErrors']) {
      expect(alarm(name).AlarmActions, name).toEqual([{ Ref: alarmTopic() }]);
    }
  });
});

describe('the fhir setting (zod, named in the error)', () => {
  const base = { ...cdkJsonSettings() };
  const parseFhir = (fhir: unknown) => parseSettings({ ...base, fhir }).fhir;

  it('fills the contract\'s defaults (systems, scope, catch-up, the EHR actions, the poll) and keeps what is given', () => {
    expect(parseFhir({ baseUrl: 'https://fhir.example.org/r4' })).toEqual({ baseUrl: 'https://fhir.example.org/r4', ...Object.fromEntries(Object.entries(FHIR_DEFAULTS)) });
    // The functions' own defaults (functions/fhir/settings.ts): what npm start and a function without the variable use.
    expect(FHIR_DEFAULTS).toMatchObject({ scope: DEFAULT_FHIR_SCOPE, catchUpPerSweep: DEFAULT_FHIR_CATCH_UP_PER_SWEEP, ehrActions: 'on', pollSeconds: DEFAULT_FHIR_POLL_SECONDS, pollMax: DEFAULT_FHIR_POLL_MAX });
    expect(FHIR_DEFAULTS.scope.split(' ')).toEqual(['system/Task.rs', 'system/Task.cu', 'system/Practitioner.r', 'system/PractitionerRole.r', 'system/Provenance.rs']);
    expect(parseFhir({ baseUrl: 'https://fhir.example.org/r4', ehrActions: 'off', pollSeconds: 60, pollMax: 100_000 })).toMatchObject({ ehrActions: 'off', pollSeconds: 60, pollMax: 100_000 });
    expect(parseFhir(FHIR_SETTING)).toMatchObject(FHIR_SETTING);
    expect(parseFhir({ baseUrl: 'https://fhir.example.org/r4', catchUpPerSweep: 50, scope: 'system/Task.read system/Task.write' })).toMatchObject({ catchUpPerSweep: 50, scope: 'system/Task.read system/Task.write' });
  });

  it.each([
    [{ baseUrl: 'http://fhir.example.org/r4' }, /redrawTracker\.fhir\.baseUrl: must be an https URL/],
    [{ baseUrl: 'https://fhir.example.org/r4/' }, /redrawTracker\.fhir\.baseUrl: must not end with a slash/],
    [{ baseUrl: 'https://fhir.example.org/r4?x=1' }, /redrawTracker\.fhir\.baseUrl: must have no query or fragment/],
    [{}, /redrawTracker\.fhir\.baseUrl/],
    [{ baseUrl: 'https://fhir.example.org/r4', orderSystem: 'junction order' }, /redrawTracker\.fhir\.orderSystem: must be a URN/],
    [{ baseUrl: 'https://fhir.example.org/r4', taskSystem: 'urn:x:y|z' }, /redrawTracker\.fhir\.taskSystem/],
    [{ baseUrl: 'https://fhir.example.org/r4', codeSystem: 'https://example.org/codes/' }, /redrawTracker\.fhir\.codeSystem: must not end with a slash/],
    [{ baseUrl: 'https://fhir.example.org/r4', tokenUrl: 'https://auth.example.org/token' }, /redrawTracker\.fhir\.clientId: is required with tokenUrl; redrawTracker\.fhir\.tokenUrl: needs a credential/],
    [{ baseUrl: 'https://fhir.example.org/r4', clientId: 'x', clientSecretName: 'fhir/client_secret' }, /redrawTracker\.fhir\.clientId: is only used with tokenUrl/],
    [{ ...FHIR_SETTING, keyId: undefined }, /redrawTracker\.fhir\.keyId: is required with privateKeySecretName/],
    [{ ...FHIR_SETTING, clientSecretName: 'fhir/client_secret' }, /redrawTracker\.fhir\.privateKeySecretName: give clientSecretName or privateKeySecretName, not both/],
    [{ ...FHIR_SETTING, privateKeySecretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }, /redrawTracker\.fhir\.privateKeySecretName: must be a Secrets Manager secret's name/],
    [{ ...FHIR_SETTING, privateKeySecretName: 'fhir-client' }, /redrawTracker\.fhir\.privateKeySecretName: must not end with a hyphen and six characters/],
    [{ baseUrl: 'https://fhir.example.org/r4', catchUpPerSweep: 0 }, /redrawTracker\.fhir\.catchUpPerSweep/],
    // The functions take at most 1,000 (functions/fhir/settings.ts): a higher one would stop the sweep at start.
    [{ baseUrl: 'https://fhir.example.org/r4', catchUpPerSweep: 1001 }, /redrawTracker\.fhir\.catchUpPerSweep/],
    [{ baseUrl: 'https://fhir.example.org/r4', scope: 'system/Task.rs  system/Task.cu' }, /redrawTracker\.fhir\.scope: must be scopes separated by single spaces/],
    [{ baseUrl: 'https://fhir.example.org/r4', clientSecret: 'hunter2' }, /redrawTracker\.fhir: Unrecognized key: "clientSecret"/],
    [{ baseUrl: 'https://fhir.example.org/r4', ehrActions: true }, /redrawTracker\.fhir\.ehrActions: must be "on" or "off"/],
    [{ baseUrl: 'https://fhir.example.org/r4', ehrActions: 'yes' }, /redrawTracker\.fhir\.ehrActions: must be "on" or "off"/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 30 }, /redrawTracker\.fhir\.pollSeconds: must be at least 60 \(the writer's schedule runs at most once a minute on AWS\)/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 0 }, /redrawTracker\.fhir\.pollSeconds: must be at least 60/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 300.5 }, /redrawTracker\.fhir\.pollSeconds: must be a whole number of seconds/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 90 }, /redrawTracker\.fhir\.pollSeconds: must be a whole number of minutes, in seconds \(60, 120, 300, \.\.\.\)/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: 86_460 }, /redrawTracker\.fhir\.pollSeconds: must be at most 86400/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollSeconds: '300' }, /redrawTracker\.fhir\.pollSeconds/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollMax: 0 }, /redrawTracker\.fhir\.pollMax: must be from 1 to 100000/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollMax: 100_001 }, /redrawTracker\.fhir\.pollMax: must be from 1 to 100000/],
    [{ baseUrl: 'https://fhir.example.org/r4', pollMax: 2.5 }, /redrawTracker\.fhir\.pollMax: must be a whole number/],
    [{ ...FHIR_SETTING, notifySecretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }, /redrawTracker\.fhir\.notifySecretName: must be a Secrets Manager secret's name/],
    [{ ...FHIR_SETTING, notifySecretName: 'fhir-notify' }, /redrawTracker\.fhir\.notifySecretName: must not end with a hyphen and six characters/],
    [{ baseUrl: 'https://fhir.example.org/r4', notifyRateLimit: 5 }, /redrawTracker\.fhir\.notifySecretName: is required with notifyRateLimit or notifyBurstLimit/],
    [{ ...FHIR_SETTING, notifyRateLimit: 0 }, /redrawTracker\.fhir\.notifyRateLimit/],
    [{ ...FHIR_SETTING, notifyBurstLimit: 1.5 }, /redrawTracker\.fhir\.notifyBurstLimit/],
  ])('refuses %j naming the setting', (fhir, message) => {
    expect(() => parseFhir(fhir)).toThrow(message);
  });
});
