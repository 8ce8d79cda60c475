/**
 * Faithfulness to Junction: the webhook bodies the flow builders make and the
 * local stand-in's answers over real HTTP validate against Junction's own OpenAPI
 * schemas (test/fixtures/junction-openapi), so neither can drift from the real
 * service without a failing test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectStandin } from '../../local/junction-standin';
import { appointmentDelivery, arbFlow, buildDeliveries, freshId, HAPPY_PATHS, newestByOrder, noRedrawFlow, redrawFlow, simpleFlow, type FlowSpec, type Method, type RedrawOutcome } from '../support/junction';
import { junctionSchemaValidator } from '../support/junction-openapi';
import { callStandin, putPscOrder, useJunctionStandin } from '../support/junction-standin';
import { STANDIN_FAILURE_TYPES, standinMissingTypes } from '../../local/junction-standin/results';
import { propertyRuns } from '../support/property-runs';

const schemas = junctionSchemaValidator();

describe('webhook bodies of the flow builders', () => {
  const flows: [string, FlowSpec][] = [
    ...(Object.keys(HAPPY_PATHS) as Method[]).map((method): [string, FlowSpec] => [`${method} along its path`, simpleFlow({ transactionId: freshId(), orderId: freshId() }, method)]),
    ...(['completed', 'incomplete', 'cancelled', 'sample_error', 'not_created', 'in_progress'] as RedrawOutcome[]).map((outcome): [string, FlowSpec] => [
      `a redraw flow that ends ${outcome}`,
      redrawFlow({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() }, outcome),
    ]),
    ['an order without a transaction', simpleFlow({ transactionId: null, orderId: freshId() }, 'testkit', 3)],
    // Results missing and no redraw (CONTRACT §9 no_redraw): the status detail and has_missing_results as Junction sends them.
    ['a test kit ending sample_error with a status detail', noRedrawFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', { low: 'sample_error', detail: 'sample_hemolyzed' })],
    ['a test kit lost on its way to the lab', noRedrawFlow({ transactionId: freshId(), orderId: freshId() }, 'testkit', { low: 'lost' })],
    ['a walk-in order completed with results missing', noRedrawFlow({ transactionId: freshId(), orderId: freshId() }, 'walk_in_test', { low: 'completed' })],
  ];

  it.each(flows)('are ClientFacingOrderChanged events: %s', (_name, spec) => {
    const deliveries = buildDeliveries(spec);
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries) schemas.assertValid('ClientFacingOrderChanged', delivery.body, `event ${delivery.eventId}`);
  });

  it('are ClientFacingOrderChanged events for any generated flow; without last_event, that is the one thing missing', () => {
    fc.assert(
      fc.property(arbFlow(), (spec) => {
        for (const delivery of buildDeliveries(spec)) {
          const problems = schemas.errors('ClientFacingOrderChanged', delivery.body);
          if (spec.omitLastEvent) {
            // Junction's docs examples leave last_event out of webhooks; its schema requires it.
            expect(problems.map((problem) => `${problem.instancePath} ${problem.keyword} ${String(problem.params.missingProperty)}`)).toEqual(['/data required last_event']);
          } else {
            expect(problems).toEqual([]);
          }
        }
      }),
      { numRuns: propertyRuns(150) },
    );
  });
});

describe('appointment webhook bodies of appointmentDelivery (CONTRACT §10)', () => {
  it('carry a ClientFacingAppointment for every status, with or without a start, a transaction or several events', () => {
    const statuses = ['pending', 'reserved', 'confirmed', 'in_progress', 'completed', 'cancelled'];
    for (const [index, status] of statuses.entries()) {
      const delivery = appointmentDelivery({
        orderId: freshId(),
        transactionId: index % 2 ? freshId() : null,
        appointmentId: freshId(),
        startAt: index === 0 ? null : new Date(Date.UTC(2026, 3, 10, 14)),
        status,
        eventTimes: Array.from({ length: 1 + index }, (_, n) => new Date(Date.UTC(2026, 3, 1, 9 + n))),
        ...(index % 2 ? { type: 'phlebotomy', provider: 'getlabs' } : {}),
      });
      expect(delivery.body.event_type).toBe(index === 0 ? 'labtest.appointment.created' : 'labtest.appointment.updated');
      schemas.assertValid('ClientFacingAppointment', delivery.body.data, `${status} appointment`);
    }
  });
});

describe('the stand-in answers over HTTP', () => {
  /** The block's stand-in, reset before each test (test/support/junction-standin.ts). */
  const standin = useJunctionStandin();
  const get = async (path: string) => {
    const response = await fetch(`${standin().url}${path}`, { headers: { 'x-vital-api-key': standin().apiKey } });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return { status: response.status, body: (await response.json()) as unknown };
  };


  it('validate as ClientFacingOrder, GetOrderTransactionResponse and GetOrdersResponse for any generated flows, some webhooks lost', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbFlow(), { minLength: 1, maxLength: 4 }), fc.nat({ max: 3 }), async (specs, lostCount) => {
        await standin().reset();
        const all = specs.flatMap((spec, index) => buildDeliveries({ ...spec, firstEventId: 1000 + index * 100 }));
        const newest = newestByOrder(all);
        const lost = [...newest.keys()].slice(0, 1).map((orderId) => ({ orderId, last: lostCount }));
        await standin().loseWebhooks(all, lost);
        for (const [orderId, delivery] of newest) {
          const answer = await get(`/v3/order/${orderId}`);
          expect(answer.status).toBe(200);
          schemas.assertValid('ClientFacingOrder', answer.body, `GET /v3/order/${orderId}`);
          // The API knows the newest state, whatever webhooks were lost.
          expect(answer.body).toMatchObject({ id: orderId, last_event: { id: delivery.eventId } });
        }
        for (const spec of specs) {
          if (spec.transactionId === null) continue;
          const answer = await get(`/v3/order_transaction/${spec.transactionId}`);
          expect(answer.status).toBe(200);
          schemas.assertValid('GetOrderTransactionResponse', answer.body, `GET /v3/order_transaction/${spec.transactionId}`);
          const listedIds = (answer.body as { orders: { id: string }[] }).orders.map((order) => order.id).sort();
          expect(listedIds).toEqual(spec.orders.map((order) => order.id).filter((id) => newest.has(id)).sort());
        }
        let total = 0;
        for (let page = 1; ; page++) {
          const answer = await get(`/v3/orders?page=${page}&size=3&order_key=created_at&order_direction=${page % 2 === 0 ? 'asc' : 'desc'}&updated_end_date=2100-01-01T00:00:00.000000Z`);
          expect(answer.status).toBe(200);
          schemas.assertValid('GetOrdersResponse', answer.body, `GET /v3/orders page ${page}`);
          const orders = (answer.body as { orders: unknown[] }).orders;
          total += orders.length;
          if (orders.length < 3) break;
        }
        expect(total).toBe(newest.size);
      }),
      { numRuns: propertyRuns(40) },
    );
  });

  it("answer an order's active appointment as a ClientFacingAppointment (the newest one recorded), 404 without one; also set over the control routes", async () => {
    const orderId = freshId();
    expect((await get(`/v3/order/${orderId}/psc/appointment`)).status).toBe(404);
    const visit = { orderId, transactionId: freshId(), startAt: new Date('2026-04-10T14:00:00Z') };
    const first = appointmentDelivery({ ...visit, appointmentId: freshId(), status: 'cancelled', eventTimes: ['2026-04-01T09:00:00Z', '2026-04-02T09:00:00Z'] });
    const rebooked = appointmentDelivery({ ...visit, appointmentId: freshId(), status: 'confirmed', eventTimes: ['2026-04-02T09:05:00Z'] });
    await standin().recordAppointments([rebooked, first]);
    const answer = await get(`/v3/order/${orderId}/psc/appointment`);
    expect(answer.status).toBe(200);
    schemas.assertValid('ClientFacingAppointment', answer.body, `GET /v3/order/${orderId}/psc/appointment`);
    expect(answer.body).toEqual(rebooked.body.data);
    expect((await standin().requests()).map((request) => request.endpoint)).toEqual(['appointment', 'appointment']);

    // The same through another process's control surface.
    const other = freshId();
    const remote = connectStandin(standin().url, standin().apiKey);
    const booked = appointmentDelivery({ orderId: other, appointmentId: freshId(), startAt: null, status: 'pending', eventTimes: ['2026-04-03T09:00:00Z'] });
    await remote.recordAppointments([booked]);
    const pending = await get(`/v3/order/${other}/psc/appointment`);
    schemas.assertValid('ClientFacingAppointment', pending.body, 'a pending appointment');
    expect(pending.body).toMatchObject({ order_id: other, status: 'pending', start_at: null });
    await standin().reset();
    expect((await get(`/v3/order/${other}/psc/appointment`)).status).toBe(404);
  });

  it("answer an order's results as a LabResultsRaw (missing results for one that ended without them, the same every time), 422 for one without results; faults apply to the route", async () => {
    const failed = freshId();
    const completed = freshId();
    const pending = freshId();
    await standin().recordDeliveries([
      ...buildDeliveries(redrawFlow({ transactionId: freshId(), initialId: failed, redrawId: freshId() }, 'sample_error')),
      ...buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: completed }, 'walk_in_test')),
      ...buildDeliveries(simpleFlow({ transactionId: freshId(), orderId: pending }, 'walk_in_test', 2)),
    ]);
    const first = await get(`/v3/order/${failed}/result`);
    expect(first.status).toBe(200);
    schemas.assertValid('LabResultsRaw', first.body, `GET /v3/order/${failed}/result`);
    const entries = (first.body as { missing_results: unknown[] }).missing_results;
    expect(entries.length).toBeGreaterThanOrEqual(1);
    for (const entry of entries) schemas.assertValid('MissingBiomarkerResult', entry, 'a missing result');
    for (const type of STANDIN_FAILURE_TYPES) schemas.assertValid('FailureType', type, type);
    expect(entries.map((entry) => (entry as { inferred_failure_type: string }).inferred_failure_type)).toEqual(standinMissingTypes(failed));
    expect(JSON.stringify(first.body)).toContain('CANARY');
    expect((await get(`/v3/order/${failed}/result`)).body).toEqual(first.body);

    const complete = await get(`/v3/order/${completed}/result`);
    expect(complete.status).toBe(200);
    schemas.assertValid('LabResultsRaw', complete.body, 'a completed order');
    expect(complete.body).toMatchObject({ missing_results: null });

    const none = await get(`/v3/order/${pending}/result`);
    expect(none.status).toBe(422);
    schemas.assertValid('HTTPValidationError', none.body, 'an order without results');

    await standin().injectFault({ kind: 'status', status: 503, endpoint: 'results' });
    expect((await fetch(`${standin().url}/v3/order/${failed}/result`, { headers: { 'x-vital-api-key': standin().apiKey } })).status).toBe(503);
    expect((await standin().requests()).map((request) => request.endpoint)).toEqual(['results', 'results', 'results', 'results', 'results']);
  });

  it('answer a refused query with the body Junction documents for it (HTTPValidationError)', async () => {
    for (const query of ['size=101', 'page=0', 'updated_start_date=yesterday', 'order_key=updated_at', 'order_direction=up']) {
      const answer = await get(`/v3/orders?${query}`);
      expect(answer.status).toBe(422);
      schemas.assertValid('HTTPValidationError', answer.body, query);
      expect(answer.body).toMatchObject({ detail: [expect.objectContaining({ loc: ['query', query.split('=')[0]] })] });
    }
  });
});

