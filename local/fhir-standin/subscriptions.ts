/**
 * The stand-in FHIR server's Subscriptions (local/fhir-standin.ts; CONTRACT §13
 * "Notifications": it "honours a `Subscription` created on it, Medplum-style (signed)
 * or HAPI-style (`channel.header`, with or without a payload)"), as docs/deploy.md
 * tells a team to set one up.
 *
 * `POST [base]/Subscription` takes an R4 Subscription (validated, 422 otherwise), of
 * `channel.type` `rest-hook` only, whose `channel.endpoint` is on this machine
 * (http://127.0.0.1, localhost or [::1]: a stand-in never calls the world), and whose
 * `criteria` is a search (`Task`, `Task?identifier=<system>|`, `Task?_id=...`); it is
 * stored with `status` `requested` made `active`, as both servers do. After every stored
 * change of a Task (the API's creates, updates and deletes, and the EHR user's), each
 * active Subscription whose criteria match gets a notification, sent asynchronously
 * (it never holds up the write's answer; one chain per Subscription, in the order of
 * the changes). Its style is read from the Subscription:
 *
 * - **Medplum** (the extension `https://www.medplum.com/fhir/StructureDefinition/subscription-secret`
 *   is present; medplum/medplum packages/server/src/workers/subscription.ts, sendRestHook
 *   and buildRestHookHeaders): `POST {endpoint}`, the Task as its body (`stringify` of
 *   @medplum/core), `{}` on a delete; `Content-Type: application/fhir+json`,
 *   `X-Medplum-Subscription`, `X-Medplum-Interaction` (`create`, `update`, `delete`),
 *   `X-Medplum-Deleted-Resource: Task/{id}` on a delete, each `channel.header` (cut at
 *   its colons as Medplum cuts it: `header.split(/:/)`), and `X-Signature`, the hex
 *   HMAC-SHA256 of the body keyed by the secret. Which changes match is Medplum's own
 *   `resourceMatchesSubscriptionCriteria` (@medplum/core): creates, updates and
 *   deletes, or only the one its `subscription-supported-interaction` extension names.
 *   Medplum tries 3 times by default (`subscription-max-attempts`), as here.
 * - **HAPI** (no such extension; hapifhir/hapi-fhir
 *   SubscriptionDeliveringRestHookSubscriber): each `channel.header` as a header (cut
 *   at its first colon); with `channel.payload` (`application/fhir+json` or
 *   `application/json`: the stand-in writes no XML) `PUT {endpoint}/Task/{id}` with the
 *   Task (`Content-Type: application/fhir+json; charset=UTF-8`), and on a delete
 *   `DELETE {endpoint}/Task/{id}`; without a payload an empty `POST {endpoint}` (a
 *   form post with no fields, as HAPI's sendNotification makes it), whose answer HAPI
 *   does not read: only a failed connection is retried. HAPI sends deletes only to a
 *   Subscription whose `channel` carries the extension
 *   `http://hapifhir.io/fhir/StructureDefinition/subscription-send-delete-messages`
 *   (`valueBoolean` true; HapiExtensions.EX_SEND_DELETE_MESSAGES: "default is ignoring
 *   them"). Criteria are matched with the same search matcher (@medplum/core's).
 *
 * A delivery that gets no 2xx (or no answer) is tried again, 3 tries in all, after
 * 50 ms, then 100 ms (the servers wait seconds to hours). Every try is recorded
 * (control `notifications()`: endpoint, method, status). `sendNotification` sends a
 * forged notification (a wrong signature or bearer, or neither) or replays the last
 * one byte for byte, for fault tests. A reset drops the Subscriptions, the record and
 * what is still to be sent; stop() drops what is in flight.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { getExtensionValue, matchesSearchRequest, parseSearchRequest, resourceMatchesSubscriptionCriteria, stringify } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Subscription, Task } from '@medplum/fhirtypes';
import { FhirStandinAnswer, outcome, refuseInvalid } from './http';
import type { FhirStandinEndpoint, FhirStandinNotification, FhirStandinSend, SubscriptionStyle } from './types';

export const MEDPLUM_SECRET_URL = 'https://www.medplum.com/fhir/StructureDefinition/subscription-secret';
export const HAPI_SEND_DELETES_URL = 'http://hapifhir.io/fhir/StructureDefinition/subscription-send-delete-messages';

/** A stored change of a Task: the version stored (the last one, for a delete) and the one before it. */
export interface TaskChange {
  task: Task;
  previous: Task | undefined;
  interaction: 'create' | 'update' | 'delete';
}

