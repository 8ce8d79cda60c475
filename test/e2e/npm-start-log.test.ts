/**
 * What `npm start` prints while it works (issue 33): by default (LOG_FORMAT=text)
 * one readable line per request after its banner, so the webhook secret stays
 * in view; with LOG_FORMAT=json every function's Powertools JSON at info, as on
 * AWS. Driven as a user does: webhooks of a redraw flow, reads, a sweep.
 * The second npm start runs on the first one's DynamoDB Local (DYNAMODB_ENDPOINT,
 * its own table as each has): what it prints is about LOG_FORMAT, not a JVM.
 */
import { describe, expect, it } from 'vitest';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { eventually } from '../support/npm-start';
import { postSigned, useTrackers } from '../support/tracker-process';
import { newSecret } from '../support/webhook';

const DAY = 86_400_000;
const secret = newSecret();
/** Stopped after the file, the one that runs the shared DynamoDB Local last. */
const trackers = useTrackers();
/** The first npm start's DynamoDB Local, from its banner: the next one uses it. */
let dynamodb: string | undefined;

/**
 * Starts npm start with `settings`, walks a redraw through it (its webhooks, two
 * reads, a sweep, once its follow-up is open) and answers what it printed after
 * its banner, and how many requests the walk made.
 */
async function walk(settings: Record<string, string>): Promise<{ after: string[]; stderr: string; requests: number; banner: string }> {
  const tracker = await trackers.start({ JUNCTION_WEBHOOK_SECRET: secret, TABLE_NAME: `log-${freshId()}`, ...(dynamodb === undefined ? {} : { DYNAMODB_ENDPOINT: dynamodb }), ...settings });
  const banner = await tracker.banner();
  dynamodb ??= /DynamoDB: (http:\/\/127\.0\.0\.1:\d+)/.exec(tracker.stdout())?.[1];
  let requests = 1; // the health check that found it ready
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  for (const delivery of buildDeliveries(redrawFlow(ids, 'not_created', new Date(Date.now() - 3 * DAY)))) {
    const response = await postSigned(tracker, delivery.body);
    requests++;
    expect(response.status).toBe(200);
  }
  await eventually(
    async () => {
      requests++;
      return (await fetch(`${tracker.url}/follow-ups/${ids.transactionId}`)).status;
    },
    (status) => status === 200,
    30_000,
    200,
  );
  for (const [method, path] of [['GET', `/orders/${ids.initialId}`], ['POST', '/local/sweep'], ['GET', '/redraws?state=stale']] as const) {
    await (await fetch(`${tracker.url}${path}`, { method })).text();
    requests++;
  }
  // The stream has written its last version; nothing more is on its way.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = tracker.stdout().slice(banner.length).split('\n').filter((line) => line.trim() !== '');
  return { after, stderr: tracker.stderr(), requests, banner };
}

describe('npm start prints', () => {
  it('one readable line per request by default, the webhook results among them, and no JSON log at info', async () => {
    const { after, stderr, requests, banner } = await walk({});
    expect(banner).toMatch(/Webhook secrets: 1 from JUNCTION_WEBHOOK_SECRET/);
    expect(after).toHaveLength(requests);
    for (const line of after) expect(line).toMatch(/^\d{2}:\d{2}:\d{2} (GET|POST) \/\S* \d{3}( [a-z_]+)? \d+ ms$/);
    expect(after.filter((line) => / POST \/webhooks\/junction 200 (applied|duplicate|stale) /.test(line)).length).toBeGreaterThan(3);
    expect(after.some((line) => line.includes(' POST /local/sweep 200 '))).toBe(true);
    expect(`${after.join('\n')}\n${stderr}`).not.toMatch(/"level":"INFO"/);
    expect(`${after.join('\n')}\n${stderr}`).not.toContain(PHI_CANARY);
  }, 180_000);

  it('every function\'s JSON log at info with LOG_FORMAT=json, as on AWS', async () => {
    const { after } = await walk({ LOG_FORMAT: 'json' });
    const json = after.filter((line) => line.startsWith('{'));
    expect(json.length).toBeGreaterThan(0);
    expect(json.some((line) => line.includes('"level":"INFO"'))).toBe(true);
    expect(after.filter((line) => /^\d{2}:\d{2}:\d{2} (GET|POST) /.test(line))).toEqual([]);
  }, 180_000);
});
