/**
 * The console's CloudFront distribution and bucket as the template deploys
 * them, for the smoke rehearsal: a node:http server that serves the objects
 * the BucketDeployment uploads (its sources from the cloud assembly, the
 * deploy-time markers replaced by their resolved values, as its helper does)
 * on the distribution's default behaviour with the response headers policy
 * attached to it, and answers the `/api/*` behaviour as the HTTP API's routes
 * in the template would: a JWT-authorized route refuses a request without a
 * valid token with 401, as API Gateway's JWT authorizer does; it takes only the
 * tokens the test says the user pool issued (`accessTokens`, holding no signing
 * keys), and only when the behaviour's origin request policy forwards the
 * viewer's `Authorization` to the API (CloudFront drops it otherwise); GET
 * /api/me then answers the token's actor as the query function does. An IAM
 * route answers 403, no route 404.
 * A missing object is S3's 403 through origin access control.
 *
 * The distribution's domain name is the one the template resolves to
 * (deployment.ts: `<logical id>.cloudfront.net`); `fetch` reaches the server
 * for https://<that name>/..., as DNS and TLS would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative } from 'node:path';
import * as z from 'zod';
import type { Deployment } from './deployment';

const Resource = z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).default({}) });
const TemplateResources = z.object({ Resources: z.record(z.string(), Resource) });
const Ref = z.object({ Ref: z.string() });
const Behavior = z.object({ PathPattern: z.string().optional(), ResponseHeadersPolicyId: Ref.optional(), OriginRequestPolicyId: z.unknown().optional() });

/**
 * CloudFront's managed origin request policies that forward every viewer header to
 * the origin, Authorization with them (AllViewer; AllViewerExceptHostHeader, the
 * /api/* behaviour's): any other policy, or none, leaves Authorization out.
 */
const FORWARDS_AUTHORIZATION = new Set(['216adef6-5c7f-47e4-b989-5492eafa07d3', 'b689b0a8-53d0-40ab-baf2-68738e2966ac']);
const DistributionConfig = z.object({ DefaultRootObject: z.string().optional(), DefaultCacheBehavior: Behavior, CacheBehaviors: z.array(Behavior).default([]) });
const HeadersPolicyConfig = z.object({
  SecurityHeadersConfig: z.object({
    ContentSecurityPolicy: z.object({ ContentSecurityPolicy: z.unknown() }).optional(),
    ContentTypeOptions: z.object({}).loose().optional(),
    FrameOptions: z.object({ FrameOption: z.string() }).optional(),
    ReferrerPolicy: z.object({ ReferrerPolicy: z.string() }).optional(),
    StrictTransportSecurity: z.object({ AccessControlMaxAgeSec: z.number(), IncludeSubdomains: z.boolean().optional() }).optional(),
  }),
});
const Upload = z.object({
  SourceObjectKeys: z.array(z.string()),
  SourceMarkers: z.array(z.record(z.string(), z.unknown())).default([]),
  SourceMarkersConfig: z.array(z.object({ jsonEscape: z.boolean().optional() })).default([]),
});
const AssetFiles = z.object({ files: z.record(z.string(), z.object({ source: z.object({ path: z.string() }), destinations: z.record(z.string(), z.object({ objectKey: z.string() })) })) });

/** What the deployment helper's `aws s3 sync` sets as Content-Type, by extension. */
const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.json': 'application/json', '.js': 'text/javascript', '.css': 'text/css' };

export interface ConsoleObject {
  body: Buffer;
  contentType: string;
}

