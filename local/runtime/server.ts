/**
 * npm start's HTTP server on 127.0.0.1: the guards every request passes
 * before it is routed (CONTRACT §12: only this machine's own Host names, so no
 * page elsewhere reaches it through DNS rebinding; no page of another site
 * changes anything, request-guards.ts), the keep-alive it advertises and keeps,
 * the request log (LOG_FORMAT=text), a generic 500 for a route that fails, and
 * listening and closing. A port it cannot take is a StartupError.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import { writeJson } from '../http-adapter';
import { crossSiteRefusal, isOwnHost, MISDIRECTED_PAGE_HEADERS, misdirectedPage } from '../request-guards';
import { logRequest } from '../request-log';
import type { Lifecycle } from './lifecycle';
import { errorName } from './schedules';

/** A clear, user-facing start-up failure (busy port, no Java, ...). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * How long an idle connection is kept. A client that reuses a connection the
 * server is closing gets EPIPE or "other side closed" for a request that never
 * arrived (a POST is not retried). Node's server advertises its own timeout
 * (`Keep-Alive: timeout=5`) and closes at exactly that, and Node's fetch drops
 * an idle connection a second before it: on a busy machine a client that reads
 * the response a second late reuses a connection the server has just closed
 * (seen as the e2e 413 test's EPIPE, issue 43). So the server advertises 5 s
 * and keeps an idle connection 65 s: every client has let it go long before.
 */
export const KEEP_ALIVE = { advertisedSeconds: 5, serverMs: 65_000 } as const;

/** The port npm start listens on, once it does (PORT=0 picks one): the Host check and the console's links read it. */
export interface LocalAddress {
  port: number;
  /** The console's base, for the links in the alerts, the digest and the Tasks: npm start's own URL (the console is served at /), null before it listens on PORT=0. */
  consoleUrl(): string | null;
}

export function localAddress(port: number): LocalAddress {
  const address = { port, consoleUrl: () => (address.port === 0 ? null : `http://127.0.0.1:${address.port}/`) };
  return address;
}

/** A request past the guards. */
export type LocalRouter = (request: IncomingMessage, response: ServerResponse, method: string, path: string) => Promise<void>;

export interface LocalServerOptions {
  route: LocalRouter;
  /** The routes another server calls, signed (the webhook, the FHIR notifications): not held to the cross-site rule. */
  serverToServer(path: string): boolean;
  /** After each request that may have changed the table (any but GET and HEAD), once answered. */
  afterChange(): void;
  logger: Pick<Logger, 'error'>;
  /** LOG_FORMAT=text: a line per request. */
  requestLog?: ((line: string) => void) | undefined;
}

/** Listens on `address.port` (the one it got, with 0), until the runtime stops. */
export async function startServer(address: LocalAddress, options: LocalServerOptions, lifecycle: Lifecycle): Promise<number> {
  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    // Clients keep an idle connection for what this says, less a second; the server keeps it far longer (KEEP_ALIVE).
    if (!/\bclose\b/i.test(request.headers.connection ?? '')) response.setHeader('keep-alive', `timeout=${KEEP_ALIVE.advertisedSeconds}`);
    if (options.requestLog) logRequest(response, { method, path }, options.requestLog);
    guarded(address, options, request, response, method, path)
      .catch((error: unknown) => {
        options.logger.error('local request failed', { error_name: errorName(error) });
        if (!response.headersSent) writeJson(response, 500, { error: { code: 'internal_error', message: 'internal error' } });
      })
      // A request that changed the table (a webhook, an action, a sweep) is on the stream now: read it without waiting out the idle pause.
      .finally(() => {
        if (method !== 'GET' && method !== 'HEAD') options.afterChange();
      });
  });
  server.keepAliveTimeout = KEEP_ALIVE.serverMs;
  server.headersTimeout = KEEP_ALIVE.serverMs + 1_000;
  address.port = await listen(server, address.port);
  lifecycle.onStop(() => close(server));
  return address.port;
}

/** The Host check and the cross-site refusal, then the route. */
async function guarded(address: LocalAddress, options: LocalServerOptions, request: IncomingMessage, response: ServerResponse, method: string, path: string): Promise<void> {
  const { port } = address;
  // A browser asking for the console under another Host (a port forward to another port) gets a page saying what to open.
  if (!isOwnHost(request.headers.host, port)) {
    if (method === 'GET' && path === '/') {
      response.writeHead(421, MISDIRECTED_PAGE_HEADERS);
      return void response.end(misdirectedPage(request.headers.host, port));
    }
    const message = `npm start answers only Host 127.0.0.1:${port} or localhost:${port}; through a port forward, forward the same port (ssh -L ${port}:127.0.0.1:${port} ...)`;
    return writeJson(response, 421, { error: { code: 'misdirected_request', message } });
  }
  const refusal = options.serverToServer(path) ? null : crossSiteRefusal(method, request.headers, port);
  if (refusal !== null) return writeJson(response, 403, { error: { code: 'forbidden', message: refusal } });
  return options.route(request, response, method, path);
}

/** Listens on `port` once and closes again: a StartupError when it is taken (the real listen may still lose a race). */
export async function assertPortFree(port: number): Promise<void> {
  const probe = createServer();
  await listen(probe, port);
  await close(probe);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(`port ${port} is already in use: set PORT to a free port`));
      else if (error.code === 'EACCES') reject(new StartupError(`port ${port} needs privileges: set PORT to 1024 or above`));
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
