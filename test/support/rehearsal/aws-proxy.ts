/**
 * AWS as one function of the rehearsal sees it: every request its SDK clients
 * send (AWS_ENDPOINT_URL points them here) is checked against that function's
 * IAM policy in the template (and the resource's policy, and the KMS key policy
 * the service would use on the caller's behalf), and answered
 * AccessDeniedException in the service's own protocol when IAM would refuse it.
 * What is allowed is served: DynamoDB by DynamoDB Local, the rest by stand-ins
 * that record what they got (Secrets Manager holds the template's secrets, SNS,
 * Lambda, EventBridge and SQS take what is sent).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeployedFunction, Deployment } from './deployment';
import { isAllowed, type AccessRequest, type Policies } from './iam';

export interface Denial {
  service: string;
  action: string;
  resource: string;
}

export interface Published {
  topicArn: string;
  message: string;
  messageStructure: string | undefined;
  subject: string | undefined;
}

export interface Sent {
  queueUrl: string;
  body: string;
}

export interface Invoked {
  functionName: string;
  invocationType: string;
  payload: string;
}

export interface AwsProxy {
  endpoint: string;
  /** Every request, as `service:Action` (the stand-in for CloudTrail). */
  calls: string[];
  denials: Denial[];
  /** Requests for something the stand-ins do not serve. */
  unexpected: string[];
  published: Published[];
  invoked: Invoked[];
  events: Record<string, unknown>[];
  /** Messages sent to the template's queues (SendMessage, SendMessageBatch), in order. */
  sent: Sent[];
  /** The secrets' current values, by ARN (the template's at first; a test puts a key or a webhook secret). */
  secrets: Map<string, string>;
  close(): Promise<void>;
}

