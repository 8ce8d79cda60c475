/**
 * The follow-ups' Tasks in the team's EHR (CONTRACT §13, issue 59) through the
 * path a user takes: the stand-in FHIR server (here in-process, as `npm run
 * fhir-server` starts it), `npm start` with FHIR_BASE_URL at it, and `npm run
 * simulate` with every chapter (the missing-results flows among them). Once the
 * FHIR writer's stream is idle, every follow-up the tracker lists, open and
 * closed, has exactly one Task on the stand-in, at its current content (its
 * stated content digest is what its content hashes to, and GET /follow-ups/{id}
 * says `current` at the follow-up's version), valid R4; GET /local/fhir counts
 * them all confirmed; the CLI says "In the EHR: up to date"; and the simulator
 * ends with the line on how to see them, then one on how to close a follow-up
 * from the EHR, whose curl completes that follow-up's Task as Practitioner/123.
 *
 * A Task changed in the EHR afterwards is found by the writer's poll alone,
 * within FHIR_POLL_SECONDS (1 s here).
 *
 * And FHIR off: a second `npm start` without FHIR_BASE_URL (on the first one's
 * DynamoDB Local, its own table) and the same simulation, beside a running
 * stand-in nobody configured: the stand-in sees not one request, GET /local/fhir
 * answers 409, every follow-up answers `"fhir": null`, and the simulator prints
 * no FHIR line.
 *
 * Why it takes its time (issue 87): three `npm start`s (FHIR on, FHIR off, FHIR
 * notifications) and two simulations with every chapter to their end, each
 * waited on until the FHIR writer's stream is idle; then the writer's poll on
 * its real 1 s timer and the Subscriptions' notifications within 5 s (of a free core:
 * ../support/core-share.ts). That
 * every follow-up of a real simulation has exactly one Task at its current
 * content, and that an EHR change is found by the poll alone, needs the writer
 * running as `npm start` runs it.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PHI_CANARY } from '../../local/junction/flows';
import { documentClientOf, documentTable } from '../../functions/store/document-table';
import { localDynamoDbClientConfig } from '../../local/dynamodb-local';
import type { Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { contentDigest, extensionUrls, taskStatusOf } from '../../functions/core/fhir/task';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { validateTask } from '../../local/fhir-validation';
import { runCliInProcess } from '../support/cli-in-process';
import { eventually, runToEnd, type CommandRun } from '../support/npm-start';
import { useTrackers, type Tracker } from '../support/tracker-process';
import { openFollowUpItem } from '../support/open-follow-up';
import { coreWait, secondsOfACore } from '../support/core-share';

/** The default systems (CONTRACT §13): npm start is given none. */
const SYSTEMS = { task: 'urn:redraw-tracker:follow-up', code: 'urn:redraw-tracker', order: 'urn:junction:order', owner: 'urn:redraw-tracker:owner', consoleUrl: null };
const URLS = extensionUrls(SYSTEMS);

const FhirView = z.object({ version: z.number(), confirmed_at: z.string(), state: z.enum(['deleted_in_ehr', 'conflict', 'changed_in_ehr', 'refused', 'behind', 'current']) });
const FollowUp = z.object({ id: z.string(), state: z.enum(['new', 'acknowledged', 'snoozed', 'closed']), disposition: z.string().nullable(), version: z.number() }).loose();
const Page = z.object({ items: z.array(FollowUp), next_cursor: z.string().nullable() });
const Detail = z.object({ follow_up: FollowUp, fhir: FhirView.nullable() }).loose();
const LocalFhir = z
  .object({
    base_url: z.string(),
    follow_ups: z.number(),
    confirmed: z.number(),
    behind: z.number(),
    refused: z.number(),
    changed_in_ehr: z.number(),
    conflict: z.number(),
    deleted_in_ehr: z.number(),
    never_sent: z.number(),
    pending: z.number(),
    poll_seconds: z.number().nullable(),
  })
  .strict();

async function getJson(url: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url);
  return { status: response.status, json: await response.json() };
}

