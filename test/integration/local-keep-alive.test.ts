/**
 * npm start keeps an idle connection open well past what it advertises (issue
 * 43: the e2e 413 test's EPIPE). Node's fetch lets an idle connection go a
 * second before the advertised `Keep-Alive: timeout`; a server that closes at
 * exactly that time loses, on a busy machine, the race with a client that read
 * its last response late, and the client's next POST meets a closed socket.
 * Through the runtime npm start runs, over a raw socket, so what is measured is
 * the server's own timer.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLocalSettings } from '../../local/config';
import { KEEP_ALIVE, startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { localEndpoint, testClient } from '../support/dynamodb';
import { freePort } from '../support/npm-start';
import { captureOutput } from '../support/webhook';

const tableName = `local-keep-alive-${randomUUID()}`;
const client = testClient();
let runtime: LocalRuntime;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  output = captureOutput();
  runtime = await startLocalRuntime(
    parseLocalSettings({ PORT: String(await freePort()), SWEEP_INTERVAL_SECONDS: '86400', DYNAMODB_ENDPOINT: localEndpoint(), TABLE_NAME: tableName }),
  );
});
afterAll(async () => {
  await runtime?.stop();
  output?.restore();
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
});

/** One response read off `socket` (headers and a Content-Length body), or `closed` when the server closed it first. */
function nextResponse(socket: Socket): Promise<{ head: string; body: string } | 'closed'> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const done = (answer: { head: string; body: string } | 'closed') => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('end', onClose);
      socket.off('error', onClose);
      resolve(answer);
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (received.length >= end + 4 + length) done({ head, body: received.subarray(end + 4, end + 4 + length).toString('utf8') });
    };
    const onClose = () => done('closed');
    // Closed while idle (no listener then): said at once.
    if (socket.destroyed || socket.readableEnded) return void resolve('closed');
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('end', onClose);
    socket.once('error', onClose);
  });
}

describe('npm start and idle connections', () => {
  it(`advertises Keep-Alive timeout=${KEEP_ALIVE.advertisedSeconds} once and still answers on the same connection after more than that idle`, async () => {
    const socket = connect(runtime.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    try {
      const request = `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${runtime.port}\r\n\r\n`;
      const first = nextResponse(socket);
      socket.write(request);
      const answer = await first;
      if (answer === 'closed') throw new Error('the server closed the connection before its first answer');
      expect(answer.head).toMatch(/^HTTP\/1\.1 200/);
      expect(answer.head.match(/\r\nkeep-alive:[^\r]*/gi)).toEqual([`\r\nkeep-alive: timeout=${KEEP_ALIVE.advertisedSeconds}`]);
      expect(answer.head).toMatch(/\r\nconnection: keep-alive/i);
      // Idle past the advertised time and a second and a half more: a client that read the answer late reuses it now.
      await new Promise((wake) => setTimeout(wake, KEEP_ALIVE.advertisedSeconds * 1000 + 1_500));
      const second = nextResponse(socket);
      socket.write(request);
      const again = await second;
      expect(again === 'closed' ? 'closed' : again.head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    } finally {
      socket.destroy();
    }
  }, 60_000);

  it('says nothing of keep-alive to a client that asked to close, and closes', async () => {
    const socket = connect(runtime.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    try {
      const answer = nextResponse(socket);
      socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${runtime.port}\r\nConnection: close\r\n\r\n`);
      const read = await answer;
      if (read === 'closed') throw new Error('the server closed the connection before its answer');
      expect(read.head).not.toMatch(/\r\nkeep-alive:/i);
      expect(read.head).toMatch(/\r\nconnection: close/i);
    } finally {
      socket.destroy();
    }
  });
});
