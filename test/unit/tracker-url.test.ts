/**
 * Where scripts find a running tracker (local/tracker-url.ts): TRACKER_URL wins,
 * else where `npm start` listens for the same PORT (checked against npm start's
 * own settings parser), and a helpful line when nothing answers there.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/shared/config';
import { parseLocalSettings } from '../../local/config';
import { assertTrackerAnswers, DEFAULT_TRACKER_PORT, noTrackerMessage, resolveTrackerUrl, TrackerUnreachableError } from '../../local/tracker-url';
import { freePort } from '../support/npm-start';

/** Where `npm start` listens with this environment (local/runtime.ts listens on 127.0.0.1:PORT). */
const npmStartUrl = (env: NodeJS.ProcessEnv) => `http://127.0.0.1:${parseLocalSettings(env).PORT}`;

describe('resolveTrackerUrl', () => {
  it("uses npm start's default port when neither TRACKER_URL nor PORT is set", () => {
    expect(resolveTrackerUrl({})).toEqual({ url: npmStartUrl({}), from: 'default' });
    expect(DEFAULT_TRACKER_PORT).toBe(parseLocalSettings({}).PORT);
  });

  it('finds the tracker where `npm start` put it for the same PORT', () => {
    for (const port of ['3456', '8080', '65535', '1']) {
      expect(resolveTrackerUrl({ PORT: port })).toEqual({ url: npmStartUrl({ PORT: port }), from: 'PORT' });
    }
    expect(resolveTrackerUrl({ PORT: '3456' }).url).toBe('http://127.0.0.1:3456');
  });

  it('lets TRACKER_URL win over PORT, without reading PORT at all', () => {
    expect(resolveTrackerUrl({ TRACKER_URL: 'http://localhost:4000', PORT: '3456' })).toEqual({ url: 'http://localhost:4000', from: 'TRACKER_URL' });
    expect(resolveTrackerUrl({ TRACKER_URL: 'http://localhost:4000', PORT: 'not a port' }).url).toBe('http://localhost:4000');
  });

  it('drops trailing slashes of TRACKER_URL and keeps its path (an API stage)', () => {
    expect(resolveTrackerUrl({ TRACKER_URL: 'http://127.0.0.1:3000/' }).url).toBe('http://127.0.0.1:3000');
    expect(resolveTrackerUrl({ TRACKER_URL: 'https://api.example.com/prod//' }).url).toBe('https://api.example.com/prod');
  });

  it('treats an empty TRACKER_URL or PORT as unset', () => {
    expect(resolveTrackerUrl({ TRACKER_URL: '', PORT: '' })).toEqual({ url: npmStartUrl({}), from: 'default' });
    expect(resolveTrackerUrl({ TRACKER_URL: '  ', PORT: '3456' })).toEqual({ url: 'http://127.0.0.1:3456', from: 'PORT' });
  });

  it.each([
    [{ PORT: '0' }, /^invalid configuration: PORT: .*TRACKER_URL to the URL its banner printed/],
    [{ PORT: '70000' }, /^invalid configuration: PORT: must be a port number$/],
    [{ PORT: 'abc' }, /^invalid configuration: PORT: must be a port number$/],
    [{ PORT: '3000.5' }, /^invalid configuration: PORT: must be a port number$/],
    [{ TRACKER_URL: 'ftp://127.0.0.1:3000' }, /^invalid configuration: TRACKER_URL: must be an http\(s\) URL/],
    [{ TRACKER_URL: '127.0.0.1:3000' }, /^invalid configuration: TRACKER_URL: must be an http\(s\) URL/],
    [{ TRACKER_URL: 'http://127.0.0.1:3000/?x=1' }, /^invalid configuration: TRACKER_URL: must be a base URL/],
  ])('refuses %o by name', (env, message) => {
    expect(() => resolveTrackerUrl(env)).toThrow(ConfigError);
    expect(() => resolveTrackerUrl(env)).toThrow(message);
  });
});

describe('noTrackerMessage', () => {
  it('names the URL and says how to start the tracker there', () => {
    expect(noTrackerMessage(resolveTrackerUrl({ PORT: '3456' }))).toBe(
      'no tracker answers at http://127.0.0.1:3456 (from PORT=3456): start it with `PORT=3456 npm start`, or set PORT (or TRACKER_URL) to where it listens',
    );
    expect(noTrackerMessage(resolveTrackerUrl({}))).toBe(
      'no tracker answers at http://127.0.0.1:3000: start it with `npm start` (started with PORT=...? set the same PORT here, or TRACKER_URL)',
    );
    expect(noTrackerMessage(resolveTrackerUrl({ TRACKER_URL: 'http://localhost:4000' }))).toBe(
      'no tracker answers at http://localhost:4000 (from TRACKER_URL): start it with `npm start`, or set TRACKER_URL to the URL its banner printed',
    );
  });
});

describe('assertTrackerAnswers', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  /** A server on 127.0.0.1 answering every request with this status and body. */
  async function serve(status: number, body: string): Promise<number> {
    server = createServer((_request, response) => response.writeHead(status, { 'content-type': 'application/json' }).end(body));
    return new Promise((done) => server!.listen(0, '127.0.0.1', () => done((server!.address() as { port: number }).port)));
  }

  it('resolves when GET /health answers as a tracker does', async () => {
    const port = await serve(200, '{"ok":true}');
    await expect(assertTrackerAnswers(resolveTrackerUrl({ PORT: String(port) }))).resolves.toBeUndefined();
  });

  it('says no tracker answers, and how to start one, when nothing listens', async () => {
    const port = await freePort();
    const location = resolveTrackerUrl({ PORT: String(port) });
    await expect(assertTrackerAnswers(location)).rejects.toThrow(TrackerUnreachableError);
    await expect(assertTrackerAnswers(location)).rejects.toThrow(noTrackerMessage(location));
  });

  it('says when something else answers on that port', async () => {
    const port = await serve(404, '{"message":"Not Found"}');
    await expect(assertTrackerAnswers(resolveTrackerUrl({ PORT: String(port) }))).rejects.toThrow(
      `http://127.0.0.1:${port} answers GET /health with 404, not as a tracker does`,
    );
  });
});
