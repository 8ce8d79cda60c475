/**
 * A stand-in for the console's CloudFront distribution and the HTTP API's JWT
 * routes behind it (lib/console.ts), on http://127.0.0.1:<port>, for the
 * console's browser test with the Cognito stand-in (./cognito-standin.ts):
 *
 * - the default behaviour: the private bucket through origin access control.
 *   The built page (lib/console-build.ts `buildConsoleFiles`, the same bytes the
 *   stack uploads) and config.json as the stack writes it; a missing key is
 *   S3's 403 AccessDenied, a query string is ignored as S3 ignores it.
 * - the `/api/*` behaviour: the HTTP API unchanged (every viewer header but
 *   Host), its JWT routes (CONSOLE_READ_PATHS, CONSOLE_ACTION_PATH) with the
 *   HttpUserPoolAuthorizer as API Gateway documents it
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html),
 *   then the real query and actions handlers with a payload 2.0 event, on the
 *   DynamoDB Local that `npm start` runs. As API Gateway does, the event carries
 *   the request's headers (Authorization among them) and the authorizer's claims;
 *   the handlers verify the access token themselves against the Cognito
 *   stand-in's keys (functions/shared/access-token.ts) and never read the claims.
 * - every answer, both behaviours, carries the stack's response headers policy.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONSOLE_ACT_SCOPE, CONSOLE_ACTION_PATH, CONSOLE_READ_PATHS, CONSOLE_RESOURCE_SERVER, consoleConfig, consoleContentSecurityPolicy } from '../../lib/console-contract';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler, MAX_ACTION_BODY_BYTES, payloadTooLargeResponse } from '../../functions/follow-up-actions/app';
import { createQueryHandler } from '../../functions/query/app';
import { CONSOLE_API_PREFIX } from '../../functions/shared/actor';
import { buildConsoleFiles, type BuiltFile } from '../../lib/console-build';
import { localTable } from '../../local/dynamodb-local';
import { MAX_REQUEST_BYTES, readBodyWithin, toApiGatewayEvent, writeResult } from '../../local/http-adapter';
import type { CognitoStandin } from './cognito-standin';

export interface ConsoleGatewayOptions {
  cognito: CognitoStandin;
  /** The console's app client: the authorizer's one audience. */
  clientId: string;
  /** The DynamoDB Local that an `npm start` runs (its banner prints `DynamoDB: <endpoint>`). */
  dynamodbEndpoint: string;
  /** npm start's table ('redraw-tracker' by default). */
  tableName: string;
  /** CLOSE_REQUIRES_GROUP of the actions function; null or absent: everyone signed in. */
  closeGroup?: string | null;
  /** Listen on this port (one picked beforehand, so that the Cognito stand-in can register the URL first); 0 or absent: a free one. */
  port?: number;
}

/** What the gateway records for a request whose client closed the connection before the answer (nginx's 499). */
export const CLIENT_CLOSED_REQUEST = 499;

export interface GatewayRequest {
  method: string;
  path: string;
  /** Whether an Authorization header came with it ('bearer': one did, with or without the `Bearer ` prefix). */
  authorization: 'none' | 'bearer';
  /** The status answered: 0 until the answer is sent, CLIENT_CLOSED_REQUEST when the browser went away first (a closed page or tab). */
  status: number;
}

export interface ConsoleGateway {
  /** `http://127.0.0.1:PORT/`: the console's URL (the stack's ConsoleUrl output). */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Every request, oldest first. */
  requests: GatewayRequest[];
  stop(): Promise<void>;
}

/** The route's required scope (lib/console.ts: authorizationScopes on the action route). */
const ACT_SCOPE = `${CONSOLE_RESOURCE_SERVER}/${CONSOLE_ACT_SCOPE}`;

interface Route {
  method: 'GET' | 'POST';
  /** e.g. /api/follow-ups/{follow_up_id} */
  template: string;
  segments: string[];
  handler: 'query' | 'actions';
  scopes: readonly string[];
}

const ROUTES: readonly Route[] = [
  ...CONSOLE_READ_PATHS.map((path) => route('GET', `${CONSOLE_API_PREFIX}${path}`, 'query', [])),
  route('POST', `${CONSOLE_API_PREFIX}${CONSOLE_ACTION_PATH}`, 'actions', [ACT_SCOPE]),
];

function route(method: Route['method'], template: string, handler: Route['handler'], scopes: readonly string[]): Route {
  return { method, template, segments: template.split('/').slice(1), handler, scopes };
}

/** API Gateway's answers of its own (not the function's). */
const NOT_FOUND = { message: 'Not Found' };
const UNAUTHORIZED = { message: 'Unauthorized' };
const FORBIDDEN = { message: 'Forbidden' };