/** Every follow-up the tracker lists, open and closed, every page. */
async function allFollowUps(base: string): Promise<z.output<typeof FollowUp>[]> {
  const items: z.output<typeof FollowUp>[] = [];
  for (const state of ['open', 'closed']) {
    let cursor: string | null = null;
    do {
      const answer = await getJson(`${base}/follow-ups?state=${state}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.status).toBe(200);
      const page = Page.parse(answer.json);
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
  }
  return items;
}

async function detail(base: string, id: string): Promise<z.output<typeof Detail>> {
  const answer = await getJson(`${base}/follow-ups/${encodeURIComponent(id)}`);
  expect(answer.status).toBe(200);
  return Detail.parse(answer.json);
}

/** The lines of a run's output, without trailing blank lines. */
const linesOf = (text: string): string[] => text.trimEnd().split('\n');

let fhir: FhirStandin;
/** Running, and given to nobody: the tracker with FHIR off must never reach it. */
let idle: FhirStandin;
let on: Tracker;
let off: Tracker;
let onRun: CommandRun;
let offRun: CommandRun;
/** GET /local/fhir once the writer's stream is idle. */
let settled: z.output<typeof LocalFhir>;
/** The first npm start's DynamoDB Local, which the others share (each its own table). */
let endpoint: string;

beforeAll(async () => {
  [fhir, idle] = await Promise.all([startFhirStandin(), startFhirStandin()]);
  // Its poll for work done in the EHR every second (CONTRACT §13: a timer of FHIR_POLL_SECONDS under npm start).
  on = await trackers.start({ FHIR_BASE_URL: fhir.url, TABLE_NAME: 'redraw-tracker-fhir-e2e', FHIR_POLL_SECONDS: '1' });
  // FHIR off: on the first npm start's DynamoDB Local, its own table (the setting is what this is about, not a second JVM's start).
  endpoint = await on.dynamodbEndpoint();
  // Both simulations: the user's `npm run -s simulate` (a process) with FHIR on, while the second npm start
  // starts; then the same in this process with FHIR off.
  const simulateOff = async (): Promise<CommandRun> => {
    off = await trackers.start({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: 'redraw-tracker-fhir-off-e2e' });
    return runCliInProcess(['simulate'], off.env({ JUNCTION_WEBHOOK_SECRET: off.secret, SIMULATE_SEED: '42' }));
  };
  [onRun, offRun] = await Promise.all([runToEnd('npm', ['run', '-s', 'simulate'], on.env({ JUNCTION_WEBHOOK_SECRET: on.secret, SIMULATE_SEED: '42' })), simulateOff()]);
  // The writer runs behind the stream: wait until nothing is pending and every follow-up was sent.
  const read = async () => LocalFhir.parse((await getJson(`${on.url}/local/fhir`)).json);
  settled = await eventually(read, (status) => status.pending === 0 && status.never_sent === 0 && status.behind === 0, 60_000, 500);
}, 120_000);

afterAll(async () => {
  await Promise.all([fhir?.stop(), idle?.stop()]);
}, 30_000);
/** Registered after the stand-ins' afterAll, so stopped before them. */
const trackers = useTrackers();

describe('FHIR on: npm start with FHIR_BASE_URL at the stand-in, then npm run simulate', () => {
  it('simulates to the end, exit 0, and its last lines say how to see the Tasks, with commands that answer', async () => {
    expect(onRun.code, onRun.stderr).toBe(0);
    // The banner says how soon the EHR's changes come back (issue 84): the poll's interval, at once with a Subscription.
    expect(await on.banner()).toContain(`FHIR Tasks: ${fhir.url} (one Task per follow-up; the EHR's changes read within 1 s (FHIR_POLL_SECONDS), at once with a Subscription (set FHIR_NOTIFY_SECRET);`);
    const last = linesOf(onRun.stdout).slice(-3);
    expect(last.at(-1)).toBe('Done: every transaction reached its expected status.');
    const line = last.find((text) => text.startsWith('FHIR Tasks'));
    expect(line, last.join('\n')).toBeDefined();
    const urls = [...line!.matchAll(/curl -s '([^']+)'/g)].map((match) => match[1]!);
    expect(urls[0]).toBe(`${on.url}/local/fhir`);
    expect(urls[1]).toMatch(new RegExp(`^${fhir.url.replace(/[.]/g, '\\.')}/Task\\?identifier=[0-9a-f-]+$`));
    expect((await getJson(urls[0]!)).status).toBe(200);
    // The one follow-up's Task, found by the stand-in's search.
    const bundle = z.object({ resourceType: z.literal('Bundle'), entry: z.array(z.object({ resource: z.object({ resourceType: z.literal('Task') }).loose() })) }).loose();
    const found = bundle.parse((await getJson(urls[1]!)).json);
    expect(found.entry).toHaveLength(1);
  });

  it('GET /local/fhir counts every follow-up confirmed: none behind, refused, changed in the EHR, never sent or pending', () => {
    expect(settled.base_url).toBe(fhir.url);
    expect(settled.follow_ups).toBeGreaterThan(10);
    expect(settled).toEqual({ base_url: fhir.url, follow_ups: settled.follow_ups, confirmed: settled.follow_ups, behind: 0, refused: 0, changed_in_ehr: 0, conflict: 0, deleted_in_ehr: 0, never_sent: 0, pending: 0, poll_seconds: 1 });
  });

  it('keeps exactly one valid R4 Task per follow-up, open and closed, at its current content', async () => {
    const followUps = await allFollowUps(on.url);
    expect(followUps.length).toBe(settled.follow_ups);
    expect(followUps.some((item) => item.state === 'closed')).toBe(true);
    expect(followUps.some((item) => item.state !== 'closed')).toBe(true);
    const tasks = await fhir.control.tasks();
    // Nothing but the follow-ups' Tasks: one each, no duplicate.
    expect(tasks.length).toBe(followUps.length);
    const byValue = new Map<string, Task[]>();
    for (const task of tasks) {
      const values = (task.identifier ?? []).filter((identifier) => identifier.system === SYSTEMS.task).map((identifier) => identifier.value ?? '');
      expect(values).toHaveLength(1);
      byValue.set(values[0]!, [...(byValue.get(values[0]!) ?? []), task]);
    }
    const problems: string[] = [];
    for (const followUp of followUps) {
      const found = byValue.get(followUp.id) ?? [];
      if (found.length !== 1) {
        problems.push(`${followUp.id}: ${found.length} Tasks`);
        continue;
      }
      const task = found[0]!;
      const { fhir: view, follow_up: now } = await detail(on.url, followUp.id);
      const extension = (url: string) => task.extension?.find((one) => one.url === url);
      const stated = extension(URLS.digest)?.valueString;
      // Its content is the tracker's (what the stated digest is a hash of), at the follow-up's version, and the tracker says current.
      if (stated !== contentDigest(task as unknown as Record<string, unknown>, SYSTEMS)) problems.push(`${followUp.id}: content is not what its digest says`);
      if (view?.state !== 'current') problems.push(`${followUp.id}: fhir ${JSON.stringify(view)}`);
      if (view?.version !== now.version || extension(URLS.version)?.valueInteger !== now.version) {
        problems.push(`${followUp.id}: version ${now.version}, confirmed ${view?.version}, on the Task ${extension(URLS.version)?.valueInteger}`);
      }
      if (task.status !== taskStatusOf({ state: now.state, disposition: now.disposition as never })) problems.push(`${followUp.id}: ${now.state} as Task status ${task.status}`);
      const invalid = validateTask(task);
      if (invalid.length > 0) problems.push(`${followUp.id}: invalid R4: ${JSON.stringify(invalid)}`);
      // In words (CONTRACT §13), and linked to its page in npm start's own console.
      if (typeof task.code?.text !== 'string' || typeof task.description !== 'string') problems.push(`${followUp.id}: no code.text or description`);
      if (task.code?.coding?.some((coding) => typeof coding.display !== 'string')) problems.push(`${followUp.id}: a code without its display`);
      const link = task.input?.find((input) => input.type?.coding?.some((coding) => coding.code === 'console'))?.valueUrl;
      if (link !== `${on.url}/#/follow-ups/${encodeURIComponent(followUp.id)}`) problems.push(`${followUp.id}: console link ${link}`);
    }
    expect(problems).toEqual([]);
  });

  it('puts no PHI canary of the simulated payloads into any Task version it stored, or into the writer\'s output', async () => {
    // The simulator's webhooks carry patient details planted as canaries (local/junction/flows.ts PHI_CANARY).
    expect(await fhir.control.versions()).not.toHaveLength(0);
    expect(JSON.stringify(await fhir.control.versions())).not.toContain(PHI_CANARY);
    expect(on.process.stdout() + on.process.stderr()).not.toContain(PHI_CANARY);
  });

  it('has the CLI say "In the EHR: up to date" for a follow-up, open and closed', async () => {
    const followUps = await allFollowUps(on.url);
    const shown = [followUps.find((item) => item.state !== 'closed')!, followUps.find((item) => item.state === 'closed')!];
    for (const followUp of shown) {
      const run = await runCliInProcess(['follow-up', followUp.id], on.env());
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^ *In the EHR: up to date, version \d+ confirmed /m);
    }
  });

  it('ends the simulation with a curl that closes an open follow-up\'s Task from the EHR, as Practitioner/123', async () => {
    const line = linesOf(onRun.stdout).slice(-3).find((text) => text.startsWith('Close follow-up '));
    expect(line, onRun.stdout.slice(-2000)).toBeDefined();
    const [, followUpId, url, body] = /^Close follow-up (\S+) from the EHR, as Practitioner\/123 there: curl -s -X POST '([^']+)' -d '([^']+)'/.exec(line!) ?? [];
    expect(line).toContain("; the tracker reads it back within 1 s (FHIR_POLL_SECONDS), at once with a Subscription, as ehr:Practitioner/123's close");
    expect((await detail(on.url, followUpId!)).follow_up.state).not.toBe('closed');
    // As curl -d sends it (a form's content type): the stand-in reads the JSON all the same.
    const edit = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body! });
    expect(edit.status).toBe(200);
    const task = (await fhir.control.tasks()).find((one) => one.identifier?.some((identifier) => identifier.value === followUpId));
    expect(task).toMatchObject({ status: 'completed', meta: { author: { reference: 'Practitioner/123' } } });
    // Found by the writer's poll alone (FHIR_POLL_SECONDS 1 here), and applied as that person's close.
    const closed = await eventually(() => detail(on.url, followUpId!), (now) => now.follow_up.state === 'closed', 15_000, 250);
    expect(closed.follow_up.state).toBe('closed');
  });

  it('finds a Task changed in the EHR within FHIR_POLL_SECONDS, with nothing done in the tracker (its poll)', async () => {
    const closedInEhr = /^Close follow-up (\S+) /.exec(linesOf(onRun.stdout).find((text) => text.startsWith('Close follow-up ')) ?? '')?.[1];
    const open = (await allFollowUps(on.url)).find((item) => item.state !== 'closed' && item.id !== closedInEhr)!;
    const task = (await fhir.control.tasks()).find((one) => one.identifier?.some((identifier) => identifier.system === SYSTEMS.task && identifier.value === open.id))!;
    // On hold without an end: held as changed in the EHR (CONTRACT §13, "What is not applied"), found by the poll alone.
    await fhir.control.editTask(task.id!, { status: 'on-hold' });
    const seen = await eventually(() => detail(on.url, open.id), (now) => now.fhir?.state === 'changed_in_ehr', 15_000, 250);
    expect(seen.fhir?.state).toBe('changed_in_ehr');
    expect((await fhir.control.requests()).some((request) => decodeURIComponent(request.path).includes(`identifier=${SYSTEMS.task}|&_lastUpdated=ge`))).toBe(true);
    // In the lists (CONTRACT §12): the CLI's `follow-ups --ehr` lists it alone, saying why; the counts count it.
    const listed = await runCliInProcess(['follow-ups', '--ehr', '--all'], on.env());
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('Open follow-ups whose EHR work needs a person');
    expect(listed.stdout).toMatch(new RegExp(`^${open.id} .*\\(EHR: Changed in the EHR: not applied\\)`, 'm'));
    const counts = (await (await fetch(`${on.url}/follow-ups/counts`)).json()) as { ehr_needs_you: number };
    expect(counts.ehr_needs_you).toBe(1);
  });
});

