/**
 * Servers on 127.0.0.1 for the FHIR transport's tests (functions/fhir): a real
 * OAuth token endpoint that checks what a client sends (a SMART client assertion
 * verified with jose and the client's public key, or a Basic header), and a
 * scriptable FHIR server that records each request. Each answers what the test
 * chose, or never answers ('hang'), or streams a body as large as it is told
 * (endless, if need be), minding backpressure and recording how much went out
 * and whether the client closed the connection first.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, exportPKCS8, exportSPKI, generateKeyPair, jwtVerify, type CryptoKey, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A body streamed in 64 KiB chunks of `fill`: `bytes` of it (Infinity: until the client closes), its Content-Length declared or not (chunked). */
export interface Streamed {
  bytes: number;
  declareLength?: boolean;
  /** Stop after this many bytes and hold the connection open (a body that stalls). */
  stallAfter?: number;
  fill?: string;
}

export type Scripted = { status: number; body?: unknown; headers?: Record<string, string> } | { status: number; stream: Streamed; headers?: Record<string, string> } | 'hang';

/** What went out of one streamed answer, kept current while it streams. */
export interface StreamSent {
  sent: number;
  /** The client closed the connection before the whole body was sent. */
  closedEarly: boolean;
  /** The whole body was sent. */
  finished: boolean;
}

export interface Listening {
  url: string;
  requests: Received[];
  /** One per streamed answer, in order. */
  streams: StreamSent[];
  close(): Promise<void>;
}

/** A key pair as a SMART client holds it: the private key as PKCS#8 PEM, the public one as SPKI PEM. */
export interface ClientKey {
  alg: 'RS384' | 'ES384';
  privatePem: string;
  publicPem: string;
  publicKey: CryptoKey;
}

export async function clientKey(alg: 'RS384' | 'ES384'): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, privatePem: await exportPKCS8(privateKey), publicPem: await exportSPKI(publicKey), publicKey };
}

/** Starts `handle` on 127.0.0.1; 'hang' holds the request open until the server closes. */
async function listen(handle: (request: Received) => Promise<Scripted> | Scripted): Promise<Listening & { server: Server }> {
  const requests: Received[] = [];
  const streams: StreamSent[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      requests.push(received);
      void Promise.resolve(handle(received)).then((answer) => {
        if (answer === 'hang') return;
        if ('stream' in answer) {
          const headers = { 'content-type': 'application/json', ...(answer.stream.declareLength && Number.isFinite(answer.stream.bytes) ? { 'content-length': String(answer.stream.bytes) } : {}), ...answer.headers };
          streams.push(streamBody(res.writeHead(answer.status, headers), answer.stream));
          return;
        }
        // No Content-Type for an answer without a body unless the test gives one.
        if (answer.body === undefined) return void res.writeHead(answer.status, answer.headers).end();
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    requests,
    streams,
    // Closing twice is fine: a test may close a server to see a refused connection.
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Writes `stream` to `res` a chunk at a time, waiting for 'drain' (so the server never holds more than a socket's buffers). */
function streamBody(res: ServerResponse, stream: Streamed): StreamSent {
  const record: StreamSent = { sent: 0, closedEarly: false, finished: false };
  const chunk = Buffer.alloc(64 * 1024, stream.fill ?? 'a');
  const end = Math.min(stream.bytes, stream.stallAfter ?? Number.POSITIVE_INFINITY);
  res.on('close', () => {
    if (!record.finished) record.closedEarly = true;
  });
  const pump = (): void => {
    while (!res.destroyed && record.sent < end) {
      const part = end - record.sent >= chunk.length ? chunk : chunk.subarray(0, end - record.sent);
      record.sent += part.length;
      if (!res.write(part)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed && record.sent >= stream.bytes) {
      record.finished = true;
      res.end();
    }
  };
  pump();
  return record;
}

export interface Verified {
  kind: 'assertion' | 'basic';
  /** False for an assertion jose refused (its header kept, to show what was sent). */
  valid: boolean;
  form: URLSearchParams;
  /** For an assertion: its header and claims, as jose verified them. */
  header?: ProtectedHeaderParameters;
  claims?: JWTPayload;
  /** For Basic: the id and secret decoded (form-urlencoding undone). */
  basic?: { clientId: string; secret: string };
}

export interface TokenEndpointOptions {
  clientId: string;
  /** The client's key (assertions are verified with it), or its secret. */
  key?: ClientKey;
  secret?: string;
  /** What the endpoint answers (`index`: of the request, from 0); by default a new token `access-<n>` for a valid request, 401 invalid_client otherwise. */
  answer?: (request: Received, verified: Verified | null, index: number) => Scripted;
  /** The clock the assertion's times are checked against (default: now). */
  clock?: () => number;
  expiresIn?: number;
}

export interface TokenEndpoint extends Listening {
  tokenUrl: string;
  verified: Verified[];
  options: TokenEndpointOptions;
}

export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<TokenEndpoint> {
  const verified: Verified[] = [];
  let issued = 0;
  let answered = 0;
  let tokenUrl = '';
  const listening = await listen(async (request) => {
    const check = await verify(request, options, tokenUrl);
    if (check !== null) verified.push(check);
    if (options.answer) return options.answer(request, check, answered++);
    if (check === null || !check.valid) return { status: 401, body: { error: 'invalid_client' } };
    issued += 1;
    return { status: 200, body: { access_token: `access-${issued}`, token_type: 'bearer', expires_in: options.expiresIn ?? 300, scope: check.form.get('scope') } };
  });
  tokenUrl = `${listening.url}/auth/token`;
  return { ...listening, tokenUrl, verified, options };
}

/** What the request proves, or null when it proves nothing the endpoint knows. */
async function verify(request: Received, options: TokenEndpointOptions, tokenUrl: string): Promise<Verified | null> {
  const form = new URLSearchParams(request.body);
  if (request.method !== 'POST' || !String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return null;
  if (form.get('grant_type') !== 'client_credentials') return null;
  const assertion = form.get('client_assertion');
  if (assertion !== null && options.key) {
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return null;
    try {
      const { payload, protectedHeader } = await jwtVerify(assertion, options.key.publicKey, {
        algorithms: [options.key.alg],
        issuer: options.clientId,
        subject: options.clientId,
        audience: tokenUrl,
        requiredClaims: ['jti', 'exp'],
        currentDate: new Date((options.clock ?? Date.now)()),
        typ: 'JWT',
      });
      return { kind: 'assertion', valid: true, form, header: protectedHeader, claims: payload };
    } catch {
      return { kind: 'assertion', valid: false, form, header: decodeProtectedHeader(assertion) as ProtectedHeaderParameters };
    }
  }
  const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''));
  if (basic && options.secret !== undefined) {
    const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    const decoded = { clientId: decodeForm(id ?? ''), secret: decodeForm(secret ?? '') };
    if (decoded.clientId === options.clientId && decoded.secret === options.secret) return { kind: 'basic', valid: true, form, basic: decoded };
  }
  return null;
}

function decodeForm(value: string): string {
  return new URLSearchParams(`v=${value}`).get('v') ?? '';
}

/** A FHIR server that answers what `answer` says and records each request. */
export async function startFhirServer(answer: (request: Received) => Scripted): Promise<Listening> {
  const { server: _server, ...listening } = await listen(answer);
  return listening;
}
