/**
 * A misbehaving FHIR server for tests (CONTRACT §13's answers): a node:http
 * proxy in front of the stand-in FHIR server that forwards every request,
 * except those a test scripted, which it answers with raw responses of its
 * own: a redirect to a login page (which it serves as 200 HTML), an HTML 200,
 * an empty answer, a huge body, a 404/405/408/413 with or without a body, a
 * searchset Bundle of the test's making. It logs every request it saw.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A raw answer: a status, headers, and a body (a string, or `bytes` of filler streamed in 64 KiB chunks). */
export interface RawAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** A body of this many bytes of filler, streamed (for a body over the client's bound). */
  bytes?: number;
}

export interface ScriptedRule {
  method?: string;
  /** Matched against the request's path and query, as requested. */
  path: RegExp;
  /** Absent: the request is forwarded (after `before`). */
  answer?: RawAnswer;
  /** Done before the request is answered or forwarded (something that happens while a request is in flight). */
  before?: () => Promise<void>;
  /** How many requests it answers (default 'always'). */
  times?: number | 'always';
}

export interface SeenRequest {
  method: string;
  path: string;
  /** Whether a scripted rule answered it (else the stand-in did, or the login page). */
  scripted: boolean;
}

export interface MisbehavingServer {
  /** The origin, e.g. http://127.0.0.1:1234 (the stand-in's paths are served under it). */
  origin: string;
  /** The login page a scripted redirect may point at: answered 200 HTML, and logged. */
  loginUrl: string;
  script(rule: ScriptedRule): void;
  clear(): void;
  seen: SeenRequest[];
  stop(): Promise<void>;
}

const LOGIN_PATH = '/login';
const LOGIN_PAGE = '<!doctype html><html><head><title>Sign in</title></head><body><form method="post"><input name="user"></form></body></html>';

export async function startMisbehavingServer(upstreamOrigin: string): Promise<MisbehavingServer> {
  const rules: (ScriptedRule & { left: number | 'always' })[] = [];
  const seen: SeenRequest[] = [];
  const upstream = new URL(upstreamOrigin);

  const server: Server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    if (path === LOGIN_PATH) {
      seen.push({ method, path, scripted: false });
      return answerRaw(response, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: LOGIN_PAGE });
    }
    const rule = takeRule(method, path);
    seen.push({ method, path, scripted: rule !== null });
    const answer = rule?.answer;
    if (answer !== undefined) {
      // The request's body is read and dropped, as a gateway would.
      request.resume();
      request.on('end', () => void (rule?.before ?? (async () => undefined))().then(() => answerRaw(response, answer)));
      return;
    }
    if (rule?.before !== undefined) void rule.before().then(() => forward(request, response));
    else forward(request, response);
  });

  function takeRule(method: string, path: string): ScriptedRule | null {
    const index = rules.findIndex((rule) => (rule.method === undefined || rule.method === method) && rule.path.test(path));
    if (index < 0) return null;
    const rule = rules[index]!;
    if (rule.left !== 'always') {
      rule.left -= 1;
      if (rule.left <= 0) rules.splice(index, 1);
    }
    return rule;
  }

  function forward(request: IncomingMessage, response: ServerResponse): void {
    const headers = { ...request.headers, host: upstream.host };
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    out.on('error', () => {
      if (!response.headersSent) response.writeHead(502).end();
      else response.destroy();
    });
    request.pipe(out);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    loginUrl: `${origin}${LOGIN_PATH}`,
    seen,
    script: (rule) => void rules.push({ ...rule, left: rule.times ?? 'always' }),
    clear: () => void rules.splice(0, rules.length),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answerRaw(response: ServerResponse, answer: RawAnswer): void {
  response.on('error', () => undefined);
  if (answer.bytes === undefined) {
    const body = answer.body ?? '';
    response.writeHead(answer.status, { 'content-length': String(Buffer.byteLength(body)), ...answer.headers });
    response.end(body);
    return;
  }
  // A huge body, streamed: the client stops reading at its bound and leaves.
  response.writeHead(answer.status, { 'content-length': String(answer.bytes), ...answer.headers });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let left = answer.bytes;
  const write = (): void => {
    while (left > 0 && !response.destroyed) {
      const size = Math.min(left, chunk.length);
      left -= size;
      if (!response.write(size === chunk.length ? chunk : chunk.subarray(0, size))) return void response.once('drain', write);
    }
    if (!response.destroyed) response.end();
  };
  write();
}