describe('FHIR off: npm start without FHIR_BASE_URL, then the same simulation, beside a stand-in nobody configured', () => {
  it('simulates to the end with no FHIR line', () => {
    expect(offRun.code, offRun.stderr).toBe(0);
    expect(linesOf(offRun.stdout).at(-1)).toBe('Done: every transaction reached its expected status.');
    expect(offRun.stdout).not.toContain('FHIR Tasks');
    expect(offRun.stdout).not.toContain('from the EHR');
  });

  it('sends the stand-in nothing, answers GET /local/fhir 409 and every follow-up "fhir": null', async () => {
    expect(await idle.control.requests()).toEqual([]);
    expect(await idle.control.tasks()).toEqual([]);
    const local = await getJson(`${off.url}/local/fhir`);
    expect(local).toMatchObject({ status: 409, json: { error: { code: 'fhir_not_configured' } } });
    const followUps = await allFollowUps(off.url);
    expect(followUps.length).toBeGreaterThan(10);
    for (const followUp of followUps) expect((await detail(off.url, followUp.id)).fhir).toBeNull();
    // Still nothing, after every read.
    expect(await idle.control.requests()).toEqual([]);
  });
});

describe('FHIR notifications (CONTRACT §13): npm start with FHIR_NOTIFY_SECRET and the poll an hour away, Subscriptions on the stand-in', () => {
  const NOTIFY_SECRET = 'local-notify-secret';
  const STYLES = ['medplum', 'hapi-payload', 'hapi-empty'] as const;
  let ehr: FhirStandin;
  let notified: Tracker;

  beforeAll(async () => {
    ehr = await startFhirStandin();
    notified = await trackers.start({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: 'redraw-tracker-fhir-notify-e2e', FHIR_BASE_URL: ehr.url, FHIR_NOTIFY_SECRET: NOTIFY_SECRET, FHIR_POLL_SECONDS: '3600' });
  }, 60_000);
  afterAll(async () => {
    await ehr?.stop();
  });

  it('brings a Task closed in the EHR to its follow-up within 5 s, for each Subscription style docs/local.md sets up', async () => {
    const db = documentTable(documentClientOf(new DynamoDBClient(localDynamoDbClientConfig(endpoint))));
    const ids = await Promise.all(STYLES.map(() => openFollowUpItem(db, 'redraw-tracker-fhir-notify-e2e')));
    // npm start's writer sends their Tasks from the stream.
    const tasks = await eventually(async () => Promise.all(ids.map(async (id) => (await ehr.control.tasks()).find((task) => task.identifier?.some((identifier) => identifier.value === id)))), (found) => found.every(Boolean), 20_000, 200);
    for (const [index, style] of STYLES.entries()) {
      // The page's own JSON, pointed at this npm start, each Subscription for its own Task.
      const subscription = { ...subscriptionExample(style), criteria: `Task?_id=${tasks[index]!.id}` };
      subscription.channel = { ...subscription.channel, endpoint: `${notified.url}/fhir/notifications` };
      const created = await fetch(`${ehr.url}/Subscription`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(subscription) });
      expect(created.status).toBe(201);
    }
    // 5 s of a free core; more when this machine gives each process less (../support/core-share.ts). The poll is off (3600 s): only a notification closes them.
    const bound = secondsOfACore(5_000, coreWait(200));
    const started = Date.now();
    for (const task of tasks) await ehr.control.editTask(task!.id!, { status: 'completed' }, { author: 'Practitioner/123' });
    const closed = await eventually(() => Promise.all(ids.map((id) => detail(notified.url, id))), (all) => all.every((one) => one.follow_up.state === 'closed'), bound, 100);
    expect(closed.map((one) => one.follow_up.state)).toEqual(['closed', 'closed', 'closed']);
    expect(Date.now() - started, `within ${bound} ms`).toBeLessThan(bound);
    expect(closed.map((one) => one.follow_up['closed_by'])).toEqual(STYLES.map(() => 'ehr:Practitioner/123'));
    // Each style reached the route as it sends: a signed POST, HAPI's PUT by path, HAPI's empty POST.
    const sent = await ehr.control.notifications();
    expect(new Set(sent.filter((one) => one.status === 202).map((one) => one.method))).toEqual(new Set(['POST', 'PUT']));
  });
});

/** The JSON of `<!-- subscription-example: NAME -->` in docs/local.md. */
function subscriptionExample(name: string): { channel: Record<string, unknown>; [field: string]: unknown } {
  const text = readFileSync(new URL('../../docs/local.md', import.meta.url), 'utf8');
  const match = new RegExp(`<!-- subscription-example: ${name} -->\n\`\`\`json\n([\\s\\S]*?)\n\`\`\``).exec(text);
  if (match === null) throw new Error(`docs/local.md has no subscription example ${name}`);
  return JSON.parse(match[1]!) as { channel: Record<string, unknown> };
}

