/**
 * The CLI's HTTP client when what listens is not a tracker that answers: a
 * server that resets every connection as it accepts it. Node's fetch never
 * settles then, and AbortSignal.timeout's timer does not keep the process
 * alive, so the CLI used to exit 13 (an unsettled await) without a word; the
 * client's own timer makes it a clear "no tracker answers" (exit 3).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../cli/errors';
import { createTrackerClient } from '../../cli/tracker-client';

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((socket) => socket.destroy());
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((closed) => server.close(closed));
});

describe('the tracker client', () => {
  it('gives up with exit 3 and a message when the connection is reset as it is accepted, instead of hanging', async () => {
    const client = createTrackerClient(
      { kind: 'local', baseUrl: `http://127.0.0.1:${port}`, label: 'the local tracker' },
      { fetch, now: () => new Date(), requestTimeoutMs: 500 },
    );
    const failure = await client.get('/redraws').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CliError);
    expect(failure).toMatchObject({ exitCode: EXIT.unreachable, message: expect.stringContaining(`no tracker answers at http://127.0.0.1:${port}`) });
  });
});
