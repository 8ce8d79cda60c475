/**
 * A proxy in front of DynamoDB Local, on the wire: it counts the requests each
 * operation makes (retries included), keeps their JSON bodies, and injects the
 * faults DynamoDB and the network produce, as HTTP: throttling and server-error
 * answers, a connection reset before the request reaches the table, a request
 * that is never answered (the client's timeout), and the nasty one, an answer
 * lost after the table applied the write. Everything else is the real engine.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ProxyFault =
  /** Answered by the proxy with this HTTP status and AWS error type; the table never sees the request. */
  | { kind: 'answer'; status: number; errorType: string; message?: string; headers?: Record<string, string> }
  /** The connection is reset before the request reaches the table. */
  | { kind: 'reset_before' }
  /** Never answered, never forwarded: the client's own timeout ends it. */
  | { kind: 'silent' }
  /** Forwarded and applied by the table; the answer is lost (connection reset). */
  | { kind: 'lost_answer' }
  /** A BatchGetItem answered 200 with every requested key unprocessed (as under throttling); the table never sees it. */
  | { kind: 'unprocessed_keys' };

export interface ProxiedRequest {
  /** DynamoDB operation (`PutItem`, `TransactWriteItems`, ...). */
  operation: string;
  body: Record<string, unknown>;
  fault: ProxyFault['kind'] | null;
  /** The client's `user-agent` header: which client sent it, when the client names itself (`customUserAgent`). */
  userAgent: string;
}

export interface DynamoDbProxy {
  endpoint: string;
  /** Every request received, in order. */
  requests: ProxiedRequest[];
  /** Requests received by operation. */
  counts(): Record<string, number>;
  /** Decides the fault of each request (none by default), from its operation and, when it matters (one item's key), its JSON body. */
  fault: (operation: string, body: Record<string, unknown>) => ProxyFault | null;
  /**
   * Holds a request back (none by default): when it returns a promise, the request is
   * forwarded as it is once that settles (a slow table, for as long as a test needs).
   */
  hold: (operation: string, body: Record<string, unknown>) => Promise<unknown> | null;
  reset(): void;
  close(): Promise<void>;
}

/** AWS's JSON error body, as DynamoDB spells it. */
export function errorBody(errorType: string, message = `injected by the proxy: ${errorType}`): string {
  return JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${errorType}`, message });
}

export async function startDynamoDbProxy(target: string): Promise<DynamoDbProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: Omit<DynamoDbProxy, 'endpoint' | 'close'> = {
    requests: [],
    counts: () => proxy.requests.reduce<Record<string, number>>((counts, { operation }) => ({ ...counts, [operation]: (counts[operation] ?? 0) + 1 }), {}),
    fault: () => null,
    hold: () => null,
    reset() {
      proxy.requests.length = 0;
      proxy.fault = () => null;
      proxy.hold = () => null;
    },
  };

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, loseAnswer: boolean) => {
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (part: Buffer) => parts.push(part));
        answer.on('end', () => {
          if (loseAnswer) {
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(parts));
        });
      },
    );
    out.on('error', () => res.socket?.destroy());
    out.end(body);
  };

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const userAgent = String(req.headers['user-agent'] ?? '');
      const held = proxy.hold(operation, parsed);
      if (held !== null) {
        proxy.requests.push({ operation, body: parsed, fault: null, userAgent });
        void held.finally(() => forward(req, body, res, false));
        return;
      }
      const fault = proxy.fault(operation, parsed);
      proxy.requests.push({ operation, body: parsed, fault: fault?.kind ?? null, userAgent });
      switch (fault?.kind) {
        case 'answer':
          res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0', ...fault.headers }).end(errorBody(fault.errorType, fault.message));
          return;
        case 'reset_before':
          req.socket.destroy();
          return;
        case 'silent':
          return;
        case 'unprocessed_keys': {
          const { RequestItems } = JSON.parse(body.toString('utf8')) as { RequestItems?: unknown };
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ Responses: {}, UnprocessedKeys: RequestItems ?? {} }));
          return;
        }
        default:
          forward(req, body, res, fault?.kind === 'lost_answer');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
}
