/**
 * The stand-in FHIR server's control surface (local/fhir-standin.ts), on the
 * stand-ins' shared one (local/standin/control.ts): the same in-process
 * (`localFhirControl`, over the stand-in's state) and over HTTP, the routes it
 * serves beside FHIR (never faulted, never logged, no token needed), with
 * `connectFhirStandin`, their client for a stand-in in another process.
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
 *                              (local/fhir-standin/subscriptions.ts)
 *
 * A body that is not what the route takes is 400 {detail}; a resource that is not
 * valid R4 is 422 with an OperationOutcome, and nothing is stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getStatus } from '@medplum/core';
import type { OperationOutcome, Practitioner, PractitionerRole, Provenance, Subscription, Task } from '@medplum/fhirtypes';
import * as z from 'zod';
import { createEhrResource, createTask, deleteTask, editTask, provenances } from './ehr';
import { FhirStandinAnswer, readResourceBody, send } from './http';
import { answerControl, controlClient, listing, noContent, type ControlHandler, type ControlRoutes } from '../standin/control';
import { pagingOf, type FhirStandinPaging } from './paging';
import type { FhirStandinState } from './state';
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
} from './types';

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

/** The control surface over the stand-in's own state (a reset waits for the writes under way). */
export function localFhirControl(state: FhirStandinState): FhirStandinControl {
  const { store, subscriptions } = state;
  return {
    reset: async () => {
      await store.serialize(async () => {
        store.reset();
        subscriptions.reset();
        state.tokens.reset();
        state.authorStyle = state.startAuthorStyle;
      });
    },
    injectFault: async (fault) => {
      store.faults.push(FhirStandinFault.parse(fault));
    },
    clearFaults: async () => {
      store.faults.length = 0;
    },
    versions: async () => structuredClone(store.log),
    tasks: () => store.tasks(),
    createTask: (task) => createTask(store, task),
    editTask: (id, patch, edit = {}) => editTask(store, id, patch, edit, state.authorStyle),
    deleteTask: (id) => deleteTask(store, id),
    createPractitioner: (practitioner) => createEhrResource<Practitioner>(store, 'Practitioner', practitioner),
    createPractitionerRole: (role) => createEhrResource<PractitionerRole>(store, 'PractitionerRole', role),
    provenances: () => provenances(store),
    setEhrAuthorStyle: async (style) => {
      state.authorStyle = style;
    },
    requests: async () => store.requests.map((entry) => ({ ...entry })),
    clearRequests: async () => {
      store.requests.length = 0;
    },
    setPaging: async (next) => {
      state.paging = pagingOf({ ...state.paging, ...next });
    },
    subscriptions: () => subscriptions.subscriptions(),
    notifications: async () => subscriptions.notifications(),
    sendNotification: (send) => subscriptions.send(FhirStandinSend.parse(send)),
  };
}

/** The control routes, over `control`. */
function routesOf(control: FhirStandinControl): ControlRoutes {
  const created = (key: string, create: (fields: unknown) => Promise<unknown>): ControlHandler => async ({ body }) => ({ status: 201, body: { [key]: await create(await body()) } });
  return {
    patterns: [
      {
        method: 'POST',
        path: EDIT,
        handler: async ({ params, body }) => {
          const { patch, edit } = EditBody.parse(await body());
          return { status: 200, body: { task: await control.editTask(params[0]!, patch, edit) } };
        },
      },
      {
        method: 'DELETE',
        path: DELETE,
        handler: async ({ params }) => {
          await control.deleteTask(params[0]!);
          return { status: 204 };
        },
      },
    ],
    fixed: {
      'POST /_standin/reset': noContent(() => control.reset()),
      'POST /_standin/faults': noContent(async (body) => control.injectFault(FhirStandinFault.parse(await body()))),
      'DELETE /_standin/faults': noContent(() => control.clearFaults()),
      'GET /_standin/versions': listing('versions', () => control.versions()),
      'GET /_standin/tasks': listing('tasks', () => control.tasks()),
      'POST /_standin/tasks': created('task', (fields) => control.createTask(TaskBody.parse(fields))),
      'POST /_standin/practitioners': created('practitioner', (fields) => control.createPractitioner(ResourceFields.parse(fields) as EhrResourceInput<Practitioner>)),
      'POST /_standin/practitioner-roles': created('practitionerRole', (fields) => control.createPractitionerRole(ResourceFields.parse(fields) as EhrResourceInput<PractitionerRole>)),
      'GET /_standin/provenances': listing('provenances', () => control.provenances()),
      'PUT /_standin/ehr-author-style': noContent(async (body) => control.setEhrAuthorStyle(StyleBody.parse(await body()).style)),
      'GET /_standin/requests': listing('requests', () => control.requests()),
      'DELETE /_standin/requests': noContent(() => control.clearRequests()),
      'PUT /_standin/paging': noContent(async (body) => control.setPaging(PagingBody.parse(await body()))),
      'GET /_standin/subscriptions': listing('subscriptions', () => control.subscriptions()),
      'GET /_standin/notifications': listing('notifications', () => control.notifications()),
      'POST /_standin/notifications': async ({ body }) => ({ status: 200, body: { notification: await control.sendNotification(FhirStandinSend.parse(await body())) } }),
    },
  };
}

