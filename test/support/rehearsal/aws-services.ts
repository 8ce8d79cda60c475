/**
 * What the rehearsal's AWS proxy (./aws-proxy.ts) serves, service by service, each in its own protocol:
 * a request is checked (the proxy's `authorize`: the function's IAM policy, the resource's policy, the
 * key policy of the key the service would use) and recorded; what is allowed is served (DynamoDB by
 * DynamoDB Local, the rest by stand-ins that record what they got); what is refused gets the service's
 * AccessDeniedException.
 */
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AwsProxy } from './aws-proxy';
import type { Deployment } from './deployment';
import { dynamoDbChecks } from './dynamodb-checks';
import type { AccessRequest, Policies } from './iam';

/** One check of a request: an action on a resource, with the resource's policies and the request's context. */
export interface Check {
  action: string;
  resource: string;
  policies?: Omit<Policies, 'identity'>;
  context?: AccessRequest['context'];
}

/** What a service's handler works with: the deployment, the proxy's records, and its checks. */
export interface ProxyContext {
  deployment: Deployment;
  records: Omit<AwsProxy, 'endpoint' | 'close'>;
  dynamodbEndpoint: string;
  /** Every check must pass; each failed one is a denial. */
  authorize(service: string, checks: Check[]): boolean;
  /** The key policy checks of `actions` on a key, as `service` asks for them on the caller's behalf (none without a key). */
  kmsCheck(keyArn: string | undefined, actions: string[], service: string): Check[];
}

type ServiceHandler = (context: ProxyContext, req: IncomingMessage, body: Buffer, res: ServerResponse, operation: string) => void;

/** DynamoDB: each action on its table or index, with the partitions it names, and the table's key; forwarded to DynamoDB Local when allowed. */
function dynamodb(context: ProxyContext, req: IncomingMessage, body: Buffer, res: ServerResponse, operation: string): void {
  const { records } = context;
  records.calls.push(`dynamodb:${operation}`);
  const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  const checks = [...dynamoDbChecks(operation, input, context.deployment), ...context.kmsCheck(context.deployment.table.kmsKeyArn, ['kms:Decrypt'], 'dynamodb')];
  if (!context.authorize('dynamodb', checks)) return jsonError(res, 400, 'application/x-amz-json-1.0', 'com.amazon.coral.service#AccessDeniedException');
  return forward(req, body, res, context.dynamodbEndpoint);
}

/** Secrets Manager: GetSecretValue of the template's secrets (and those it names), with the secret's key. */
function secretsManager(context: ProxyContext, req: IncomingMessage, body: Buffer, res: ServerResponse, operation: string): void {
  const { records } = context;
  records.calls.push(`secretsmanager:${operation}`);
  const { SecretId: requested } = JSON.parse(body.toString('utf8') || '{}') as { SecretId?: string };
  // Secrets Manager finds a secret by its ARN, or by a partial ARN (without the random suffix, as
  // Secret.fromSecretNameV2 gives one); IAM then authorizes the request on the secret's full ARN.
  const SecretId = requested === undefined ? undefined : fullSecretArn(context.deployment, requested);
  const secret = SecretId === undefined ? undefined : context.deployment.secrets.get(SecretId);
  if (operation !== 'GetSecretValue' || !SecretId || !secret) {
    records.unexpected.push(`secretsmanager:${operation} ${requested ?? ''}`);
    return jsonError(res, 400, 'application/x-amz-json-1.1', 'ResourceNotFoundException');
  }
  if (!context.authorize('secretsmanager', [{ action: 'secretsmanager:GetSecretValue', resource: SecretId }, ...context.kmsCheck(secret.kmsKeyArn, ['kms:Decrypt'], 'secretsmanager')])) {
    return jsonError(res, 400, 'application/x-amz-json-1.1', 'AccessDeniedException');
  }
  return json(res, 200, 'application/x-amz-json-1.1', { ARN: SecretId, Name: secret.logicalId, SecretString: records.secrets.get(SecretId), VersionId: randomUUID() });
}

