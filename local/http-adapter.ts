/**
 * Turns a plain Node HTTP request into the API Gateway HTTP API (payload v2)
 * event that the Lambda handlers receive on AWS, and their result back into an
 * HTTP response, so that `npm start` runs the very same handlers.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { rememberBody } from './request-log';

/** API Gateway HTTP APIs refuse bodies over 10 MB before any Lambda runs. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * Past this many bytes of a body already over its limit, the 413 is sent at once
 * instead of after the whole request: what still comes is read and dropped all
 * the same, so the client can finish sending and read the answer.
 */
export const ANSWER_EARLY_PAST_BYTES = 64 * 1024 * 1024;

/**
 * Reads a body that a route caps at `limit` bytes (default: API Gateway's 10 MB):
 * the bytes when within it, else `null`. Past the limit nothing more is kept, so
 * memory stays bounded whatever the size, and the request is never cut off: a
 * client that is still sending when the server stops reading (or destroys the
 * request, as leaving a `for await` early does) gets a connection reset (EPIPE)
 * instead of its 413. So the rest is read and dropped, and the answer comes once
 * the request has arrived, or, past ANSWER_EARLY_PAST_BYTES, at once while the rest
 * is still dropped as it comes.
 */
export function readBodyWithin(request: IncomingMessage, limit = MAX_REQUEST_BYTES, answerEarlyPast = ANSWER_EARLY_PAST_BYTES): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stopListening = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buffer.length;
      if (size <= limit) chunks.push(buffer);
      else if (size > answerEarlyPast) {
        // Answered now; the request keeps flowing with no listener, so the rest is dropped as it comes.
        stopListening();
        request.on('error', () => undefined);
        resolve(null);
      }
    };
    const onEnd = () => {
      stopListening();
      resolve(size > limit ? null : Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      stopListening();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

const TEXT_TYPES = /^(application\/(json|[\w.+-]+\+json|x-www-form-urlencoded)|text\/)/i;

/**
 * The v2 event for a request. Like API Gateway, a text body is passed as a
 * string and anything else (or invalid UTF-8) base64-encoded with
 * `isBase64Encoded`. Either way the handler gets back the exact bytes received
 * (functions/webhook/verified-body.ts `rawBodyOf`): the Svix signature covers them.
 */
export function toApiGatewayEvent(request: IncomingMessage, body: Buffer, routeKey = '$default'): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const text = TEXT_TYPES.test(headers['content-type'] ?? 'application/json') ? decodeUtf8(body) : null;
  const now = new Date();
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? (text !== null ? { body: text, isBase64Encoded: false } : { body: body.toString('base64'), isBase64Encoded: true }) : { isBase64Encoded: false }),
  };
}

/**
 * The body as text if it is valid UTF-8, else null. The decoder keeps a leading
 * byte-order mark (`ignoreBOM`; by default it drops one), so encoding the text
 * again gives the very bytes received.
 */
function decodeUtf8(body: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return null;
  }
}

/** Writes a handler's structured result as the HTTP response. */
export function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) response.setHeader('set-cookie', result.cookies);
  response.writeHead(result.statusCode ?? 200, headers);
  const body = result.body ?? '';
  rememberBody(response, result.isBase64Encoded ? '' : body);
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

/** A JSON response, for the local-only routes. */
export function writeJson(response: ServerResponse, statusCode: number, body: unknown): void {
  writeResult(response, { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Listens on 127.0.0.1 at `port` (0: any free one) and resolves with the port taken; a busy port rejects (EADDRINUSE). */
export function listenOnLoopback(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