/** Answers one request to a control route with `control`. */
export async function controlRoute(control: FhirStandinControl, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  try {
    const answer = await answerControl(routesOf(control), request.method ?? 'GET', url.pathname, () => readResourceBody(request));
    send(response, new FhirStandinAnswer(answer.status, answer.body), 'application/json');
  } catch (error) {
    if (error instanceof FhirStandinAnswer) return send(response, error);
    const engine = error as { outcome?: OperationOutcome };
    if (engine.outcome?.resourceType === 'OperationOutcome') return send(response, new FhirStandinAnswer(getStatus(engine.outcome), engine.outcome));
    throw error;
  }
}

const resource = <T>(type: string) => z.custom<T>((value) => isRecord(value) && value.resourceType === type);

/** The control surface of a stand-in in another process (e.g. `npm run fhir-server`); `url` is its FHIR base URL or origin. */
export function connectFhirStandin(url: string): FhirStandinControl {
  const origin = url.replace(/\/+$/, '').replace(new RegExp(`${FHIR_BASE_PATH}$`), '');
  const { done, read } = controlClient(origin, { name: 'fhir stand-in', withAnswer: true });
  const task = resource<Task>('Task');
  return {
    reset: () => done('POST', '/reset'),
    injectFault: (fault) => done('POST', '/faults', fault),
    clearFaults: () => done('DELETE', '/faults'),
    versions: () => read(z.array(z.custom<FhirStandinVersion>(isRecord)), 'versions', 'GET', '/versions'),
    tasks: () => read(z.array(task), 'tasks', 'GET', '/tasks'),
    createTask: (created) => read(task, 'task', 'POST', '/tasks', created),
    editTask: (id, patch, edit = {}) => read(task, 'task', 'POST', `/tasks/${encodeURIComponent(id)}/edit`, { ...patch, ...edit }),
    deleteTask: (id) => done('DELETE', `/tasks/${encodeURIComponent(id)}`),
    createPractitioner: (fields) => read(resource<Practitioner>('Practitioner'), 'practitioner', 'POST', '/practitioners', fields),
    createPractitionerRole: (fields) => read(resource<PractitionerRole>('PractitionerRole'), 'practitionerRole', 'POST', '/practitioner-roles', fields),
    provenances: () => read(z.array(resource<Provenance>('Provenance')), 'provenances', 'GET', '/provenances'),
    setEhrAuthorStyle: (style) => done('PUT', '/ehr-author-style', { style }),
    requests: () => read(z.array(z.custom<FhirStandinRequest>(isRecord)), 'requests', 'GET', '/requests'),
    clearRequests: () => done('DELETE', '/requests'),
    setPaging: (paging) => done('PUT', '/paging', paging),
    subscriptions: () => read(z.array(resource<Subscription>('Subscription')), 'subscriptions', 'GET', '/subscriptions'),
    notifications: () => read(z.array(z.custom<FhirStandinNotification>(isRecord)), 'notifications', 'GET', '/notifications'),
    sendNotification: (send) => read(z.custom<FhirStandinNotification>(isRecord), 'notification', 'POST', '/notifications', send),
  };
}
