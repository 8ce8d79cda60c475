/**
 * The stand-in FHIR server's control surface over HTTP (local/fhir-standin.ts):
 * the routes it serves beside FHIR (never faulted, never logged, no token needed),
 * and `connectFhirStandin`, their client for a stand-in in another process.
 *
 *   reset()                    POST   /_standin/reset      drops every resource, version, fault, request and token; the EHR author style back to the start's -> 204
 *   injectFault(fault)         POST   /_standin/faults     body: a FhirStandinFault -> 204
 *   clearFaults()              DELETE /_standin/faults     -> 204
 *   versions()                 GET    /_standin/versions   -> {versions: [...]} every Task version stored, oldest first
 *   tasks()                    GET    /_standin/tasks      -> {tasks: [...]} each Task as it is now
 *   createTask(task)           POST   /_standin/tasks      a Task someone made in the EHR -> 201 {task}
 *   editTask(id, patch, {author})  POST /_standin/tasks/{id}/edit, also POST /local/ehr/Task/{id}
 *                              body: the Task's fields to set (null removes one) and an optional
 *                              `author`, e.g. {"status": "completed", "author": "Practitioner/123"}
 *                              (Task has no element `author`) -> 200 {task}
 *   deleteTask(id)             DELETE /_standin/tasks/{id}, also DELETE /local/ehr/Task/{id} -> 204 (404: no such Task)
 *   createPractitioner(p)      POST   /_standin/practitioners        body: its fields, e.g. {"id": "123", "identifier": [...]} -> 201 {practitioner}
 *   createPractitionerRole(r)  POST   /_standin/practitioner-roles   body: its fields (practitioner, identifier) -> 201 {practitionerRole}
 *   provenances()              GET    /_standin/provenances          -> {provenances: [...]} oldest first
 *   setEhrAuthorStyle(style)   PUT    /_standin/ehr-author-style     body: {"style": "meta" | "provenance" | "none"} -> 204
 *   requests()                 GET    /_standin/requests   -> {requests: [...]} FHIR and token requests, oldest first
 *   clearRequests()            DELETE /_standin/requests   -> 204
 *   setPaging(paging)          PUT    /_standin/paging     body: {by?: 'lastUpdated' | 'offset', maxCount?} -> 204
 *   subscriptions()            GET    /_standin/subscriptions  -> {subscriptions: [...]} every Subscription created, oldest first
 *   notifications()            GET    /_standin/notifications  -> {notifications: [...]} every notification sent, oldest first
 *   sendNotification(send)     POST   /_standin/notifications  body: {"kind": "forged", "endpoint", "taskId",
 *                              "auth": "wrong-signature" | "wrong-bearer" | "none"} or {"kind": "replay"}
 *                              -> 200 {notification} (409: nothing to replay)
 *                              (local/fhir-standin-subscriptions.ts)
 *
 * A body that is not what the route takes is 400 {detail}; a resource that is not
 * valid R4 is 422 with an OperationOutcome, and nothing is stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getStatus } from '@medplum/core';
import type { OperationOutcome, Practitioner, PractitionerRole, Provenance, Subscription, Task } from '@medplum/fhirtypes';
import * as z from 'zod';
import { FhirStandinAnswer, readResourceBody, send } from './fhir-standin-http';
import type { FhirStandinPaging } from './fhir-standin-paging';
import {
  AuthorReference,
  EhrAuthorStyle,
  FHIR_BASE_PATH,
  FhirStandinFault,
  FhirStandinSend,
  type EhrResourceInput,
  type FhirStandinControl,
  type FhirStandinNotification,
  type FhirStandinRequest,
  type FhirStandinVersion,
  type TaskPatch,
} from './fhir-standin-types';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const TaskBody = z.custom<Task>((value) => isRecord(value) && value.resourceType === 'Task', 'not a Task');
/** An EHR edit's body: the Task's fields to set, and who makes it. */
const EditBody = z
  .looseObject({ author: AuthorReference.optional() })
  .transform(({ author, ...patch }) => ({ patch: patch as TaskPatch, edit: author === undefined ? {} : { author } }));
const ResourceFields = z.record(z.string(), z.unknown());
const StyleBody = z.object({ style: EhrAuthorStyle });
const PagingBody = z.object({ by: z.enum(['lastUpdated', 'offset']).optional(), maxCount: z.number().int().min(1).max(1000).optional() }).transform((paging) => paging as Partial<FhirStandinPaging>);

const ID = '([A-Za-z0-9\\-.]{1,64})';
const EDIT = new RegExp(`^(?:/_standin/tasks/${ID}/edit|/local/ehr/Task/${ID})$`);
const DELETE = new RegExp(`^(?:/_standin/tasks/${ID}|/local/ehr/Task/${ID})$`);

/** Whether `pathname` is one of the control routes (answered by controlRoute, never as FHIR). */
export const isControlPath = (pathname: string): boolean => pathname.startsWith('/_standin/') || pathname.startsWith('/local/ehr/');

/** Answers one request to a control route with `control`. */
export async function controlRoute(control: FhirStandinControl, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const json = (status: number, body?: unknown) => send(response, new FhirStandinAnswer(status, body), 'application/json');
  try {
    const method = request.method ?? 'GET';
    const edit = EDIT.exec(url.pathname);
    if (method === 'POST' && edit) {
      const { patch, edit: who } = EditBody.parse(await readResourceBody(request));
      return json(200, { task: await control.editTask((edit[1] ?? edit[2])!, patch, who) });
    }
    const deletion = DELETE.exec(url.pathname);
    if (method === 'DELETE' && deletion) {
      await control.deleteTask((deletion[1] ?? deletion[2])!);
      return json(204);
    }
    return await fixedRoute(control, `${method} ${url.pathname}`, request, json);
  } catch (error) {
    if (error instanceof z.ZodError) return json(400, { detail: z.prettifyError(error) });
    if (error instanceof FhirStandinAnswer) return send(response, error);
    const engine = error as { outcome?: OperationOutcome };
    if (engine.outcome?.resourceType === 'OperationOutcome') return send(response, new FhirStandinAnswer(getStatus(engine.outcome), engine.outcome));
    throw error;
  }
}

