/**
 * A stand-in for the two AWS services the tracker publishes to, EventBridge
 * (PutEvents, JSON 1.1) and SNS (Publish, the query protocol), on 127.0.0.1, for
 * fault tests: the real SDK clients are pointed at it (`endpoint`), and each
 * request is answered as its plan says at that moment: served, refused with a
 * status and an error code (throttling, an outage, a denied key), or left
 * hanging (no answer at all until the stand-in is closed or the plan changes and
 * `releaseHanging()` is called), as a service in trouble does for minutes.
 *
 * What it served is recorded: the events (each PutEvents entry's detail, parsed)
 * and the SNS messages, so that tests assert outcomes (every fact published,
 * every flag notified once), not calls.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stand-in answers one request. */
export type Answer =
  | 'serve'
  /** No answer: the socket stays open (the client's own timeout must end the wait). */
  | 'hang'
  /** An error answer in the service's protocol: `ThrottlingException` with 400, `InternalFailure` with 500... */
  | { status: number; code: string }
  /** PutEvents only: a 200 whose listed entries failed (FailedEntryCount > 0). */
  | { failEntries: (detail: Record<string, unknown>) => boolean };

export type Service = 'events' | 'sns';

export interface PublishedMessage {
  topicArn: string;
  /** The `default` message of a MessageStructure=json publish, else the message itself. */
  message: string;
  messageStructure: string | null;
  subject: string | null;
  /** Per protocol (`default`, `email`, `https`, ...) when MessageStructure=json, else null. */
  protocols: Record<string, string> | null;
  /** String message attributes, by name. */
  attributes: Record<string, string>;
}

export interface AwsStandin {
  endpoint: string;
  /** What each service answers now; change it at any time (the next request uses it). */
  plan: Record<Service, (nthCall: number) => Answer>;
  /** Requests received per service (served or not). */
  readonly calls: Record<Service, number>;
  /** Details of the events accepted, in order (a retried entry appears again). */
  readonly events: Record<string, unknown>[];
  /** Messages SNS accepted, in order. */
  readonly messages: PublishedMessage[];
  /** Answers every request left hanging with a 500 (so that clients stuck on them move on). */
  releaseHanging(): void;
  close(): Promise<void>;
}

/** Credentials and region for SDK clients pointed at the stand-in. */
export const STANDIN_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'standin', secretAccessKey: 'standin' },
} as const;

export async function startAwsStandin(): Promise<AwsStandin> {
  const hanging = new Set<ServerResponse>();
  const standin: Omit<AwsStandin, 'endpoint' | 'close' | 'releaseHanging'> = {
    plan: { events: () => 'serve', sns: () => 'serve' },
    calls: { events: 0, sns: 0 },
    events: [],
    messages: [],
  };

  const server = createServer((request, response) => {
    readBody(request).then(
      (body) => answer(request, response, body),
      () => response.destroy(),
    );
  });

  function answer(request: IncomingMessage, response: ServerResponse, body: string): void {
    const target = request.headers['x-amz-target'];
    const service: Service | null = target === 'AWSEvents.PutEvents' ? 'events' : body.includes('Action=Publish') ? 'sns' : null;
    if (service === null) {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'UnknownOperationException' }));
      return;
    }
    standin.calls[service]++;
    const planned = standin.plan[service](standin.calls[service]);
    if (planned === 'hang') {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (typeof planned === 'object' && 'status' in planned) {
      if (service === 'events') {
        response.writeHead(planned.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: planned.code, message: 'stand-in' }));
      } else {
        response.writeHead(planned.status, { 'content-type': 'text/xml' }).end(snsError(planned.code));
      }
      return;
    }
    if (service === 'events') {
      const entries = (JSON.parse(body) as { Entries: { Detail: string }[] }).Entries;
      const details = entries.map((entry) => JSON.parse(entry.Detail) as Record<string, unknown>);
      const failing = typeof planned === 'object' ? planned.failEntries : () => false;
      const results = details.map((detail) => {
        if (failing(detail)) return { ErrorCode: 'InternalFailure', ErrorMessage: 'stand-in entry failure' };
        standin.events.push(detail);
        return { EventId: randomUUID() };
      });
      const failed = results.filter((result) => 'ErrorCode' in result).length;
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ FailedEntryCount: failed, Entries: results }));
      return;
    }
    const form = new URLSearchParams(body);
    const structure = form.get('MessageStructure');
    const raw = form.get('Message') ?? '';
    const protocols = structure === 'json' ? (JSON.parse(raw) as Record<string, string>) : null;
    const attributes: Record<string, string> = {};
    for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
      attributes[form.get(`MessageAttributes.entry.${n}.Name`) ?? ''] = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '';
    }
    standin.messages.push({
      topicArn: form.get('TopicArn') ?? '',
      message: protocols === null ? raw : String(protocols.default ?? ''),
      messageStructure: structure,
      subject: form.get('Subject'),
      protocols,
      attributes,
    });
    response
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
  }

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const releaseHanging = (): void => {
    for (const response of hanging) {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'InternalFailure' }));
    }
    hanging.clear();
  };
  return Object.assign(standin, {
    endpoint: `http://127.0.0.1:${port}`,
    releaseHanging,
    close: async () => {
      for (const response of hanging) response.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

function snsError(code: string): string {
  return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>stand-in</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
