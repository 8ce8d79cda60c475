import { describe, expect, it } from 'vitest';
import { sitesAnswer } from '../../functions/core/booking/sites';
import { slotsAnswer } from '../../functions/core/booking/slots';
import { fhirViewOf } from '../../functions/core/fhir/view';
import { ACTION_NAMES } from '../../functions/core/follow-up/action-body';
import { BOOKING_ACTION_NAMES } from '../../functions/core/booking/record';
import { openApiDocument, openApiValidator } from '../support/openapi';

/** A follow-up as the API answers it (CONTRACT §9). */
const FOLLOW_UP = {
  id: 'tx-1',
  transaction_id: 'tx-1',
  initial_order_id: 'o-1',
  redraw_order_id: null,
  state: 'snoozed',
  owner: 'team.a',
  snoozed_until: '2026-03-20T09:00:00.000000Z',
  snooze_reason: 'appointment_booked',
  contact_attempts: 1,
  last_contact: { at: '2026-03-10T12:00:00.000000Z', channel: 'phone', outcome: 'no_answer' },
  attention: null,
  missing: { order_id: 'o-1', status: 'redraw_available', status_detail: null, markers: 2, failure_types: { quantity_not_sufficient_failure: 1, non_failure: 1 } },
  disposition: null,
  closed_by: null,
  reference: 'JIRA-12',
  opened_at: '2026-03-09T08:00:00.000000Z',
  acknowledged_at: '2026-03-10T12:00:00.000000Z',
  closed_at: null,
  booking: null,
  due_at: '2026-03-20T09:00:00.000000Z',
  stale: null,
  waiting_since: '2026-03-09T08:00:00.000000Z',
  version: 3,
};
/** How its redraw can be booked (CONTRACT §14): on every GET /follow-ups/{id}. */
const OPTIONS = { booking_options: { book: 'no', why: 'The follow-up is closed: reopen it to book its redraw' } };
const HISTORY = [
  { at: '2026-03-09T08:00:00.000000Z', actor: 'tracker', action: 'open', from_state: 'new', to_state: 'new' },
  { at: '2026-03-10T12:00:00.000000Z', actor: 'arn:aws:iam::123456789012:user/j.doe', action: 'snooze', from_state: 'new', to_state: 'snoozed', until: '2026-03-20T09:00:00.000000Z', reason: 'appointment_booked' },
];

/** An order as the API answers it (CONTRACT §2, §9, §10). */
const ORDER = {
  id: 'o-2',
  transaction_id: 'tx-1',
  origin: 'redraw',
  collection_method: 'walk_in_test',
  status: 'received',
  low_level_status: 'requisition_created',
  last_event: { id: 2, created_at: '2026-03-10T12:00:00Z', status: 'received.walk_in_test.requisition_created' },
  status_detail: null,
  created_at: '2026-03-10T11:00:00Z',
  updated_at: '2026-03-10T12:00:00Z',
  has_missing_results: null,
  lab: 'quest',
  sample_type: null,
  source: 'webhook',
  stale: null,
  appointment: { id: 'ap-1', start_at: '2026-03-12T14:30:00.000000Z', end_at: null, status: 'confirmed', type: 'patient_service_center', provider: 'quest' },
  follow_up_id: 'tx-1',
};

