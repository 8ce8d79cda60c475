/**
 * The simulator's line on closing a follow-up from the EHR (local/simulator/ehr.ts,
 * CONTRACT §13): with the tracker's Tasks at the stand-in, a curl that, pasted,
 * completes the follow-up's Task as Practitioner/123; at another FHIR server, what
 * to do there; nothing while FHIR is off. The tracker here is a stub answering GET
 * /local/fhir as npm start does (test/e2e/fhir.test.ts runs the real one).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { ehrCloseLine } from '../../local/simulator/ehr';

let standin: FhirStandin;
let tracker: Server;
let trackerUrl = '';
/** What the stub tracker's GET /local/fhir answers: FHIR off (409), or on with this base URL. */
let fhirBase: string | null = null;
/** Its poll interval (FHIR_POLL_SECONDS; null: FHIR_EHR_ACTIONS off, or a tracker before issue 84). */
let pollSeconds: number | null = 300;

beforeAll(async () => {
  standin = await startFhirStandin();
  tracker = createServer((request, response) => {
    if (request.url === '/local/fhir' && fhirBase !== null) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ base_url: fhirBase, follow_ups: 1, poll_seconds: pollSeconds }));
    } else {
      response.writeHead(request.url === '/local/fhir' ? 409 : 404, { 'content-type': 'application/json' }).end('{"error":{"code":"fhir_not_configured"}}');
    }
  });
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
  trackerUrl = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await standin.stop();
  await new Promise<void>((resolve) => tracker.close(() => resolve()));
});

/** Runs a line's curl as a reader pastes it into a shell. */
function runCurl(line: string): Promise<string> {
  const command = /(curl -s -X POST '[^']+' -d '[^']+')/.exec(line)?.[1];
  expect(command, line).toBeDefined();
  return new Promise((resolve, reject) => execFile('sh', ['-c', command!], (error, stdout) => (error ? reject(error) : resolve(stdout))));
}

describe('the simulator\'s line on closing a follow-up from the EHR', () => {
  it('is a curl that completes the follow-up\'s Task at the stand-in as Practitioner/123, once the writer has made it', async () => {
    fhirBase = standin.url;
    const lineSoon = ehrCloseLine(trackerUrl, 'fu-sim', 5_000);
    // The writer runs behind the stream: the Task comes a moment later.
    await new Promise((wake) => setTimeout(wake, 300));
    const made = await standin.control.createTask({ resourceType: 'Task', status: 'ready', intent: 'order', identifier: [{ system: 'urn:redraw-tracker:follow-up', value: 'fu-sim' }] });
    const line = await lineSoon;
    expect(line).toBe(
      `Close follow-up fu-sim from the EHR, as Practitioner/123 there: curl -s -X POST '${standin.origin}/local/ehr/Task/${made.id}' -d '{"status":"completed","author":"Practitioner/123"}'; ` +
        `the tracker reads it back within 300 s (FHIR_POLL_SECONDS), at once with a Subscription, as ehr:Practitioner/123's close (curl -s '${trackerUrl}/follow-ups/fu-sim')`,
    );
    expect(JSON.parse(await runCurl(line!))).toMatchObject({ task: { id: made.id, status: 'completed', meta: { author: { reference: 'Practitioner/123' } } } });
    expect((await standin.control.provenances()).map((provenance) => provenance.agent[0]?.who.reference)).toEqual(['Practitioner/123']);
  });

  it('says to complete the Task in the EHR at another FHIR server, and is nothing while FHIR is off', async () => {
    fhirBase = `${trackerUrl}/fhir/R4`;
    pollSeconds = 60;
    expect(await ehrCloseLine(trackerUrl, 'fu-real', 1_000)).toBe(
      `Close follow-up fu-real from the EHR: complete its Task at ${trackerUrl}/fhir/R4 as a person there; the tracker reads it back within 60 s (FHIR_POLL_SECONDS), at once with a Subscription, as that person's close (curl -s '${trackerUrl}/follow-ups/fu-real')`,
    );
    pollSeconds = null;
    expect(await ehrCloseLine(trackerUrl, 'fu-real', 1_000)).toContain('the tracker reads it back within FHIR_POLL_SECONDS, at once with a Subscription, as that person');
    fhirBase = null;
    expect(await ehrCloseLine(trackerUrl, 'fu-off', 1_000)).toBeNull();
    expect(await ehrCloseLine(trackerUrl, null, 1_000)).toBeNull();
  });
});