/** A request exactly as sent, kept for a replay. */
interface Sent {
  method: 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

const MAX_TRIES = 3;
const FIRST_RETRY_MS = 50;
const SEND_TIMEOUT_MS = 5_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const JSON_PAYLOADS = new Set(['application/fhir+json', 'application/json']);

/** The endpoint of a request for a Subscription (`POST [base]/Subscription`, a read or search of one). */
export const subscriptionEndpointOf = (method: string, id: string | null): FhirStandinEndpoint | null =>
  method === 'GET' || (method === 'POST' && id === null) ? 'subscription' : null;

/** The style a Subscription's notifications take (see above). */
export function styleOf(subscription: Subscription): SubscriptionStyle {
  if (getExtensionValue(subscription, MEDPLUM_SECRET_URL) !== undefined) return 'medplum';
  return subscription.channel.payload ? 'hapi-payload' : 'hapi-empty';
}

/** `channel.endpoint` as a URL when it is on this machine over http, else null. */
export function loopbackEndpoint(endpoint: string | undefined): URL | null {
  if (endpoint === undefined || !URL.canParse(endpoint)) return null;
  const url = new URL(endpoint);
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && url.username === '' ? url : null;
}

const hmacHex = (secret: string, body: string): string => createHmac('sha256', secret).update(body).digest('hex');
const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '');

/** `channel.header` as headers: HAPI cuts each at its first colon, Medplum at every colon (keeping the first two pieces). */
function channelHeaders(subscription: Subscription, style: SubscriptionStyle): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of subscription.channel.header ?? []) {
    const [name, value] = style === 'medplum' ? line.split(/:/) : [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
    if (line.includes(':') && name?.trim() && value !== undefined) headers[name.trim()] = value.trim();
  }
  return headers;
}

