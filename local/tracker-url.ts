/**
 * Where a running tracker is, for every script that talks to one over HTTP
 * (`npm run simulate`, the ops CLI): `TRACKER_URL` when set, else where
 * `npm start` listens, `http://127.0.0.1:${PORT:-3000}`. One rule in one place,
 * so that `PORT=3456 npm start` and `PORT=3456 npm run simulate` meet.
 */
import * as z from 'zod';
import { parseEnv } from '../functions/shared/config';

/** `npm start`'s port when PORT is not set (local/config.ts; a unit test keeps the two equal). */
export const DEFAULT_TRACKER_PORT = 3000;

/** `npm start` listens on this host only. */
const TRACKER_HOST = '127.0.0.1';

/** An empty variable (`TRACKER_URL= npm run ...`) counts as unset. */
const unsetIfBlank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const TrackerUrlEnv = z.object({
  TRACKER_URL: z.preprocess(
    unsetIfBlank,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:3000' })
      .refine((value) => !/[?#]/.test(value), 'must be a base URL, without a query or fragment')
      .optional(),
  ),
});

const TrackerPortEnv = z.object({
  PORT: z.preprocess(
    unsetIfBlank,
    z.coerce
      .number({ error: 'must be a port number' })
      .int('must be a port number')
      // PORT=0 lets `npm start` pick a port: only its banner knows which one.
      .min(1, 'must be the port `npm start` listens on (with PORT=0, set TRACKER_URL to the URL its banner printed)')
      .max(65_535, 'must be a port number')
      .optional(),
  ),
});

/** What `GET /health` of a tracker answers. */
const HealthAnswer = z.object({ ok: z.literal(true) });

export interface TrackerLocation {
  /** The base URL, without a trailing slash: e.g. http://127.0.0.1:3000 */
  url: string;
  /** Which setting decided the URL, for the messages below. */
  from: 'TRACKER_URL' | 'PORT' | 'default';
}

/**
 * The tracker's base URL from the environment: `TRACKER_URL` wins (PORT is then
 * not read at all), else `http://127.0.0.1:${PORT}`, else port 3000. Throws a
 * ConfigError naming the bad setting.
 */
export function resolveTrackerUrl(env: NodeJS.ProcessEnv = process.env): TrackerLocation {
  const { TRACKER_URL } = parseEnv(TrackerUrlEnv, env);
  if (TRACKER_URL !== undefined) return { url: TRACKER_URL.replace(/\/+$/, ''), from: 'TRACKER_URL' };
  const { PORT } = parseEnv(TrackerPortEnv, env);
  return { url: `http://${TRACKER_HOST}:${PORT ?? DEFAULT_TRACKER_PORT}`, from: PORT === undefined ? 'default' : 'PORT' };
}

/** Nothing (or not a tracker) answers at the resolved URL: the message says how to fix it. */
export class TrackerUnreachableError extends Error {
  override readonly name = 'TrackerUnreachableError';
}

/** The one-line hint when no tracker answers at `location`, naming the setting that chose it. */
export function noTrackerMessage(location: TrackerLocation): string {
  const from = location.from === 'default' ? '' : ` (from ${location.from === 'PORT' ? `PORT=${portOf(location)}` : 'TRACKER_URL'})`;
  return `no tracker answers at ${location.url}${from}: ${howToReach(location)}`;
}

function howToReach(location: TrackerLocation): string {
  switch (location.from) {
    case 'TRACKER_URL':
      return 'start it with `npm start`, or set TRACKER_URL to the URL its banner printed';
    case 'PORT':
      return `start it with \`PORT=${portOf(location)} npm start\`, or set PORT (or TRACKER_URL) to where it listens`;
    case 'default':
      return 'start it with `npm start` (started with PORT=...? set the same PORT here, or TRACKER_URL)';
  }
}

function portOf(location: TrackerLocation): string {
  return new URL(location.url).port || String(DEFAULT_TRACKER_PORT);
}

/**
 * Resolves once `GET /health` answers `{"ok":true}`; otherwise throws a
 * TrackerUnreachableError that says what to do ({@link noTrackerMessage}).
 */
export async function assertTrackerAnswers(location: TrackerLocation, timeoutMs = 5_000): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${location.url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw new TrackerUnreachableError(noTrackerMessage(location));
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && HealthAnswer.safeParse(body).success) return;
  throw new TrackerUnreachableError(
    `${location.url} answers GET /health with ${response.status}, not as a tracker does (another program on that port?): ${howToReach(location)}`,
  );
}