/** The control routes without an id in their path. */
async function fixedRoute(control: FhirStandinControl, route: string, request: IncomingMessage, json: (status: number, body?: unknown) => void): Promise<void> {
  const body = () => readResourceBody(request);
  switch (route) {
    case 'POST /_standin/reset':
      await control.reset();
      return json(204);
    case 'POST /_standin/faults':
      await control.injectFault(FhirStandinFault.parse(await body()));
      return json(204);
    case 'DELETE /_standin/faults':
      await control.clearFaults();
      return json(204);
    case 'GET /_standin/versions':
      return json(200, { versions: await control.versions() });
    case 'GET /_standin/tasks':
      return json(200, { tasks: await control.tasks() });
    case 'POST /_standin/tasks':
      return json(201, { task: await control.createTask(TaskBody.parse(await body())) });
    case 'POST /_standin/practitioners':
      return json(201, { practitioner: await control.createPractitioner(ResourceFields.parse(await body()) as EhrResourceInput<Practitioner>) });
    case 'POST /_standin/practitioner-roles':
      return json(201, { practitionerRole: await control.createPractitionerRole(ResourceFields.parse(await body()) as EhrResourceInput<PractitionerRole>) });
    case 'GET /_standin/provenances':
      return json(200, { provenances: await control.provenances() });
    case 'PUT /_standin/ehr-author-style':
      await control.setEhrAuthorStyle(StyleBody.parse(await body()).style);
      return json(204);
    case 'GET /_standin/requests':
      return json(200, { requests: await control.requests() });
    case 'DELETE /_standin/requests':
      await control.clearRequests();
      return json(204);
    case 'PUT /_standin/paging':
      await control.setPaging(PagingBody.parse(await body()));
      return json(204);
    case 'GET /_standin/subscriptions':
      return json(200, { subscriptions: await control.subscriptions() });
    case 'GET /_standin/notifications':
      return json(200, { notifications: await control.notifications() });
    case 'POST /_standin/notifications':
      return json(200, { notification: await control.sendNotification(FhirStandinSend.parse(await body())) });
    default:
      return json(404, { detail: 'Not Found' });
  }
}

/** The control surface of a stand-in in another process (e.g. `npm run fhir-server`); `url` is its FHIR base URL or origin. */
export function connectFhirStandin(url: string): FhirStandinControl {
  const origin = url.replace(/\/+$/, '').replace(new RegExp(`${FHIR_BASE_PATH}$`), '');
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${origin}/_standin${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`fhir stand-in: ${method} /_standin${path} answered ${response.status}: ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  }
  const task = z.custom<Task>((value) => isRecord(value) && value.resourceType === 'Task');
  const practitioner = z.custom<Practitioner>((value) => isRecord(value) && value.resourceType === 'Practitioner');
  const practitionerRole = z.custom<PractitionerRole>((value) => isRecord(value) && value.resourceType === 'PractitionerRole');
  const provenance = z.custom<Provenance>((value) => isRecord(value) && value.resourceType === 'Provenance');
  const done = async (method: string, path: string, body?: unknown) => {
    await call(method, path, body);
  };
  return {
    reset: () => done('POST', '/reset'),
    injectFault: (fault) => done('POST', '/faults', fault),
    clearFaults: () => done('DELETE', '/faults'),
    versions: async () => z.object({ versions: z.array(z.custom<FhirStandinVersion>(isRecord)) }).parse(await call('GET', '/versions')).versions,
    tasks: async () => z.object({ tasks: z.array(task) }).parse(await call('GET', '/tasks')).tasks,
    createTask: async (created) => z.object({ task }).parse(await call('POST', '/tasks', created)).task,
    editTask: async (id, patch, edit = {}) => z.object({ task }).parse(await call('POST', `/tasks/${encodeURIComponent(id)}/edit`, { ...patch, ...edit })).task,
    deleteTask: (id) => done('DELETE', `/tasks/${encodeURIComponent(id)}`),
    createPractitioner: async (fields) => z.object({ practitioner }).parse(await call('POST', '/practitioners', fields)).practitioner,
    createPractitionerRole: async (fields) => z.object({ practitionerRole }).parse(await call('POST', '/practitioner-roles', fields)).practitionerRole,
    provenances: async () => z.object({ provenances: z.array(provenance) }).parse(await call('GET', '/provenances')).provenances,
    setEhrAuthorStyle: (style) => done('PUT', '/ehr-author-style', { style }),
    requests: async () => z.object({ requests: z.array(z.custom<FhirStandinRequest>(isRecord)) }).parse(await call('GET', '/requests')).requests,
    clearRequests: () => done('DELETE', '/requests'),
    setPaging: (paging) => done('PUT', '/paging', paging),
    subscriptions: async () =>
      z.object({ subscriptions: z.array(z.custom<Subscription>((value) => isRecord(value) && value.resourceType === 'Subscription')) }).parse(await call('GET', '/subscriptions')).subscriptions,
    notifications: async () => z.object({ notifications: z.array(z.custom<FhirStandinNotification>(isRecord)) }).parse(await call('GET', '/notifications')).notifications,
    sendNotification: async (send) => z.object({ notification: z.custom<FhirStandinNotification>(isRecord) }).parse(await call('POST', '/notifications', send)).notification,
  };
}