/** SNS: Publish to the template's topics, with the topic's policy and key. */
function sns(context: ProxyContext, req: IncomingMessage, body: Buffer, res: ServerResponse, _operation: string): void {
  const { records } = context;
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action') ?? '';
  records.calls.push(`sns:${action}`);
  const topicArn = form.get('TopicArn') ?? '';
  const topic = context.deployment.topics.get(topicArn);
  if (action !== 'Publish' || !topic) {
    records.unexpected.push(`sns:${action} ${topicArn}`);
    return xmlError(res, 404, 'NotFound');
  }
  const checks = [{ action: 'sns:Publish', resource: topicArn, policies: { resource: topic.policy } }, ...context.kmsCheck(topic.kmsKeyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sns')];
  if (!context.authorize('sns', checks)) return xmlError(res, 403, 'AuthorizationError');
  records.published.push({ topicArn, message: form.get('Message') ?? '', messageStructure: form.get('MessageStructure') ?? undefined, subject: form.get('Subject') ?? undefined });
  res.writeHead(200, { 'content-type': 'text/xml' });
  return void res.end(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`);
}

/** Lambda: Invoke of the template's functions, with the function's resource policy. */
function lambda(context: ProxyContext, req: IncomingMessage, body: Buffer, res: ServerResponse, _operation: string): void {
  const { records } = context;
  const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1];
  records.calls.push('lambda:InvokeFunction');
  const target = name === undefined ? undefined : context.deployment.functions.find((candidate) => [candidate.name, candidate.arn].includes(decodeURIComponent(name)));
  if (!target) {
    records.unexpected.push(`lambda ${req.method ?? ''} ${req.url ?? ''}`);
    return restError(res, 404, 'ResourceNotFoundException');
  }
  if (!context.authorize('lambda', [{ action: 'lambda:InvokeFunction', resource: target.arn, policies: { resource: context.deployment.functionPolicies.get(target.arn) ?? [] } }])) {
    return restError(res, 403, 'AccessDeniedException');
  }
  const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  records.invoked.push({ functionName: target.name, invocationType, payload: body.toString('utf8') });
  res.writeHead(invocationType === 'Event' ? 202 : 200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
  return void res.end(invocationType === 'Event' ? '' : 'null');
}

/** EventBridge: PutEvents, each entry on its bus. */
function eventBridge(context: ProxyContext, req: IncomingMessage, body: Buffer, res: ServerResponse, operation: string): void {
  const { records } = context;
  records.calls.push(`events:${operation}`);
  const { Entries = [] } = JSON.parse(body.toString('utf8') || '{}') as { Entries?: Record<string, unknown>[] };
  if (operation !== 'PutEvents') {
    records.unexpected.push(`events:${operation}`);
    return jsonError(res, 400, 'application/x-amz-json-1.1', 'UnknownOperationException');
  }
  const busArn = (bus: unknown) => {
    const name = typeof bus === 'string' && bus !== '' ? bus : 'default';
    return name.startsWith('arn:') ? name : `arn:aws:events:${context.deployment.region}:${context.deployment.account}:event-bus/${name}`;
  };
  if (!context.authorize('events', Entries.map((entry) => ({ action: 'events:PutEvents', resource: busArn(entry.EventBusName) })))) {
    return jsonError(res, 400, 'application/x-amz-json-1.1', 'AccessDeniedException');
  }
  records.events.push(...Entries);
  return json(res, 200, 'application/x-amz-json-1.1', { FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: randomUUID() })) });
}

/** SQS: SendMessage and SendMessageBatch to the template's queues, with the queue's policy and key. */
function sqs(context: ProxyContext, req: IncomingMessage, body: Buffer, res: ServerResponse, operation: string): void {
  const { records } = context;
  // SQS's JSON protocol (X-Amz-Target AmazonSQS.<Action>), as the SDK speaks it; SendMessageBatch is authorized as SendMessage.
  records.calls.push(`sqs:${operation}`);
  const input = JSON.parse(body.toString('utf8') || '{}') as { QueueUrl?: string; MessageBody?: string; Entries?: { Id: string; MessageBody: string }[] };
  const queue = input.QueueUrl === undefined ? undefined : context.deployment.queues.get(input.QueueUrl);
  if (!['SendMessage', 'SendMessageBatch'].includes(operation) || !queue || input.QueueUrl === undefined) {
    records.unexpected.push(`sqs:${operation} ${input.QueueUrl ?? ''}`);
    return jsonError(res, 400, 'application/x-amz-json-1.0', 'com.amazonaws.sqs#QueueDoesNotExist');
  }
  const checks = [{ action: 'sqs:SendMessage', resource: queue.arn, policies: { resource: queue.policy } }, ...context.kmsCheck(queue.kmsKeyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs')];
  if (!context.authorize('sqs', checks)) return jsonError(res, 400, 'application/x-amz-json-1.0', 'com.amazon.coral.service#AccessDeniedException');
  const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
  const queueUrl = input.QueueUrl;
  if (operation === 'SendMessage') {
    records.sent.push({ queueUrl, body: input.MessageBody ?? '' });
    return json(res, 200, 'application/x-amz-json-1.0', { MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody ?? '') });
  }
  const entries = input.Entries ?? [];
  records.sent.push(...entries.map((entry) => ({ queueUrl, body: entry.MessageBody })));
  return json(res, 200, 'application/x-amz-json-1.0', { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(entry.MessageBody) })), Failed: [] });
}

/** The handler of each service the proxy serves, by its signing name. */
export const SERVICES: Readonly<Record<string, ServiceHandler>> = { dynamodb, secretsmanager: secretsManager, sns, lambda, events: eventBridge, sqs };

/** The full ARN of the secret `secretId` names: its ARN, or a partial ARN without Secrets Manager's `-XXXXXX` suffix. */
function fullSecretArn(deployment: Deployment, secretId: string): string {
  if (deployment.secrets.has(secretId)) return secretId;
  return [...deployment.secrets.keys()].find((arn) => /^-[A-Za-z0-9]{6}$/.test(arn.slice(secretId.length)) && arn.startsWith(secretId)) ?? secretId;
}

function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, target: string): void {
  const upstream = new URL(target);
  const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => res.socket?.destroy());
  out.end(body);
}

export function json(res: ServerResponse, status: number, contentType: string, body: unknown): void {
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() }).end(JSON.stringify(body));
}

export function jsonError(res: ServerResponse, status: number, contentType: string, type: string): void {
  json(res, status, contentType, { __type: type, message: `refused by the deploy rehearsal: ${type.split('#').pop() ?? type}` });
}

function xmlError(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>refused by the deploy rehearsal</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
}

function restError(res: ServerResponse, status: number, type: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ Type: 'User', Message: 'refused by the deploy rehearsal' }));
}