/** A proxy for `fn` of `deployment`, forwarding DynamoDB requests to `dynamodbEndpoint`. */
export async function startAwsProxy(deployment: Deployment, fn: DeployedFunction, dynamodbEndpoint: string): Promise<AwsProxy> {
  const identity = deployment.rolePolicies.get(fn.roleArn) ?? [];
  const proxy: Omit<AwsProxy, 'endpoint' | 'close'> = {
    calls: [],
    denials: [],
    unexpected: [],
    published: [],
    invoked: [],
    events: [],
    sent: [],
    secrets: new Map([...deployment.secrets].map(([arn, { value }]) => [arn, value])),
  };
  const viaService = (service: string) => ({ 'kms:ViaService': `${service}.${deployment.region}.amazonaws.com`, 'kms:CallerAccount': deployment.account, 'aws:SecureTransport': 'true' });

  /** Every check must pass; each failed one is a denial. */
  const authorize = (service: string, checks: { action: string; resource: string; policies?: Omit<Policies, 'identity'>; context?: AccessRequest['context'] }[]): boolean => {
    let allowed = true;
    for (const check of checks) {
      const request: AccessRequest = { principal: fn.roleArn, action: check.action, resource: check.resource, context: check.context ?? { 'aws:SecureTransport': 'true' } };
      if (!isAllowed(request, { identity, ...check.policies })) {
        proxy.denials.push({ service, action: check.action, resource: check.resource });
        allowed = false;
      }
    }
    return allowed;
  };
  const kmsCheck = (keyArn: string | undefined, actions: string[], service: string) =>
    keyArn === undefined ? [] : actions.map((action) => ({ action, resource: keyArn, policies: { resource: deployment.keys.get(keyArn) ?? [], kmsKey: true }, context: viaService(service) }));

  const handle = async (req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> => {
    const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? 'unsigned';
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.split('.').pop() ?? '';
    switch (service) {
      case 'dynamodb': {
        proxy.calls.push(`dynamodb:${operation}`);
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        const checks = [...dynamoDbChecks(operation, input, deployment), ...kmsCheck(deployment.table.kmsKeyArn, ['kms:Decrypt'], 'dynamodb')];
        if (!authorize('dynamodb', checks)) return jsonError(res, 400, 'application/x-amz-json-1.0', 'com.amazon.coral.service#AccessDeniedException');
        return forward(req, body, res, dynamodbEndpoint);
      }
      case 'secretsmanager': {
        proxy.calls.push(`secretsmanager:${operation}`);
        const { SecretId: requested } = JSON.parse(body.toString('utf8') || '{}') as { SecretId?: string };
        // Secrets Manager finds a secret by its ARN, or by a partial ARN (without the random suffix, as
        // Secret.fromSecretNameV2 gives one); IAM then authorizes the request on the secret's full ARN.
        const SecretId = requested === undefined ? undefined : fullSecretArn(deployment, requested);
        const secret = SecretId === undefined ? undefined : deployment.secrets.get(SecretId);
        if (operation !== 'GetSecretValue' || !SecretId || !secret) {
          proxy.unexpected.push(`secretsmanager:${operation} ${requested ?? ''}`);
          return jsonError(res, 400, 'application/x-amz-json-1.1', 'ResourceNotFoundException');
        }
        if (!authorize('secretsmanager', [{ action: 'secretsmanager:GetSecretValue', resource: SecretId }, ...kmsCheck(secret.kmsKeyArn, ['kms:Decrypt'], 'secretsmanager')])) {
          return jsonError(res, 400, 'application/x-amz-json-1.1', 'AccessDeniedException');
        }
        return json(res, 200, 'application/x-amz-json-1.1', { ARN: SecretId, Name: secret.logicalId, SecretString: proxy.secrets.get(SecretId), VersionId: randomUUID() });
      }
      case 'sns': {
        const form = new URLSearchParams(body.toString('utf8'));
        const action = form.get('Action') ?? '';
        proxy.calls.push(`sns:${action}`);
        const topicArn = form.get('TopicArn') ?? '';
        const topic = deployment.topics.get(topicArn);
        if (action !== 'Publish' || !topic) {
          proxy.unexpected.push(`sns:${action} ${topicArn}`);
          return xmlError(res, 404, 'NotFound');
        }
        const checks = [{ action: 'sns:Publish', resource: topicArn, policies: { resource: topic.policy } }, ...kmsCheck(topic.kmsKeyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sns')];
        if (!authorize('sns', checks)) return xmlError(res, 403, 'AuthorizationError');
        proxy.published.push({ topicArn, message: form.get('Message') ?? '', messageStructure: form.get('MessageStructure') ?? undefined, subject: form.get('Subject') ?? undefined });
        res.writeHead(200, { 'content-type': 'text/xml' });
        return void res.end(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`);
      }
      case 'lambda': {
        const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1];
        proxy.calls.push('lambda:InvokeFunction');
        const target = name === undefined ? undefined : deployment.functions.find((candidate) => [candidate.name, candidate.arn].includes(decodeURIComponent(name)));
        if (!target) {
          proxy.unexpected.push(`lambda ${req.method ?? ''} ${req.url ?? ''}`);
          return restError(res, 404, 'ResourceNotFoundException');
        }
        if (!authorize('lambda', [{ action: 'lambda:InvokeFunction', resource: target.arn, policies: { resource: deployment.functionPolicies.get(target.arn) ?? [] } }])) {
          return restError(res, 403, 'AccessDeniedException');
        }
        const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
        proxy.invoked.push({ functionName: target.name, invocationType, payload: body.toString('utf8') });
        res.writeHead(invocationType === 'Event' ? 202 : 200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
        return void res.end(invocationType === 'Event' ? '' : 'null');
      }
      case 'events': {
        proxy.calls.push(`events:${operation}`);
        const { Entries = [] } = JSON.parse(body.toString('utf8') || '{}') as { Entries?: Record<string, unknown>[] };
        if (operation !== 'PutEvents') {
          proxy.unexpected.push(`events:${operation}`);
          return jsonError(res, 400, 'application/x-amz-json-1.1', 'UnknownOperationException');
        }
        const busArn = (bus: unknown) => {
          const name = typeof bus === 'string' && bus !== '' ? bus : 'default';
          return name.startsWith('arn:') ? name : `arn:aws:events:${deployment.region}:${deployment.account}:event-bus/${name}`;
        };
        if (!authorize('events', Entries.map((entry) => ({ action: 'events:PutEvents', resource: busArn(entry.EventBusName) })))) {
          return jsonError(res, 400, 'application/x-amz-json-1.1', 'AccessDeniedException');
        }
        proxy.events.push(...Entries);
        return json(res, 200, 'application/x-amz-json-1.1', { FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: randomUUID() })) });
      }
      case 'sqs': {
        // SQS's JSON protocol (X-Amz-Target AmazonSQS.<Action>), as the SDK speaks it; SendMessageBatch is authorized as SendMessage.
        proxy.calls.push(`sqs:${operation}`);
        const input = JSON.parse(body.toString('utf8') || '{}') as { QueueUrl?: string; MessageBody?: string; Entries?: { Id: string; MessageBody: string }[] };
        const queue = input.QueueUrl === undefined ? undefined : deployment.queues.get(input.QueueUrl);
        if (!['SendMessage', 'SendMessageBatch'].includes(operation) || !queue || input.QueueUrl === undefined) {
          proxy.unexpected.push(`sqs:${operation} ${input.QueueUrl ?? ''}`);
          return jsonError(res, 400, 'application/x-amz-json-1.0', 'com.amazonaws.sqs#QueueDoesNotExist');
        }
        const checks = [{ action: 'sqs:SendMessage', resource: queue.arn, policies: { resource: queue.policy } }, ...kmsCheck(queue.kmsKeyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs')];
        if (!authorize('sqs', checks)) return jsonError(res, 400, 'application/x-amz-json-1.0', 'com.amazon.coral.service#AccessDeniedException');
        const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
        const queueUrl = input.QueueUrl;
        if (operation === 'SendMessage') {
          proxy.sent.push({ queueUrl, body: input.MessageBody ?? '' });
          return json(res, 200, 'application/x-amz-json-1.0', { MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody ?? '') });
        }
        const entries = input.Entries ?? [];
        proxy.sent.push(...entries.map((entry) => ({ queueUrl, body: entry.MessageBody })));
        return json(res, 200, 'application/x-amz-json-1.0', { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(entry.MessageBody) })), Failed: [] });
      }
      default:
        proxy.unexpected.push(`${service} ${req.method ?? ''} ${req.url ?? ''}`);
        return jsonError(res, 400, 'application/json', 'UnrecognizedClientException');
    }
  };

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      handle(req, Buffer.concat(parts), res).catch((error: unknown) => {
        proxy.unexpected.push(`proxy failure: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The full ARN of the secret `secretId` names: its ARN, or a partial ARN without Secrets Manager's `-XXXXXX` suffix. */
function fullSecretArn(deployment: Deployment, secretId: string): string {
  if (deployment.secrets.has(secretId)) return secretId;
  return [...deployment.secrets.keys()].find((arn) => /^-[A-Za-z0-9]{6}$/.test(arn.slice(secretId.length)) && arn.startsWith(secretId)) ?? secretId;
}

type AttributeMap = Record<string, Record<string, unknown>>;

/**
 * What IAM checks for one DynamoDB request: each action on its table or index,
 * with the request's `dynamodb:LeadingKeys` (the partition key values it names;
 * each write of a transaction on its own, as IAM authorizes it).
 */
function dynamoDbChecks(operation: string, input: Record<string, unknown>, deployment: Deployment): { action: string; resource: string; context: AccessRequest['context'] }[] {
  const tableArn = (name: unknown) => `arn:aws:dynamodb:${deployment.region}:${deployment.account}:table/${String(name)}`;
  const partitionKey = partitionKeyOf(deployment.table.createTable);
  const leading = (items: readonly (AttributeMap | undefined)[], attribute = partitionKey): string[] =>
    items.map((item) => {
      const value = item?.[attribute]?.S;
      if (typeof value !== 'string') throw new Error(`a ${operation} request without a string ${attribute}`);
      return value;
    });
  const on = (action: string, table: unknown, keys: string[] | undefined, index?: unknown) => ({
    action: `dynamodb:${action}`,
    resource: index === undefined ? tableArn(table) : `${tableArn(table)}/index/${String(index)}`,
    context: { 'aws:SecureTransport': 'true', ...(keys === undefined ? {} : { 'dynamodb:LeadingKeys': keys }) },
  });
  switch (operation) {
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as Record<string, { TableName?: string; Item?: AttributeMap; Key?: AttributeMap }>[]).flatMap((entry) =>
        Object.entries(entry).map(([kind, request]) =>
          on({ Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind] ?? kind, request.TableName, leading([request.Item ?? request.Key])),
        ),
      );
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as { Get: { TableName?: string; Key?: AttributeMap } }[]).map((entry) => on('GetItem', entry.Get.TableName, leading([entry.Get.Key])));
    case 'BatchGetItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, { Keys?: AttributeMap[] }>).map(([table, request]) => on(operation, table, leading(request.Keys ?? [])));
    case 'BatchWriteItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: AttributeMap }; DeleteRequest?: { Key: AttributeMap } }[]>).map(([table, requests]) =>
        on(operation, table, leading(requests.map((request) => request.PutRequest?.Item ?? request.DeleteRequest?.Key))),
      );
    case 'Query':
      return [on('Query', input.TableName, [queriedPartition(input, deployment.table.createTable)], input.IndexName)];
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return [on(operation, input.TableName, leading([input.Key as AttributeMap | undefined]))];
    case 'PutItem':
      return [on(operation, input.TableName, leading([input.Item as AttributeMap | undefined]))];
    default:
      // Scan and the rest name no partition: the key is absent from the request, as in IAM.
      return [on(operation, input.TableName, undefined)];
  }
}

interface KeySchemaElement {
  AttributeName: string;
  KeyType: string;
}

/** The partition key attribute of the table (or of one of its indexes), from the template's table definition. */
function partitionKeyOf(createTable: Record<string, unknown>, indexName?: unknown): string {
  const schema =
    indexName === undefined
      ? (createTable.KeySchema as KeySchemaElement[] | undefined)
      : ((createTable.GlobalSecondaryIndexes ?? []) as { IndexName: string; KeySchema: KeySchemaElement[] }[]).find((index) => index.IndexName === indexName)?.KeySchema;
  const hash = schema?.find((element) => element.KeyType === 'HASH')?.AttributeName;
  if (hash === undefined) throw new Error(`no partition key for ${indexName === undefined ? 'the table' : `index ${String(indexName)}`}`);
  return hash;
}

/**
 * The partition a Query reads: the value its key condition gives the (table's or
 * index's) partition key, `<name> = :value` (the store's only form); anything
 * else is refused rather than guessed.
 */
function queriedPartition(input: Record<string, unknown>, createTable: Record<string, unknown>): string {
  const attribute = partitionKeyOf(createTable, input.IndexName);
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as AttributeMap;
  for (const term of String(input.KeyConditionExpression ?? '').split(/\s+AND\s+/i)) {
    const match = /^\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)\s*$/.exec(term);
    if (match === null) continue;
    const [, name = '', placeholder = ''] = match;
    const value = values[placeholder]?.S;
    if ((names[name] ?? name) === attribute && typeof value === 'string') return value;
  }
  throw new Error(`the rehearsal cannot find the partition of the key condition ${String(input.KeyConditionExpression)}`);
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

function json(res: ServerResponse, status: number, contentType: string, body: unknown): void {
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() }).end(JSON.stringify(body));
}

function jsonError(res: ServerResponse, status: number, contentType: string, type: string): void {
  json(res, status, contentType, { __type: type, message: `refused by the deploy rehearsal: ${type.split('#').pop() ?? type}` });
}

function xmlError(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>refused by the deploy rehearsal</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
}

function restError(res: ServerResponse, status: number, type: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ Type: 'User', Message: 'refused by the deploy rehearsal' }));
}