describe('docs/openapi.json', () => {
  const doc = openApiDocument();

  it('is OpenAPI 3.1 with JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('documents the whole HTTP surface of the contract', () => {
    const paths = doc.paths;
    expect(paths).toBeTypeOf('object');
    const operations = Object.entries(paths ?? {}).flatMap(([path, item]) => Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        'POST /webhooks/junction',
        'GET /orders/{order_id}',
        'GET /transactions/{transaction_id}',
        'GET /redraws',
        'GET /follow-ups',
        'GET /follow-ups/{follow_up_id}',
        'GET /follow-ups/counts',
        'GET /follow-ups/{follow_up_id}/stamp',
        'POST /follow-ups/{follow_up_id}/actions',
        'GET /follow-ups/{follow_up_id}/booking/sites',
        'GET /follow-ups/{follow_up_id}/booking/slots',
        'GET /booking/cancellation-reasons',
        'GET /reports/redraws',
        'GET /me',
        'GET /health',
        'POST /local/sweep',
      ].sort(),
    );
  });

  it('documents the booking reads of CONTRACT §14 as the tracker makes them, and their refusals', () => {
    const assertDocumented = openApiValidator();
    const json = { 'content-type': 'application/json' };
    const site = { site_code: '23070', distance: 3, capabilities: ['appointment_scheduling_via_junction'], metadata: { name: 'Quest', first_line: '1 Main St', city: 'Phoenix', state: 'AZ', zip_code: '85001', hours: { 'Mon-Fri': '7-3' } } };
    const sites = { order_id: 'o-2', lab: 'quest', radius: 25, sites: sitesAnswer([site]) };
    assertDocumented('GET', '/follow-ups/{follow_up_id}/booking/sites', { statusCode: 200, headers: json, body: JSON.stringify(sites) });
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}/booking/sites', { statusCode: 200, headers: json, body: JSON.stringify({ ...sites, sites: [{ ...sites.sites[0], lat: 33 }] }) })).toThrow();
    const slot = { booking_key: 'k', start: '2026-12-01T15:00:00Z', end: '2026-12-01T15:15:00Z', expires_at: null };
    const slots = slotsAnswer({ slots: [{ location: { code: '23070', name: 'Quest', iana_timezone: 'America/Phoenix' }, date: '2026-12-01', slots: [slot] }] }, ['23070', '23071'], true);
    assertDocumented('GET', '/follow-ups/{follow_up_id}/booking/slots', { statusCode: 200, headers: json, body: JSON.stringify(slots) });
    assertDocumented('GET', '/booking/cancellation-reasons', { statusCode: 200, headers: json, body: JSON.stringify({ items: [{ id: 'r-1', name: 'Schedule conflict', is_refundable: true }] }) });
    for (const [status, code] of [[409, 'not_bookable'], [502, 'junction_unavailable']] as const) {
      assertDocumented('GET', '/follow-ups/{follow_up_id}/booking/slots', { statusCode: status, headers: json, body: JSON.stringify({ error: { code, message: 'm' } }) });
    }
    assertDocumented('GET', '/follow-ups/{follow_up_id}', { statusCode: 200, headers: json, body: JSON.stringify({ follow_up: FOLLOW_UP, history: HISTORY, fhir: null, booking_options: { book: 'here', why: null } }) });
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', { statusCode: 200, headers: json, body: JSON.stringify({ follow_up: FOLLOW_UP, history: HISTORY, fhir: null, booking_options: { book: 'soon', why: null } }) })).toThrow();
  });

  it("names each of §9's actions as a body the actions route takes and as a history entry's action, as the tracker parses them", () => {
    const schemas = (doc.components as { schemas: Record<string, { oneOf?: { properties: { action: { const: string } } }[]; properties?: Record<string, { enum?: string[] }> }> }).schemas;
    expect(schemas.Action?.oneOf?.map((option) => option.properties.action.const)).toEqual([...ACTION_NAMES, ...BOOKING_ACTION_NAMES]);
    const entryActions = schemas.FollowUpAction?.properties?.action?.enum ?? [];
    expect([...ACTION_NAMES, ...BOOKING_ACTION_NAMES].filter((name) => !entryActions.includes(name))).toEqual([]);
    // An unsnooze in the history reads as documented.
    const unsnoozed = { at: '2026-03-11T09:00:00.000000Z', actor: 'kim.w', action: 'unsnooze', from_state: 'snoozed', to_state: 'acknowledged', reference: 'T-9' };
    const body = { follow_up: { ...FOLLOW_UP, state: 'acknowledged', snoozed_until: null, snooze_reason: null, version: 4 }, history: [...HISTORY, unsnoozed], fhir: null, ...OPTIONS };
    openApiValidator()('GET', '/follow-ups/{follow_up_id}', { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  });

  it('compiles every response schema strictly, with every $ref resolved', () => {
    const assertDocumented = openApiValidator();
    const json = { 'content-type': 'application/json' };
    // Minimal valid bodies: compiling them proves the $refs and schemas; the checks prove they bite.
    assertDocumented('POST', '/webhooks/junction', { statusCode: 200, headers: json, body: '{"result":"applied"}' });
    assertDocumented('POST', '/webhooks/junction', { statusCode: 202, headers: json, body: '{"result":"quarantined"}' });
    assertDocumented('POST', '/webhooks/junction', { statusCode: 401, headers: json, body: '{"error":{"code":"invalid_signature"}}' });
    assertDocumented('POST', '/webhooks/junction', { statusCode: 413, headers: json, body: '{"error":{"code":"payload_too_large"}}' });
    assertDocumented('GET', '/health', { statusCode: 200, headers: json, body: '{"ok":true}' });
    assertDocumented('POST', '/local/sweep', { statusCode: 200, headers: json, body: '{"examined":3,"flagged":1,"cleared":0,"reconciled":0,"synced":0,"skipped":false}' });
    assertDocumented('POST', '/local/sweep', { statusCode: 200, headers: json, body: '{"examined":0,"flagged":0,"cleared":0,"reconciled":0,"synced":0,"skipped":true}' });
    assertDocumented('GET', '/redraws', { statusCode: 200, headers: json, body: '{"items":[],"next_cursor":null}' });
    assertDocumented('GET', '/follow-ups', { statusCode: 200, headers: json, body: JSON.stringify({ items: [FOLLOW_UP], next_cursor: null }) });
    assertDocumented('GET', '/follow-ups/{follow_up_id}', { statusCode: 200, headers: json, body: JSON.stringify({ follow_up: FOLLOW_UP, history: HISTORY, fhir: null, ...OPTIONS }) });
    // CONTRACT §13: the answer always names its Task's state (null while FHIR is off).
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', { statusCode: 200, headers: json, body: JSON.stringify({ follow_up: FOLLOW_UP, history: HISTORY, ...OPTIONS }) })).toThrow(/fhir/);
    assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', { statusCode: 200, headers: json, body: JSON.stringify({ follow_up: FOLLOW_UP }) });
    assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', { statusCode: 409, headers: json, body: JSON.stringify({ error: { code: 'conflict', message: 'm' }, follow_up: FOLLOW_UP }) });
    expect(() => assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', { statusCode: 409, headers: json, body: '{"error":{"code":"conflict","message":"m"}}' })).toThrow(/follow_up/);
    expect(() => assertDocumented('GET', '/follow-ups', { statusCode: 200, headers: json, body: JSON.stringify({ items: [{ ...FOLLOW_UP, note: 'free text' }], next_cursor: null }) })).toThrow();
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', { statusCode: 200, headers: json, body: JSON.stringify({ follow_up: FOLLOW_UP, history: [{ ...HISTORY[0], comment: 'x' }], fhir: null, ...OPTIONS }) })).toThrow();
    expect(() => assertDocumented('POST', '/webhooks/junction', { statusCode: 200, headers: json, body: '{"result":"maybe"}' })).toThrow();
    expect(() => assertDocumented('POST', '/local/sweep', { statusCode: 200, headers: json, body: '{"examined":3}' })).toThrow();
    // CONTRACT §10: every order answer names its appointment (or null), and nothing of it but the six fields.
    assertDocumented('GET', '/orders/{order_id}', { statusCode: 200, headers: json, body: JSON.stringify({ order: ORDER }) });
    assertDocumented('GET', '/orders/{order_id}', { statusCode: 200, headers: json, body: JSON.stringify({ order: { ...ORDER, appointment: null, stale: { since: '2026-03-14T14:30:00.000000Z', reason: 'appointment_missed' } } }) });
    assertDocumented('GET', '/redraws', { statusCode: 200, headers: json, body: JSON.stringify({ items: [{ ...ORDER, follow_up_state: 'snoozed', follow_up_owner: 'k.lee' }], next_cursor: null }) });
    // CONTRACT §9: a /redraws item names its follow-up's state and owner (null without one).
    expect(() => assertDocumented('GET', '/redraws', { statusCode: 200, headers: json, body: JSON.stringify({ items: [ORDER], next_cursor: null }) })).toThrow(/follow_up_state/);
    expect(() => assertDocumented('GET', '/redraws', { statusCode: 200, headers: json, body: JSON.stringify({ items: [{ ...ORDER, follow_up_state: 'stuck', follow_up_owner: null }], next_cursor: null }) })).toThrow();
    // CONTRACT §11: the lab and sample type are operational codes or null, and always named.
    expect(() => assertDocumented('GET', '/orders/{order_id}', { statusCode: 200, headers: json, body: JSON.stringify({ order: { ...ORDER, lab: 'Quest Diagnostics' } }) })).toThrow(/lab/);
    const { lab: _lab, ...withoutLab } = ORDER;
    expect(() => assertDocumented('GET', '/orders/{order_id}', { statusCode: 200, headers: json, body: JSON.stringify({ order: withoutLab }) })).toThrow(/lab/);
    const { appointment: _none, ...withoutAppointment } = ORDER;
    expect(() => assertDocumented('GET', '/orders/{order_id}', { statusCode: 200, headers: json, body: JSON.stringify({ order: withoutAppointment }) })).toThrow(/appointment/);
    for (const phi of [{ address: { first_line: 'x' } }, { location: { lat: 1, lng: 2 } }, { appointment_notes: 'x' }, { user_id: 'u' }]) {
      expect(() => assertDocumented('GET', '/orders/{order_id}', { statusCode: 200, headers: json, body: JSON.stringify({ order: { ...ORDER, appointment: { ...ORDER.appointment, ...phi } } }) })).toThrow();
    }
    // CONTRACT §12: the console's additions.
    assertDocumented('GET', '/me', { statusCode: 200, headers: json, body: '{"actor":"m.ops"}' });
    const counts = { actor: 'm.ops', counts: { mine: 1, unassigned: 2, attention: 1, snoozed: 0, open: 3 }, ehr_needs_you: 1, owners: [{ owner: 'm.ops', open: 1 }], as_of: '2026-03-10T12:00:00.000000Z' };
    assertDocumented('GET', '/follow-ups/counts', { statusCode: 200, headers: json, body: JSON.stringify(counts) });
    expect(() => assertDocumented('GET', '/follow-ups/counts', { statusCode: 200, headers: json, body: JSON.stringify({ ...counts, counts: { ...counts.counts, closed: 9 } }) })).toThrow();
    // The page's stamp (CONTRACT §12, an extension): opaque, two fields.
    assertDocumented('GET', '/follow-ups/{follow_up_id}/stamp', { statusCode: 200, headers: json, body: JSON.stringify({ id: 'tx-1', stamp: '7.2026-11-29T03:00:00.000Z' }) });
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}/stamp', { statusCode: 200, headers: json, body: JSON.stringify({ id: 'tx-1', stamp: 7 }) })).toThrow();
    expect(() => assertDocumented('GET', '/follow-ups', { statusCode: 200, headers: json, body: JSON.stringify({ items: [{ ...FOLLOW_UP, waiting_since: undefined }], next_cursor: null }) })).toThrow(/waiting_since/);
    expect(() => assertDocumented('GET', '/health', { statusCode: 418, headers: json, body: '{}' })).toThrow(/not documented/);
  });

  it('documents `fhir` on GET /follow-ups/{id} only: null, or every field of §13 in each of its six states, with `held` (CONTRACT §13)', () => {
    const assertDocumented = openApiValidator();
    const json = { 'content-type': 'application/json' };
    const detail = (fhir: unknown) => ({ statusCode: 200, headers: json, body: JSON.stringify({ follow_up: FOLLOW_UP, history: HISTORY, fhir, ...OPTIONS }) });
    assertDocumented('GET', '/follow-ups/{follow_up_id}', detail(null));
    const at = '2026-03-10T12:00:30.000000Z';
    const base = { baseUrl: 'https://ehr.example/fhir', version: 3, digest: 'd1', confirmedAt: at, refusedDigest: null, refusalStatus: null, refusalCodes: [], changedInEhrDigest: null, deletedInEhrVersion: null, heldAt: null };
    // The answers as the API builds them (functions/core/fhir/view.ts), one per state.
    const views = [
      fhirViewOf(base, 'd1', base.baseUrl),
      fhirViewOf(base, 'd2', base.baseUrl),
      fhirViewOf({ ...base, refusedDigest: 'd2', refusalStatus: 422, refusalCodes: ['invalid'], heldAt: at }, 'd2', base.baseUrl),
      fhirViewOf({ ...base, changedInEhrDigest: 'd2', heldAt: at }, 'd2', base.baseUrl),
      fhirViewOf({ ...base, deletedInEhrVersion: 3, heldAt: at }, 'd2', base.baseUrl),
    ];
    expect(views.map((view) => view?.state)).toEqual(['current', 'behind', 'refused', 'changed_in_ehr', 'deleted_in_ehr']);
    for (const view of views) assertDocumented('GET', '/follow-ups/{follow_up_id}', detail(view));
    // Behind after a failed try: when the next try is (issue 84).
    const retrying = fhirViewOf({ ...base, nextTryAt: '2026-03-10T12:01:30.000Z' }, 'd2', base.baseUrl);
    expect(retrying?.next_try_at).toBe('2026-03-10T12:01:30.000Z');
    assertDocumented('GET', '/follow-ups/{follow_up_id}', detail(retrying));
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ ...retrying, next_try_at: 'soon' }))).toThrow();
    // ehr_change and tracker_change as §13 gives them (a later issue fills them), in a conflict.
    const ehrChange = { at, actor: 'ehr:Practitioner/123', fhir_version_id: '5', actions: ['close'], applied: false, why: 'invalid_transition' };
    const conflict = { ...views[3], state: 'conflict', ehr_change: ehrChange, tracker_change: { at, actor: 'kim.w', action: 'snooze' } };
    assertDocumented('GET', '/follow-ups/{follow_up_id}', detail(conflict));
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ ...conflict, ehr_change: { ...ehrChange, applied: undefined } }))).toThrow();
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ ...views[2], held: { at, status: 422 } }))).toThrow();
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ version: 3, confirmed_at: at, state: 'current' }))).toThrow();
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ ...views[0], state: 'sent' }))).toThrow();
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ ...views[0], confirmed_at: 'yesterday' }))).toThrow();
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ ...views[0], task_id: 't' }))).toThrow();
    // The lists and an action's answer do not carry it.
    expect(() => assertDocumented('GET', '/follow-ups', { statusCode: 200, headers: json, body: JSON.stringify({ items: [{ ...FOLLOW_UP, fhir: null }], next_cursor: null }) })).toThrow();
    expect(() => assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', { statusCode: 200, headers: json, body: JSON.stringify({ follow_up: FOLLOW_UP, fhir: null }) })).toThrow();
  });

  it('documents a history entry of work done in the EHR: source "ehr", the Task version read, and its time there (CONTRACT §13)', () => {
    const assertDocumented = openApiValidator();
    const detail = (entry: unknown) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ follow_up: FOLLOW_UP, history: [HISTORY[0], entry], fhir: null, ...OPTIONS }) });
    const fromEhr = { at: '2026-03-10T12:00:00.000000Z', actor: 'ehr:Practitioner/123', action: 'close', from_state: 'new', to_state: 'closed', disposition: 'other', source: 'ehr', fhir_version_id: '7', fhir_last_updated: '2026-03-10T11:59:00.000Z' };
    assertDocumented('GET', '/follow-ups/{follow_up_id}', detail(fromEhr));
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ ...fromEhr, source: 'chat' }))).toThrow(/source/);
    expect(() => assertDocumented('GET', '/follow-ups/{follow_up_id}', detail({ ...fromEhr, fhir_last_updated: 'yesterday' }))).toThrow(/fhir_last_updated/);
  });
});