/** The request that notifies `subscription` of `change`, as its style sends it. */
export function notificationRequest(subscription: Subscription, change: TaskChange): Sent {
  const style = styleOf(subscription);
  const endpoint = subscription.channel.endpoint ?? '';
  const { task, interaction } = change;
  if (style === 'medplum') {
    const body = interaction === 'delete' ? '{}' : stringify(task);
    const headers: Record<string, string> = {
      'Content-Type': 'application/fhir+json',
      'X-Medplum-Subscription': subscription.id ?? '',
      'X-Medplum-Interaction': interaction,
      ...(interaction === 'delete' ? { 'X-Medplum-Deleted-Resource': `Task/${task.id ?? ''}` } : {}),
      ...channelHeaders(subscription, style),
    };
    headers['X-Signature'] = hmacHex(String(getExtensionValue(subscription, MEDPLUM_SECRET_URL)), body);
    return { method: 'POST', url: endpoint, headers, body };
  }
  const headers = channelHeaders(subscription, style);
  if (style === 'hapi-empty') return { method: 'POST', url: endpoint, headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8', ...headers }, body: '' };
  const url = `${withoutTrailingSlash(endpoint)}/Task/${task.id ?? ''}`;
  if (interaction === 'delete') return { method: 'DELETE', url, headers, body: null };
  return { method: 'PUT', url, headers: { 'Content-Type': 'application/fhir+json; charset=UTF-8', ...headers }, body: JSON.stringify(task) };
}

/** Whether `change` notifies `subscription` (active, its criteria match, and its style sends this interaction). */
export async function notifies(subscription: Subscription, change: TaskChange): Promise<boolean> {
  if (subscription.status !== 'active') return false;
  if (styleOf(subscription) === 'medplum') {
    return resourceMatchesSubscriptionCriteria({
      resource: change.task,
      subscription,
      context: { interaction: change.interaction },
      getPreviousResource: async () => change.previous,
    });
  }
  const search = parseSearchRequest(subscription.criteria);
  if (search.resourceType !== 'Task') return false;
  if (change.interaction === 'delete' && getExtensionValue(subscription.channel, HAPI_SEND_DELETES_URL) !== true) return false;
  return matchesSearchRequest(change.task, search);
}

/** The refusal of a Subscription the stand-in does not honour, or null when it honours it. */
function refusalOf(subscription: Subscription): FhirStandinAnswer | null {
  const refuse = (code: string, diagnostics: string, expression: string) => outcome(422, [{ code, diagnostics, expression: [expression] }]);
  if (subscription.channel.type !== 'rest-hook') return refuse('not-supported', 'the stand-in delivers rest-hook Subscriptions only', 'Subscription.channel.type');
  if (loopbackEndpoint(subscription.channel.endpoint) === null) {
    return refuse('value', 'channel.endpoint must be http://127.0.0.1, http://localhost or http://[::1] (a stand-in never calls the world)', 'Subscription.channel.endpoint');
  }
  const payload = subscription.channel.payload?.split(';')[0]?.trim();
  if (payload !== undefined && !JSON_PAYLOADS.has(payload)) return refuse('not-supported', 'the stand-in sends JSON payloads only (application/fhir+json)', 'Subscription.channel.payload');
  try {
    parseSearchRequest(subscription.criteria);
  } catch {
    return refuse('value', 'criteria must be a search, e.g. Task?identifier=urn:redraw-tracker:follow-up|', 'Subscription.criteria');
  }
  return null;
}

/** Sends one request; answers its status, or 0 when nothing answered. */
function sendOnce(sent: Sent, inflight: Set<ClientRequest>): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(sent.url, { method: sent.method, headers: { ...sent.headers, ...(sent.body === null ? {} : { 'Content-Length': String(Buffer.byteLength(sent.body)) }) }, timeout: SEND_TIMEOUT_MS });
    inflight.add(request);
    const done = (status: number) => {
      inflight.delete(request);
      resolve(status);
    };
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode ?? 0));
      response.on('error', () => done(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => done(0));
    request.end(sent.body ?? undefined);
  });
}

/** What the hub needs of the stand-in: its engine's repository (replaced on reset) and its FHIR base URL. */
export interface SubscriptionHost {
  repo(): MemoryRepository;
  baseUrl(): string;
}

/** The stand-in's Subscriptions: stored in its repository, honoured after every Task change, each try recorded. */
export class SubscriptionHub {
  private readonly record: FhirStandinNotification[] = [];
  private readonly active = new Map<string, Subscription>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<ClientRequest>();
  private last: Sent | null = null;
  /** Moves on every reset, so that what was under way before it records nothing after it. */
  private generation = 0;

  constructor(private readonly host: SubscriptionHost) {}

  /** `POST [base]/Subscription` (the body read and parsed): 201 with the stored Subscription, or a refusal. */
  async create(body: unknown): Promise<FhirStandinAnswer> {
    refuseInvalid(body);
    const input = body as Subscription;
    if (input.resourceType !== 'Subscription') return outcome(400, [{ code: 'invalid', diagnostics: 'the body must be a Subscription' }]);
    const refusal = refusalOf(input);
    if (refusal) return refusal;
    const { id: _id, meta: _meta, ...fields } = input;
    // Both servers activate what is requested (HAPI's SubscriptionActivatingInterceptor; Medplum stores it as given).
    const stored = await this.host.repo().createResource<Subscription>({ ...fields, status: fields.status === 'requested' ? 'active' : fields.status });
    if (stored.status === 'active') this.active.set(stored.id, stored);
    const location = `${this.host.baseUrl()}/Subscription/${stored.id}/_history/${stored.meta?.versionId ?? ''}`;
    return new FhirStandinAnswer(201, stored, { location, etag: `W/"${stored.meta?.versionId ?? ''}"` });
  }

