/**
 * The stand-in FHIR server's public shapes (local/fhir-standin.ts): its faults,
 * its request log and version log, and its control surface, shared by the server,
 * its control routes and their remote client (local/fhir-standin/control.ts).
 */
import type { Practitioner, PractitionerRole, Provenance, Subscription, Task } from '@medplum/fhirtypes';
import * as z from 'zod';
import type { FhirStandinPaging } from './paging';

/** The FHIR base URL's path on the stand-in. */
export const FHIR_BASE_PATH = '/fhir/R4';
export const TOKEN_PATH = '/oauth2/token';

/**
 * What a request is, for faults and the request log: a Task's search, read,
 * create, update or delete; a read or search of a Practitioner or
 * PractitionerRole (`practitioner`) or of a Provenance (`provenance`); a Subscription's
 * create, read or search (`subscription`); the token.
 */
export type FhirStandinEndpoint = 'search' | 'read' | 'create' | 'update' | 'delete' | 'practitioner' | 'provenance' | 'subscription' | 'token';
const ENDPOINTS = ['search', 'read', 'create', 'update', 'delete', 'practitioner', 'provenance', 'subscription', 'token'] as const;

const Times = z.union([z.number().int().positive(), z.literal('always')]).default(1);
const Common = { times: Times, endpoint: z.enum(ENDPOINTS).optional() };
export const FhirStandinFault = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    /** Seconds, sent as `Retry-After`. */
    retryAfter: z.number().int().min(0).max(86_400).optional(),
    ...Common,
  }),
  z.object({ kind: z.literal('delay'), delayMs: z.number().int().min(0).max(600_000), ...Common }),
  z.object({
    kind: z.literal('refuse'),
    status: z.union([z.literal(400), z.literal(422)]).default(422),
    /** The OperationOutcome's `issue[].code`s. */
    codes: z.array(z.string().min(1).max(64)).min(1).default(['invalid']),
    ...Common,
  }),
  z.object({ kind: z.literal('duplicate'), times: Times, endpoint: z.literal('create').optional() }),
]);
export type FhirStandinFault = z.input<typeof FhirStandinFault>;
export type Fault = z.output<typeof FhirStandinFault>;

/**
 * Where an EHR user's edit names its author (CONTRACT §13 "The actor is `ehr:{who}`"):
 * `meta` sets the new version's `meta.author` and stores a Provenance (Medplum sets
 * meta.author); `provenance` stores only the Provenance (core R4 servers have no
 * meta.author); `none` neither (the tracker falls back to the server's host).
 */
export type EhrAuthorStyle = 'meta' | 'provenance' | 'none';
export const EhrAuthorStyle = z.enum(['meta', 'provenance', 'none']);

/** An EHR user's reference, e.g. `Practitioner/123`. */
export const AuthorReference = z.string().regex(/^[A-Z][A-Za-z]{0,63}\/[A-Za-z0-9\-.]{1,64}$/, 'a reference such as Practitioner/123');

/** One FHIR or token request the stand-in saw (no Authorization value, no body). */
export interface FhirStandinRequest {
  method: string;
  /** Path and query, as requested. */
  path: string;
  endpoint: FhirStandinEndpoint | null;
  /** The status answered (for a `delay` fault, the status after the delay; 0 if the client left first). */
  status: number;
  ifMatch: string | null;
  ifNoneExist: string | null;
  fault: Fault['kind'] | null;
}

/** One version the stand-in stored, as stored. */
export interface FhirStandinVersion {
  id: string;
  versionId: string;
  /** Its meta.lastUpdated. */
  at: string;
  /** `api`: written through the FHIR API (the tracker); `ehr`: by createTask/editTask (a person in the EHR). */
  by: 'api' | 'ehr';
  resource: Task;
}

/** Fields to set on a stored Task; a `null` removes the field. */
export type TaskPatch = { [K in keyof Task]?: Task[K] | null };

/** An EHR edit's circumstances: who made it (a reference, e.g. `Practitioner/123`). */
export interface EhrEdit {
  author?: string;
}

