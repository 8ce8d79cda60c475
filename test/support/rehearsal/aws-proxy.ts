/**
 * AWS as one function of the rehearsal sees it: every request its SDK clients
 * send (AWS_ENDPOINT_URL points them here) is checked against that function's
 * IAM policy in the template (and the resource's policy, and the KMS key policy
 * the service would use on the caller's behalf), and answered
 * AccessDeniedException in the service's own protocol when IAM would refuse it.
 * What is allowed is served: DynamoDB by DynamoDB Local, the rest by stand-ins
 * that record what they got (Secrets Manager holds the template's secrets, SNS,
 * Lambda, EventBridge and SQS take what is sent): each service's handler is in
 * ./aws-services.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Check, jsonError, type ProxyContext, SERVICES } from './aws-services';
import type { DeployedFunction, Deployment } from './deployment';
import { isAllowed, type AccessRequest } from './iam';

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
  const records: ProxyContext['records'] = {
    calls: [],
    denials: [],
    unexpected: [],
    published: [],
    invoked: [],
    events: [],
    sent: [],
    secrets: new Map([...deployment.secrets].map(([arn, { value }]) => [arn, value])),
  };
  const context = proxyContext(deployment, fn, records, dynamodbEndpoint);
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      handle(context, req, Buffer.concat(parts), res).catch((error: unknown) => {
        records.unexpected.push(`proxy failure: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(records, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** The checks of `fn`'s requests against its role's policies, each failed one recorded as a denial. */
function proxyContext(deployment: Deployment, fn: DeployedFunction, records: ProxyContext['records'], dynamodbEndpoint: string): ProxyContext {
  const identity = deployment.rolePolicies.get(fn.roleArn) ?? [];
  const viaService = (service: string) => ({ 'kms:ViaService': `${service}.${deployment.region}.amazonaws.com`, 'kms:CallerAccount': deployment.account, 'aws:SecureTransport': 'true' });
  return {
    deployment,
    records,
    dynamodbEndpoint,
    authorize(service, checks) {
      let allowed = true;
      for (const check of checks) {
        const request: AccessRequest = { principal: fn.roleArn, action: check.action, resource: check.resource, context: check.context ?? { 'aws:SecureTransport': 'true' } };
        if (!isAllowed(request, { identity, ...check.policies })) {
          records.denials.push({ service, action: check.action, resource: check.resource });
          allowed = false;
        }
      }
      return allowed;
    },
    kmsCheck: (keyArn, actions, service): Check[] =>
      keyArn === undefined ? [] : actions.map((action) => ({ action, resource: keyArn, policies: { resource: deployment.keys.get(keyArn) ?? [], kmsKey: true }, context: viaService(service) })),
  };
}

/** One request, to the handler of the service it was signed for (its Authorization header's credential scope). */
async function handle(context: ProxyContext, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? 'unsigned';
  const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
  const serve = SERVICES[service];
  if (serve !== undefined) return serve(context, req, body, res, operation);
  context.records.unexpected.push(`${service} ${req.method ?? ''} ${req.url ?? ''}`);
  jsonError(res, 400, 'application/json', 'UnrecognizedClientException');
}