describe("the stand-in's PSC scheduling routes (CONTRACT §14 Locally)", () => {
  const standin = useJunctionStandin();
  const call = (method: string, path: string, body?: unknown) => callStandin(standin(), method, path, body);
  type Site = { site_code: string; capabilities: string[]; metadata: { hours: unknown } };
  type Day = { location: { code: string } | null; slots: { booking_key: string }[] };

  it('answer psc/info as a PSCInfo (hours in both of Junction\'s forms and null), availability as AppointmentAvailabilitySlots, reasons as ClientFacingAppointmentCancellationReason', async () => {
    const orderId = await putPscOrder(standin());
    const info = await call('GET', `/v3/order/${orderId}/psc/info?radius=100`);
    expect(info.status).toBe(200);
    schemas.assertValid('PSCInfo', info.body, 'psc/info');
    const sites = (info.body as { patient_service_centers: Site[] }).patient_service_centers;
    const hours = sites.map((site) => site.metadata.hours);
    expect(hours).toContain(null);
    expect(hours.some((value) => value !== null && Object.values(value as object).every((part) => typeof part === 'string'))).toBe(true);
    expect(hours.some((value) => value !== null && Object.values(value as object).every(Array.isArray))).toBe(true);
    expect(JSON.stringify(info.body)).toContain('CANARY-PHI');

    const query = new URLSearchParams({ lab: 'quest' });
    for (const site of sites) query.append('site_codes', site.site_code);
    const slots = await call('POST', `/v3/order/psc/appointment/availability?${query}`);
    expect(slots.status).toBe(200);
    schemas.assertValid('AppointmentAvailabilitySlots', slots.body, 'availability');
    expect((slots.body as { slots: Day[] }).slots.some((day) => day.location === null)).toBe(true);

    const reasons = await call('GET', '/v3/order/psc/appointment/cancellation-reasons');
    expect(reasons.status).toBe(200);
    expect((reasons.body as unknown[]).length).toBeGreaterThanOrEqual(4);
    for (const reason of reasons.body as unknown[]) schemas.assertValid('ClientFacingAppointmentCancellationReason', reason, 'a cancellation reason');
  });

  it('answer book (sync and async), reschedule, the active appointment and cancel as ClientFacingAppointment', async () => {
    const [orderId, other] = [await putPscOrder(standin()), await putPscOrder(standin())];
    const sites = ((await call('GET', `/v3/order/${orderId}/psc/info?radius=100`)).body as { patient_service_centers: Site[] }).patient_service_centers;
    const here = sites.find((site) => site.capabilities.includes('appointment_scheduling_via_junction'))!;
    const days = ((await call('POST', `/v3/order/psc/appointment/availability?lab=quest&site_codes=${here.site_code}`)).body as { slots: Day[] }).slots;
    const [first, second, third] = days.flatMap((day) => day.slots).map((slot) => slot.booking_key);
    const bookBody = { booking_key: first, appointment_notes: 'CANARY-PHI-notes' };
    schemas.assertValid('AppointmentBookingRequest', bookBody, 'the book body');
    const booked = await call('POST', `/v3/order/${orderId}/psc/appointment/book`, bookBody);
    expect(booked.status).toBe(200);
    schemas.assertValid('ClientFacingAppointment', booked.body, 'book');
    const pending = await call('POST', `/v3/order/${other}/psc/appointment/book`, { booking_key: third, async_confirmation: true });
    schemas.assertValid('ClientFacingAppointment', pending.body, 'an async book');
    expect(pending.body).toMatchObject({ status: 'pending' });
    const moved = await call('PATCH', `/v3/order/${orderId}/psc/appointment/reschedule`, { booking_key: second });
    expect(moved.status).toBe(200);
    schemas.assertValid('ClientFacingAppointment', moved.body, 'reschedule');
    schemas.assertValid('ClientFacingAppointment', (await call('GET', `/v3/order/${orderId}/psc/appointment`)).body, 'the active appointment');
    const reasonId = ((await call('GET', '/v3/order/psc/appointment/cancellation-reasons')).body as { id: string }[])[0]!.id;
    const cancelBody = { cancellationReasonId: reasonId, cancellation_reason_id: reasonId };
    schemas.assertValid('vital_core__clients__lab_test__getlabs__schema__AppointmentCancelRequest', cancelBody, 'the cancel body');
    schemas.assertValid('api__api_v1__endpoints__vital_api__lab_testing__orders__helpers__AppointmentCancelRequest', cancelBody, 'the cancel body');
    const cancelled = await call('PATCH', `/v3/order/${orderId}/psc/appointment/cancel`, cancelBody);
    expect(cancelled.status).toBe(200);
    schemas.assertValid('ClientFacingAppointment', cancelled.body, 'cancel');
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
  });

  it('answer a refused query or body with HTTPValidationError naming it', async () => {
    const orderId = await putPscOrder(standin());
    const refused: [string, string, unknown, string[]][] = [
      ['GET', `/v3/order/${orderId}/psc/info?radius=30`, undefined, ['query', 'radius']],
      ['POST', '/v3/order/psc/appointment/availability?site_codes=PSC000000', undefined, ['query', 'lab']],
      ['POST', '/v3/order/psc/appointment/availability?lab=labcorp&site_codes=PSC000000', undefined, ['query', 'lab']],
      ['POST', '/v3/order/psc/appointment/availability?lab=quest&site_codes=PSC000000&start_date=2026-02-30', undefined, ['query', 'start_date']],
      ['POST', `/v3/order/${orderId}/psc/appointment/book`, {}, ['body', 'booking_key']],
      ['POST', `/v3/order/${orderId}/psc/appointment/book`, { booking_key: 'k', sync_confirmation_timeout_millisecond: 50 }, ['body', 'sync_confirmation_timeout_millisecond']],
      ['PATCH', `/v3/order/${orderId}/psc/appointment/reschedule`, { appointment_notes: 'x' }, ['body', 'booking_key']],
      ['PATCH', `/v3/order/${orderId}/psc/appointment/cancel`, {}, ['body', 'cancellationReasonId']],
      ['PATCH', `/v3/order/${orderId}/psc/appointment/cancel`, { cancellation_reason_id: 'not-a-uuid' }, ['body', 'cancellation_reason_id']],
    ];
    for (const [method, path, body, loc] of refused) {
      const answer = await call(method, path, body);
      expect(answer.status, path).toBe(422);
      schemas.assertValid('HTTPValidationError', answer.body, path);
      expect(answer.body, path).toMatchObject({ detail: [expect.objectContaining({ loc })] });
    }
  });
});
