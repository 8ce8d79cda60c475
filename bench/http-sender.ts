/**
 * The Svix stand-in of the local-ingest section, run as a child process
 * (bench/local-ingest.ts forks it): it delivers a stream over real HTTP, so
 * that the servers under test keep their process (and its CPU account) to
 * themselves, as they would behind Svix. `senders` deliveries at once over
 * keep-alive connections, every attempt signed anew with the same message id,
 * any non-2xx answer or connection error retried with a short back-off.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { signSvixMessage } from '../functions/core/svix';
import { forEachLimited } from '../functions/shared/concurrency';

export interface SendOrder {
  url: string;
  secret: string;
  senders: number;
  messages: { svixId: string; body: string }[];
}

export interface SendResult {
  attempts: number;
  non2xx: number;
  gaveUp: number;
  seconds: number;
  latencies: number[];
  answers: Record<string, number>;
  /** CPU of this sender process over the run, µs. */
  cpuMicros: number;
}

const MAX_ATTEMPTS = 10;

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function resultOf(status: number, body: string): string {
  if (status >= 500) return String(status);
  const match = /"result"\s*:\s*"([^"]+)"/.exec(body);
  return match?.[1] ?? String(status);
}

export async function send(order: SendOrder): Promise<SendResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: order.senders });
  const url = new URL(order.url);
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  let attempts = 0;
  let non2xx = 0;
  let gaveUp = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await forEachLimited(order.messages, order.senders, async (message) => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'svix-id': message.svixId,
        'svix-timestamp': String(timestamp),
        'svix-signature': signSvixMessage({ secret: order.secret, messageId: message.svixId, timestamp, rawBody: message.body }),
      };
      attempts++;
      const started = performance.now();
      let status: number;
      let result: string;
      try {
        const answer = await post(agent, url, headers, message.body);
        status = answer.status;
        result = resultOf(status, answer.body);
      } catch (error) {
        status = 0;
        result = error instanceof Error ? error.name : 'error';
      }
      latencies.push(performance.now() - started);
      answers[result] = (answers[result] ?? 0) + 1;
      if (status >= 200 && status < 300) return;
      non2xx++;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    }
    gaveUp++;
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return { attempts, non2xx, gaveUp, seconds, latencies, answers, cpuMicros: cpu.user + cpu.system };
}

// As a forked child: one SendOrder per message, one SendResult back.
if (process.send !== undefined && process.env.BENCH_HTTP_SENDER === '1') {
  process.on('message', (order: SendOrder) => {
    send(order).then(
      (result) => process.send!(result),
      (error: unknown) => process.send!({ error: String(error) }),
    );
  });
  process.send('ready');
}
