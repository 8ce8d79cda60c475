/**
 * CONTRACT §13 on AWS, issue 71: the FHIR notifications route (only with a notify secret named): its
 * function, grants, routes on the webhook's API, the notices' queue and the writer's work of it.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { NOTICE_CAP_PER_MINUTE } from '../../functions/core/fhir/notice-cap';
import { FHIR_WRITER_TIMEOUT } from '../../lib/fhir';
import { FHIR_NOTICE_MAPPING, FHIR_NOTICE_MAX_RECEIVES, FHIR_NOTICE_VISIBILITY, FHIR_NOTIFICATION_ROUTES, FHIR_NOTIFICATIONS_MEMORY_MB } from '../../lib/fhir-notifications';
import { FHIR_DEFAULTS, parseSettings } from '../../lib/settings';
import type { TableBoundFunction } from '../../lib/table-bound-function';
import { byAction, customStack, fhirWriter, functionsOf, readersOf, secretArn, secretGrant, TemplateJson, typesAdded, typesById } from './fhir-stack';
import { actionsOf, statementsOf } from './policies';
import { type BuiltStack, cdkJsonSettings, FHIR_SETTING, fhirOn, sharedStack } from './stack';

let on: BuiltStack;
beforeAll(() => {
  on = sharedStack(fhirOn());
}, 120_000);

const writer = (): TableBoundFunction => fhirWriter(on);

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
    expect(typesAdded(customStack(), on)).toEqual({
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
      // FhirNotificationsRefused, FhirNotificationsUnqueued, FhirNoticeDeadLettersWaiting, FhirNotificationsErrors, FhirNoticeQueueAge.
      'AWS::CloudWatch::Alarm': 5,
    });
    for (const { id, before, after } of typesById(customStack(), on)) expect(after, id).toBe(before);
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
    expect(readersOf(on, 'fhir/notify')).toEqual(['RedrawTracker/FhirNotifications/Route']);
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
    // A ceiling, not the EHR's pace (issue 82): every request takes from it, refused or not, while the EHR's reads are
    // paced behind the check, per source (NOTICE_CAP_PER_MINUTE). It admits 20 times that pace, so a flood of
    // refusals has to pass 95 requests a second before it can crowd out an EHR sending 5.
    expect(FHIR_DEFAULTS.notifyRateLimit).toBeGreaterThanOrEqual((20 * NOTICE_CAP_PER_MINUTE) / 60);
    expect(FHIR_DEFAULTS.notifyBurstLimit).toBeGreaterThanOrEqual(2 * FHIR_DEFAULTS.notifyRateLimit);
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