/** A resource to create in the EHR: its fields, with the id to give it (a new one when absent). */
export type EhrResourceInput<T extends { resourceType: string }> = Omit<T, 'resourceType'> & { resourceType?: T['resourceType'] };

/** How a Subscription's notifications are sent (local/fhir-standin/subscriptions.ts). */
export type SubscriptionStyle = 'medplum' | 'hapi-payload' | 'hapi-empty';

/** One notification the stand-in sent: a Subscription's delivery attempt, or a forged or replayed send. */
export interface FhirStandinNotification {
  /** `delivery`: for a Subscription; `forged`, `replay`: sendNotification's. */
  kind: 'delivery' | 'forged' | 'replay';
  /** The Subscription's id (null for a forged send). */
  subscription: string | null;
  style: SubscriptionStyle | null;
  /** What happened to the Task (null for a forged send). */
  interaction: 'create' | 'update' | 'delete' | null;
  taskId: string | null;
  /** The URL requested. */
  endpoint: string;
  method: 'POST' | 'PUT' | 'DELETE';
  /** The status answered; 0 when nothing answered (refused, reset, timed out). */
  status: number;
  /** 1 for the first try of a delivery, 2 and up for its retries. */
  attempt: number;
}

/**
 * A notification to send by hand, for fault tests: `forged`, a Task notification
 * (POST, the stored Task or `{"resourceType":"Task","id":...}` as its body) whose
 * `X-Signature` is keyed by a wrong secret, whose bearer is wrong, or with neither;
 * `replay`, the last notification sent, again byte for byte.
 */
export const FhirStandinSend = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('forged'),
    endpoint: z.string().min(1).max(2000),
    taskId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'a FHIR id'),
    auth: z.enum(['wrong-signature', 'wrong-bearer', 'none']),
  }),
  z.object({ kind: z.literal('replay') }),
]);
export type FhirStandinSend = z.input<typeof FhirStandinSend>;

export interface FhirStandinControl {
  reset(): Promise<void>;
  injectFault(fault: FhirStandinFault): Promise<void>;
  clearFaults(): Promise<void>;
  versions(): Promise<FhirStandinVersion[]>;
  tasks(): Promise<Task[]>;
  /** Stores a Task as someone in the EHR would make it (validated; a new id). */
  createTask(task: Task): Promise<Task>;
  /**
   * Stores a new version of Task `id` with `patch` applied, as a person in the EHR
   * would (validated); with an `author`, named as the EHR author style says.
   */
  editTask(id: string, patch: TaskPatch, edit?: EhrEdit): Promise<Task>;
  /** Deletes Task `id`, as a person in the EHR would: a read of it then answers 404. */
  deleteTask(id: string): Promise<void>;
  /** Stores a Practitioner (validated; its `id` kept when given). */
  createPractitioner(practitioner: EhrResourceInput<Practitioner>): Promise<Practitioner>;
  /** Stores a PractitionerRole (validated; its `id` kept when given). */
  createPractitionerRole(role: EhrResourceInput<PractitionerRole>): Promise<PractitionerRole>;
  /** Every Provenance the EHR edits stored, oldest first. */
  provenances(): Promise<Provenance[]>;
  /** Where the next EHR edits name their author (until reset, which restores the start's style). */
  setEhrAuthorStyle(style: EhrAuthorStyle): Promise<void>;
  requests(): Promise<FhirStandinRequest[]>;
  clearRequests(): Promise<void>;
  /** How Task searches page from now on (local/fhir-standin/paging.ts). */
  setPaging(paging: Partial<FhirStandinPaging>): Promise<void>;
  /** Every Subscription created on the stand-in, oldest first. */
  subscriptions(): Promise<Subscription[]>;
  /** Every notification sent (each delivery attempt, forged and replayed sends), oldest first. */
  notifications(): Promise<FhirStandinNotification[]>;
  /** Sends a forged or replayed notification now (one try) and answers what it recorded. */
  sendNotification(send: FhirStandinSend): Promise<FhirStandinNotification>;
}