/** Starts the stand-in; the console is built once, the handlers are made once. */
export async function startConsoleGateway(options: ConsoleGatewayOptions): Promise<ConsoleGateway> {
  const { cognito, clientId } = options;
  const files = buildConsoleFiles();
  const db = localTable(options.dynamodbEndpoint);
  const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  // As deployed (functions/query/handler.ts, functions/follow-up-actions/handler.ts): the actor from the request
  // (actorSource 'iam', the handlers' AWS default: a console user from the access token, verified against the
  // pool's keys, here the stand-in's), the default thresholds, cursor secret and zone (UTC).
  const accessTokens = cognito.accessTokens(clientId);
  const query = createQueryHandler({ db, tableName: options.tableName, logger: silent, actorSource: 'iam', accessTokens });
  const actions = createFollowUpActionsHandler({
    db,
    tableName: options.tableName,
    thresholds: DEFAULT_THRESHOLDS,
    logger: silent,
    actorSource: 'iam',
    closeGroup: options.closeGroup ?? null,
    accessTokens,
  });
  const securityHeaders = responseHeadersPolicy(cognito.origin);
  const requests: GatewayRequest[] = [];

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const entry: GatewayRequest = { method: request.method ?? 'GET', path, authorization: request.headers.authorization === undefined ? 'none' : 'bearer', status: 0 };
    requests.push(entry);
    response.on('finish', () => {
      entry.status = response.statusCode;
    });
    // A page closed while its request was in flight: 'finish' never comes, and the request is no longer anyone's to wait for.
    response.on('close', () => {
      if (entry.status === 0) entry.status = CLIENT_CLOSED_REQUEST;
    });
    // The behaviour's path pattern `/api/*`: `/api` itself is the bucket's.
    const behaviour = path.startsWith(`${CONSOLE_API_PREFIX}/`) ? api(request, response, path) : bucket(request, response, path);
    behaviour.catch(() => {
      if (!response.headersSent) apiGatewayJson(response, 500, { message: 'Internal Server Error' }, securityHeaders);
      else response.destroy();
    });
  });

  // The default behaviour: GET and HEAD only (AllowedMethods' default), the bucket's objects by key.
  const bucket = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    for await (const _chunk of request) {
      // drained: the bucket reads no body
    }
    const method = request.method ?? 'GET';
    const file = method === 'GET' || method === 'HEAD' ? objectAt(files, path) : undefined;
    if (file === undefined) {
      // OAC without s3:ListBucket: a missing key is 403 AccessDenied, never 404; a method the behaviour refuses is CloudFront's 403.
      const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
      response.writeHead(403, { 'content-type': 'application/xml', ...securityHeaders });
      return void response.end(method === 'HEAD' ? undefined : body);
    }
    response.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length, ...securityHeaders });
    response.end(method === 'HEAD' ? undefined : file.body);
  };

  const api = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    const method = request.method ?? 'GET';
    const matched = matchRoute(method, path);
    // The body is read first (bounded), but answered for only after the route and the authorizer, in API Gateway's order.
    const actionRoute = matched?.route.handler === 'actions';
    const body = await readBodyWithin(request, actionRoute ? MAX_ACTION_BODY_BYTES : MAX_REQUEST_BYTES);
    // API Gateway's own 10 MB limit comes before any route's; the action route's 4,096 bytes are its function's answer (below).
    if (body === null && !actionRoute) return apiGatewayJson(response, 413, { message: 'Request Entity Too Large' }, securityHeaders);
    if (matched === null) return apiGatewayJson(response, 404, NOT_FOUND, securityHeaders);
    const authorized = authorize(request.headers.authorization, matched.route);
    if (authorized.kind === 'unauthorized') return apiGatewayJson(response, 401, UNAUTHORIZED, { ...securityHeaders, 'www-authenticate': authorized.challenge });
    if (authorized.kind === 'forbidden') return apiGatewayJson(response, 403, FORBIDDEN, securityHeaders);
    if (body === null) return writeResult(response, withHeaders(payloadTooLargeResponse(), securityHeaders));
    const routeKey = `${matched.route.method} ${matched.route.template}`;
    const event = toApiGatewayEvent(request, body, routeKey);
    // CloudFront forwards every viewer header but Host (AllViewerExceptHostHeader), Authorization included, and API Gateway
    // passes it on to the function; payload 2.0 moves cookies out of the headers.
    delete event.headers.host;
    const cookie = event.headers.cookie;
    delete event.headers.cookie;
    const lambdaEvent = {
      ...event,
      ...(cookie === undefined ? {} : { cookies: cookie.split(';').map((part) => part.trim()).filter((part) => part !== '') }),
      pathParameters: matched.pathParameters,
      requestContext: { ...event.requestContext, authorizer: { jwt: { claims: claimsAsPassed(authorized.claims), scopes: null } } },
    };
    let result;
    try {
      result = matched.route.handler === 'query' ? await query(lambdaEvent) : await actions(lambdaEvent);
    } catch {
      // A function that throws is API Gateway's 500, never the error.
      return apiGatewayJson(response, 500, { message: 'Internal Server Error' }, securityHeaders);
    }
    writeResult(response, withHeaders(result, securityHeaders));
  };

  /**
   * The JWT authorizer: the token from Authorization (alone or after `Bearer `),
   * its key, signature, iss and times by the issuer's key (the stand-in's
   * `verify`: offline, as API Gateway checks, so revocation does not reach it),
   * then the audience (`aud`, or `client_id` when there is no `aud`), then the
   * route's scopes (`scope` or `scp`: at least one of them).
   */
  const authorize = (
    header: string | undefined,
    matched: Route,
  ): { kind: 'ok'; claims: Record<string, unknown> } | { kind: 'unauthorized'; challenge: string } | { kind: 'forbidden' } => {
    if (header === undefined || header.trim() === '') return { kind: 'unauthorized', challenge: 'Bearer' };
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : header.trim();
    const claims = cognito.verify(token);
    // Only the audience's wording is documented (http-api-troubleshooting-jwt.html); the others are the stand-in's.
    if (claims === null) return { kind: 'unauthorized', challenge: bearerChallenge('the token is not valid: its key, signature, issuer or time') };
    const audience = claims.aud !== undefined ? claims.aud : claims.client_id;
    const audiences = Array.isArray(audience) ? audience : [audience];
    if (!audiences.some((value) => value === clientId)) return { kind: 'unauthorized', challenge: bearerChallenge('the token does not have a valid audience') };
    if (matched.scopes.length > 0) {
      const granted = String(claims.scope ?? claims.scp ?? '').split(' ');
      if (!matched.scopes.some((scope) => granted.includes(scope))) return { kind: 'forbidden' };
    }
    return { kind: 'ok', claims };
  };

  const listenPort = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  const origin = `http://127.0.0.1:${listenPort}`;
  const url = `${origin}/`;
  files.set('/config.json', { body: Buffer.from(JSON.stringify(consoleConfig({ signInOrigin: cognito.origin, clientId, url }))), contentType: 'application/json', immutable: false, firstLoad: true });

  return {
    url,
    origin,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The bucket's object for a path: `/` is the default root object (index.html); S3 ignores the query string. */
function objectAt(files: ReadonlyMap<string, BuiltFile>, path: string): BuiltFile | undefined {
  return files.get(path === '/index.html' ? '/' : path);
}

/** The route a request matches, and its path parameters; a literal segment wins over a `{name}` one (`/follow-ups/counts`). */
function matchRoute(method: string, path: string): { route: Route; pathParameters: Record<string, string> } | null {
  const segments = path.split('/').slice(1);
  const candidates = ROUTES.filter((candidate) => candidate.method === method && candidate.segments.length === segments.length)
    .map((candidate) => {
      const pathParameters: Record<string, string> = {};
      for (const [index, part] of candidate.segments.entries()) {
        const actual = segments[index] ?? '';
        const name = /^\{(.+)\}$/.exec(part)?.[1];
        if (name === undefined) {
          if (actual !== part) return null;
        } else {
          if (actual === '') return null;
          pathParameters[name] = decodeSegment(actual);
        }
      }
      return { route: candidate, pathParameters, literal: candidate.segments.filter((part) => !part.startsWith('{')).length };
    })
    .filter((candidate) => candidate !== null)
    .sort((a, b) => b.literal - a.literal);
  const best = candidates[0];
  return best === undefined ? null : { route: best.route, pathParameters: best.pathParameters };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Claims as API Gateway passes a JWT's claims to a payload 2.0 integration:
 * every value a string (numbers and booleans written out, a list as
 * `[a b c]`, an object as its JSON), a null claim left out.
 */
export function claimsAsPassed(claims: Record<string, unknown>): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === null || value === undefined) continue;
    passed[name] = claimValue(value);
  }
  return passed;
}

function claimValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item))).join(' ')}]`;
  return JSON.stringify(value);
}

/** The stack's ResponseHeadersPolicy (lib/console.ts), on both behaviours, overriding the origin's. */
function responseHeadersPolicy(signInOrigin: string): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(signInOrigin),
    // accessControlMaxAge 730 days, includeSubdomains.
    'strict-transport-security': `max-age=${730 * 24 * 60 * 60}; includeSubDomains`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

/** The `www-authenticate` API Gateway sends with a refused token (http-api-troubleshooting-jwt.html). */
function bearerChallenge(description: string): string {
  return `Bearer scope="" error="invalid_token" error_description="${description}"`;
}

function apiGatewayJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function withHeaders<T extends { headers?: Record<string, string | number | boolean> | undefined }>(result: T, headers: Record<string, string>): T {
  return { ...result, headers: { ...result.headers, ...headers } };
}
