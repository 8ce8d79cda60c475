/**
 * The reference workload (./machine-speed.ts): a fixed piece of the work the
 * suite's processes do, run in a process of its own, so that its CPU time says
 * how fast this machine runs that kind of work today. It starts node, loads the
 * packages the tracker's code loads (reading their files, compiling them), then
 * builds, serializes, validates and hashes a fixed set of records, and prints
 * its own CPU seconds (user + system, from its start) as one JSON line.
 * Nothing in it depends on the repository's code, so a commit cannot move it;
 * a package upgrade can, and the budget's reference is measured again then.
 * Plain JavaScript: run by plain node, without tsx's transform cache.
 */
import { createHash } from 'node:crypto';
import process from 'node:process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import * as z from 'zod';

const Item = z.object({
  id: z.string().regex(/^order-\d+$/),
  status: z.enum(['ordered', 'collecting_sample', 'completed', 'redraw_available', 'cancelled']),
  at: z.iso.datetime(),
  markers: z.array(z.object({ code: z.string(), missing: z.boolean() })),
});
const STATUSES = Item.shape.status.options;

const items = Array.from({ length: 4_000 }, (_, n) => ({
  id: `order-${n}`,
  status: STATUSES[n % STATUSES.length],
  at: new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString(),
  markers: Array.from({ length: 8 }, (_, m) => ({ code: `M${n}-${m}`, missing: (n + m) % 3 === 0 })),
}));
const hash = createHash('sha256');
for (let round = 0; round < 6; round += 1) {
  const text = JSON.stringify(items);
  const parsed = z.array(Item).parse(JSON.parse(text));
  hash.update(text).update(String(parsed.length));
}
// The clients are built, as every handler builds them at its start (nothing is sent).
DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }));
new Logger({ serviceName: 'machine-speed', logLevel: 'SILENT' });
middy(() => undefined);

const { user, system } = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ cpuSeconds: (user + system) / 1e6, digest: hash.digest('hex').slice(0, 16) })}\n`);