  /** Queues the notifications of one stored Task change; they are sent after the caller's answer. */
  taskChanged(change: TaskChange): void {
    const generation = this.generation;
    for (const subscription of this.active.values()) {
      const id = subscription.id ?? '';
      const next = (this.chains.get(id) ?? Promise.resolve())
        .then(async () => {
          if (generation === this.generation && (await notifies(subscription, change))) await this.deliver(subscription, change, generation);
        })
        .catch(() => undefined);
      this.chains.set(id, next);
    }
  }

  private async deliver(subscription: Subscription, change: TaskChange, generation: number): Promise<void> {
    const sent = notificationRequest(subscription, change);
    const style = styleOf(subscription);
    for (let attempt = 1; attempt <= MAX_TRIES; attempt += 1) {
      const status = await sendOnce(sent, this.inflight);
      if (generation !== this.generation) return;
      this.last = sent;
      this.record.push({ kind: 'delivery', subscription: subscription.id ?? null, style, interaction: change.interaction, taskId: change.task.id ?? null, endpoint: sent.url, method: sent.method, status, attempt });
      // HAPI's empty POST reads no answer: only a failed connection fails it.
      const delivered = style === 'hapi-empty' ? status !== 0 : status >= 200 && status < 300;
      if (delivered || attempt === MAX_TRIES) return;
      await this.pause(FIRST_RETRY_MS * 2 ** (attempt - 1));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** A forged notification, or the last one again: one try, recorded and answered. */
  async send(send: FhirStandinSend): Promise<FhirStandinNotification> {
    const sent = send.kind === 'replay' ? this.last : await this.forged(send);
    if (sent === null) throw outcome(409, [{ code: 'not-found', diagnostics: 'no notification has been sent yet: nothing to replay' }]);
    const status = await sendOnce(sent, this.inflight);
    const taskId = /\/Task\/([^/]+)$/.exec(sent.url)?.[1] ?? (send.kind === 'forged' ? send.taskId : null);
    const notification: FhirStandinNotification = { kind: send.kind, subscription: null, style: null, interaction: null, taskId, endpoint: sent.url, method: sent.method, status, attempt: 1 };
    this.record.push(notification);
    return { ...notification };
  }

  private async forged(send: Extract<FhirStandinSend, { kind: 'forged' }>): Promise<Sent> {
    if (loopbackEndpoint(send.endpoint) === null) throw outcome(400, [{ code: 'value', diagnostics: 'endpoint must be http://127.0.0.1, http://localhost or http://[::1]' }]);
    const task = await this.host.repo().readResource<Task>('Task', send.taskId).catch(() => ({ resourceType: 'Task', id: send.taskId }));
    const body = stringify(task);
    const headers: Record<string, string> = { 'Content-Type': 'application/fhir+json' };
    if (send.auth === 'wrong-signature') headers['X-Signature'] = hmacHex('not-the-secret', body);
    if (send.auth === 'wrong-bearer') headers.Authorization = 'Bearer not-the-secret';
    return { method: 'POST', url: send.endpoint, headers, body };
  }

  notifications(): FhirStandinNotification[] {
    return this.record.map((notification) => ({ ...notification }));
  }

  async subscriptions(): Promise<Subscription[]> {
    const found = await this.host.repo().searchResources<Subscription>({ resourceType: 'Subscription' });
    return found.sort((a, b) => (a.meta?.lastUpdated ?? '').localeCompare(b.meta?.lastUpdated ?? ''));
  }

  /** Drops the Subscriptions' state (the repository holding them is replaced by the caller), the record and what is under way. */
  reset(): void {
    this.generation += 1;
    this.active.clear();
    this.chains.clear();
    this.record.length = 0;
    this.last = null;
    this.stop();
  }

  /** Stops every pause and request under way (their deliveries end unrecorded). */
  stop(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const request of this.inflight) request.destroy();
    this.inflight.clear();
  }
}