export interface ConsoleSite {
  /** The distribution's domain name as the template resolves it: what ConsoleUrl names. */
  domainName: string;
  /** The bucket's objects by key; a test may replace one (a stale or hand-edited upload) and put it back. */
  objects: Map<string, ConsoleObject>;
  /** Every request it answered: `GET /config.json`. */
  requests: string[];
  /** fetch, with https://<domainName>/... reaching this server (as DNS and TLS would) and every other URL as it is. */
  fetch: typeof fetch;
  close(): Promise<void>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** A route key's path (`/api/follow-ups/{follow_up_id}`) as a pattern of the request's path. */
function routePattern(path: string): RegExp {
  return new RegExp(`^${path.split('/').map((part) => (/^\{.+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`);
}

type Resources = [string, { Type: string; Properties: Record<string, unknown> }][];
type Resolve = Deployment['resolve'];

/**
 * Starts the stand-in of the stack's console from its cloud assembly and the resolved deployment.
 * `accessTokens`: the access tokens the user pool issued to the console's app client, with the actor each names.
 */
export async function startConsoleSite(assemblyDir: string, deployment: Deployment, accessTokens: ReadonlyMap<string, string> = new Map()): Promise<ConsoleSite> {
  const { stackName, resolve } = deployment;
  const resources: Resources = Object.entries(TemplateResources.parse(JSON.parse(readFileSync(join(assemblyDir, `${stackName}.template.json`), 'utf8'))).Resources);
  const [distributionId, distribution] = onlyOf(resources, 'AWS::CloudFront::Distribution');
  const config = DistributionConfig.parse(distribution.Properties.DistributionConfig);
  const domainName = String(resolve({ 'Fn::GetAtt': [distributionId, 'DomainName'] }));
  const objects = uploadedObjects(assemblyDir, stackName, resources, resolve);
  const routes = apiRoutes(resources, resolve);
  const headersOf = (policy: z.infer<typeof Ref> | undefined) => policyHeaders(resources, resolve, policy);
  const apiBehavior = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/api/*');
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
    requests.push(`${method} ${path}`);
    if (apiBehavior && path.startsWith('/api/')) {
      const forwardsAuthorization = FORWARDS_AUTHORIZATION.has(String(resolve(apiBehavior.OriginRequestPolicyId ?? '')));
      return answerApi(response, { method, path, authorization: forwardsAuthorization ? String(request.headers.authorization ?? '') : '' }, routes, accessTokens, headersOf(apiBehavior.ResponseHeadersPolicyId));
    }
    const headers = headersOf(config.DefaultCacheBehavior.ResponseHeadersPolicyId);
    const key = decodeURIComponent(path.slice(1)) || config.DefaultRootObject || '';
    const object = method === 'GET' || method === 'HEAD' ? objects.get(key) : undefined;
    if (!object) {
      response.writeHead(403, { 'content-type': 'application/xml', ...headers });
      return void response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    }
    response.writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length, ...headers });
    response.end(method === 'HEAD' ? undefined : object.body);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const reach: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol === 'https:' && url.hostname === domainName) return fetch(`${origin}${url.pathname}${url.search}`, init);
    return fetch(input, init);
  };
  return {
    domainName,
    objects,
    requests,
    fetch: reach,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

/** The template's one resource of `type`. */
function onlyOf(resources: Resources, type: string): Resources[number] {
  const found = resources.filter(([, resource]) => resource.Type === type);
  if (found.length !== 1) throw new Error(`the template has ${found.length} ${type}, the stand-in serves one`);
  return found[0]!;
}

/** The headers a behaviour's response headers policy adds. */
function policyHeaders(resources: Resources, resolve: Resolve, policy: z.infer<typeof Ref> | undefined): Record<string, string> {
  if (policy === undefined) return {};
  const resource = resources.find(([id]) => id === policy.Ref)?.[1];
  const { SecurityHeadersConfig: security } = HeadersPolicyConfig.parse(resource?.Properties.ResponseHeadersPolicyConfig);
  return {
    ...(security.ContentSecurityPolicy ? { 'content-security-policy': String(resolve(security.ContentSecurityPolicy.ContentSecurityPolicy)) } : {}),
    ...(security.ContentTypeOptions ? { 'x-content-type-options': 'nosniff' } : {}),
    ...(security.FrameOptions ? { 'x-frame-options': security.FrameOptions.FrameOption } : {}),
    ...(security.ReferrerPolicy ? { 'referrer-policy': security.ReferrerPolicy.ReferrerPolicy } : {}),
    ...(security.StrictTransportSecurity
      ? { 'strict-transport-security': `max-age=${security.StrictTransportSecurity.AccessControlMaxAgeSec}${security.StrictTransportSecurity.IncludeSubdomains ? '; includeSubDomains' : ''}` }
      : {}),
  };
}

/** The upload: each source's files, its markers replaced by their values (JSON-escaped where the source says so). */
function uploadedObjects(assemblyDir: string, stackName: string, resources: Resources, resolve: Resolve): Map<string, ConsoleObject> {
  const upload = Upload.parse(onlyOf(resources, 'Custom::CDKBucketDeployment')[1].Properties);
  const assets = AssetFiles.parse(JSON.parse(readFileSync(join(assemblyDir, `${stackName}.assets.json`), 'utf8'))).files;
  const objects = new Map<string, ConsoleObject>();
  upload.SourceObjectKeys.forEach((objectKey, index) => {
    const asset = Object.values(assets).find((file) => Object.values(file.destinations).some((destination) => destination.objectKey === objectKey));
    if (!asset) throw new Error(`no asset uploads ${objectKey}`);
    const dir = join(assemblyDir, asset.source.path);
    const markers = Object.entries(upload.SourceMarkers[index] ?? {}).map(([marker, value]) => {
      const text = String(resolve(value));
      return [marker, upload.SourceMarkersConfig[index]?.jsonEscape ? JSON.stringify(text).slice(1, -1) : text] as const;
    });
    for (const file of filesUnder(dir)) {
      let body = readFileSync(file);
      if (markers.length > 0) body = Buffer.from(markers.reduce((text, [marker, value]) => text.replaceAll(marker, value), body.toString('utf8')));
      objects.set(relative(dir, file).split('\\').join('/'), { body, contentType: CONTENT_TYPES[extname(file)] ?? 'binary/octet-stream' });
    }
  });
  return objects;
}

interface ApiRoute {
  method: string | undefined;
  pattern: RegExp;
  authorization: string;
}

/** The HTTP API's routes: `GET /api/me` -> its authorization type. */
function apiRoutes(resources: Resources, resolve: Resolve): ApiRoute[] {
  return resources
    .filter(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map(([, resource]) => {
      const [method, path] = String(resolve(resource.Properties.RouteKey)).split(' ');
      return { method, pattern: routePattern(path ?? ''), authorization: String(resolve(resource.Properties.AuthorizationType ?? 'NONE')) };
    });
}

/**
 * A request under /api/*, as the HTTP API would answer it before any function: no route, 404; a JWT route,
 * 401 without an access token of the pool (`authorization`: the header as the origin request policy forwards it);
 * an IAM route, 403 (a browser signs no request). GET /api/me with a token answers its actor.
 */
function answerApi(response: ServerResponse, request: { method: string; path: string; authorization: string }, routes: ApiRoute[], accessTokens: ReadonlyMap<string, string>, headers: Record<string, string>): void {
  const { method, path } = request;
  const json = (status: number, body: unknown, extra: Record<string, string>) => {
    response.writeHead(status, { 'content-type': 'application/json', ...extra });
    response.end(JSON.stringify(body));
  };
  const route = routes.find((candidate) => candidate.method === method && candidate.pattern.test(path));
  if (!route) return json(404, { message: 'Not Found' }, headers);
  if (route.authorization === 'JWT') {
    const bearer = /^Bearer (\S+)$/.exec(request.authorization)?.[1];
    const actor = bearer === undefined ? undefined : accessTokens.get(bearer);
    if (actor === undefined) return json(401, { message: 'Unauthorized' }, { ...headers, 'www-authenticate': 'Bearer' });
    if (method === 'GET' && path === '/api/me') return json(200, { actor }, headers);
    return json(500, { message: `the stand-in does not invoke ${method} ${path}` }, headers);
  }
  if (route.authorization === 'AWS_IAM') return json(403, { message: 'Forbidden' }, headers);
  return json(500, { message: `the stand-in does not invoke ${method} ${path} (authorization ${route.authorization})` }, headers);
}
