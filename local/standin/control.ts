/**
 * The control surface the stand-ins share (the Junction API's, local/junction-standin.ts,
 * and the FHIR server's, local/fhir-standin.ts): routes under `/_standin/` beside the
 * service they stand in for, never faulted and never logged.
 *
 * Server side, a stand-in lists its routes (`ControlRoutes`: "METHOD path" to a handler,
 * and patterns for the paths that carry an id) and `answerControl` finds the one a
 * request asks for: 404 `{detail: "Not Found"}` when none, 400 `{detail}` when its body
 * is not what the route takes (a zod error); anything else the stand-in answers itself.
 *
 * Client side, `controlClient` calls those routes of a stand-in in another process
 * (e.g. `npm run junction-api`), which each stand-in's `connect...` turns into its
 * control interface.
 */
import * as z from 'zod';

/** What a control route answers: a status and a JSON body (none for 204). */
export interface ControlAnswer {
  status: number;
  body?: unknown;
}

/** One control route: `params` are its path's captured ids (decoded by the stand-in's pattern), `body` reads the request's JSON. */
export type ControlHandler = (request: { params: readonly string[]; body: () => Promise<unknown> }) => Promise<ControlAnswer>;

export interface ControlRoutes {
  /** Routes with an id in their path, tried first, in order. */
  patterns: readonly { method: string; path: RegExp; handler: ControlHandler }[];
  /** The routes without, by "METHOD /_standin/..." */
  fixed: Readonly<Record<string, ControlHandler>>;
}

/** The answer of the route `method pathname` names; 404 when none does, 400 when zod refuses its body. */
export async function answerControl(routes: ControlRoutes, method: string, pathname: string, body: () => Promise<unknown>): Promise<ControlAnswer> {
  try {
    for (const pattern of routes.patterns) {
      const match = method === pattern.method ? pattern.path.exec(pathname) : null;
      if (match) return await pattern.handler({ params: match.slice(1).filter((param) => param !== undefined), body });
    }
    const route = `${method} ${pathname}`;
    const handler = Object.hasOwn(routes.fixed, route) ? routes.fixed[route] : undefined;
    return handler ? await handler({ params: [], body }) : { status: 404, body: { detail: 'Not Found' } };
  } catch (error) {
    if (error instanceof z.ZodError) return { status: 400, body: { detail: z.prettifyError(error) } };
    throw error;
  }
}

/** A route that answers 204 after `act`. */
export const noContent =
  (act: (body: () => Promise<unknown>) => Promise<void> | void): ControlHandler =>
  async ({ body }) => {
    await act(body);
    return { status: 204 };
  };

/** A route that answers 200 `{[key]: what read gives}`. */
export const listing =
  (key: string, read: () => Promise<unknown> | unknown): ControlHandler =>
  async () => ({ status: 200, body: { [key]: await read() } });

export interface ControlClientOptions {
  /** How a failed call's error starts, e.g. `fhir stand-in`. */
  name: string;
  /** Headers of every call (e.g. the API key). */
  headers?: Record<string, string>;
  /** Whether a failed call's error ends with the answer's body. */
  withAnswer?: boolean;
}

/** The control routes of a stand-in at `origin`, over HTTP. */
export interface ControlClient {
  /** Calls `method /_standin{path}`: the answer's JSON (null for a 204); throws on a status that is not 2xx. */
  call(method: string, path: string, body?: unknown): Promise<unknown>;
  /** The same, for a route whose answer says nothing. */
  done(method: string, path: string, body?: unknown): Promise<void>;
  /** The answer's field `key`, as `schema` reads it. */
  read<T>(schema: z.ZodType<T>, key: string, method: string, path: string, body?: unknown): Promise<T>;
}

export function controlClient(origin: string, options: ControlClientOptions): ControlClient {
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${origin}/_standin${path}`, {
      method,
      headers: { ...options.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      const answer = options.withAnswer === true ? `: ${await response.text()}` : '';
      throw new Error(`${options.name}: ${method} /_standin${path} answered ${response.status}${answer}`);
    }
    return response.status === 204 ? null : response.json();
  }
  return {
    call,
    done: async (method, path, body) => {
      await call(method, path, body);
    },
    read: async <T>(schema: z.ZodType<T>, key: string, method: string, path: string, body?: unknown) =>
      z.object({ [key]: schema }).parse(await call(method, path, body))[key] as T,
  };
}
