import { describe, expect, it } from 'vitest';
import { isActiveAppointment, NO_EVENT_TIME, projectAppointment, rankTime, toAppointmentAnswer } from '../../../functions/core/appointment';
import { readWebhookBody } from '../../../functions/core/schemas';
import { docsFixtures, envelope } from '../../../test/support/junction';

const CANARY = 'CANARY-PHI';

function payload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '06c2c65b-74a0-4f25-a4a9-44f796296355',
    user_id: `${CANARY}-user`,
    order_id: '1ed9c8d7-e1b4-4d61-8123-0f99de5ae99a',
    order_transaction_id: '6424dd45-ee1a-49c6-ad0c-5769b8e03fc1',
    address: { first_line: `${CANARY}-address`, city: `${CANARY}-city` },
    location: { lng: -122.4, lat: 37.7 },
    appointment_notes: `${CANARY}-notes`,
    start_at: '2026-01-05T14:30:00',
    end_at: '2026-01-05T15:00:00+01:00',
    iana_timezone: 'America/New_York',
    type: 'patient_service_center',
    provider: 'quest',
    status: 'confirmed',
    event_status: 'scheduled',
    provider_id: `${CANARY}-provider-id`,
    can_reschedule: true,
    event_data: { origin: 'patient', note: `${CANARY}-event-data` },
    events: [
      { created_at: '2026-01-01T10:00:00Z', data: null, status: 'pending' },
      { created_at: '2026-01-02T10:00:00.5Z', data: { note: `${CANARY}-event` }, status: 'scheduled' },
    ],
    ...overrides,
  };
}

function read(data: unknown, eventType = 'labtest.appointment.updated') {
  const result = readWebhookBody(JSON.stringify(envelope(eventType, data)));
  if (result.kind !== 'appointment') throw new Error(`not an appointment: ${JSON.stringify(result)}`);
  return projectAppointment(result.appointment);
}

describe('appointments (CONTRACT §10)', () => {
  it('reads both event types and projects the kept fields only, instants canonical', () => {
    expect(readWebhookBody(JSON.stringify(envelope('labtest.appointment.created', payload()))).kind).toBe('appointment');
    const appointment = read(payload());
    expect(appointment).toEqual({
      id: '06c2c65b-74a0-4f25-a4a9-44f796296355',
      order_id: '1ed9c8d7-e1b4-4d61-8123-0f99de5ae99a',
      transaction_id: '6424dd45-ee1a-49c6-ad0c-5769b8e03fc1',
      start_at: '2026-01-05T14:30:00.000000Z',
      end_at: '2026-01-05T14:00:00.000000Z',
      iana_timezone: 'America/New_York',
      status: 'confirmed',
      type: 'patient_service_center',
      provider: 'quest',
      rank: expect.stringMatching(/^2026-01-02T10:00:00\.500000Z\|0001\|[0-9a-f]{16}$/),
    });
    expect(JSON.stringify(appointment)).not.toContain(CANARY);
    expect(rankTime(appointment.rank)).toBe('2026-01-02T10:00:00.500000Z');
  });

  it("reads Junction's documented examples", () => {
    const examples = docsFixtures().filter((fixture) => fixture.eventType.startsWith('labtest.appointment.'));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      const result = readWebhookBody(JSON.stringify(example.body));
      expect(result.kind).toBe('appointment');
      if (result.kind !== 'appointment') continue;
      const appointment = projectAppointment(result.appointment);
      expect(appointment.start_at).toBe('2022-01-01T00:00:00.000000Z');
      // Two events at the same time: the count is part of the rank.
      expect(appointment.rank.startsWith('2022-01-01T00:00:00.000000Z|0002|')).toBe(true);
      expect(JSON.stringify(appointment)).not.toMatch(/Main St|San Francisco|acf79a82/);
    }
  });

  it('tolerates unknown statuses, types and providers, missing optional fields and no events', () => {
    const appointment = read(payload({ status: 'rescheduling', type: 'mobile_van', provider: 'new_lab', order_transaction_id: undefined, start_at: null, end_at: undefined, iana_timezone: null, events: [] }));
    expect(appointment).toMatchObject({ status: 'rescheduling', type: 'mobile_van', provider: 'new_lab', transaction_id: null, start_at: null, end_at: null, iana_timezone: null });
    expect(rankTime(appointment.rank)).toBe(NO_EVENT_TIME);
  });

  it('refuses an invalid appointment with a reason naming fields only', () => {
    for (const bad of [payload({ order_id: `${CANARY} not an id` }), payload({ start_at: `${CANARY}` }), payload({ events: [{ created_at: 'yesterday' }] }), payload({ iana_timezone: `${CANARY} zone!` }), payload({ status: undefined })]) {
      const result = readWebhookBody(JSON.stringify(envelope('labtest.appointment.updated', bad)));
      expect(result.kind).toBe('unreadable');
      if (result.kind === 'unreadable') {
        expect(result.reason).toMatch(/^appointment: /);
        expect(result.reason).not.toContain(CANARY);
      }
    }
  });

  it('ranks by the newest event time, then the events at that time, then the content, whatever the id', () => {
    const first = read(payload({ events: [{ created_at: '2026-01-01T10:00:00Z' }] }));
    const later = read(payload({ id: 'another-appointment', events: [{ created_at: '2026-01-01T10:00:01Z' }] }));
    const sameTimeMore = read(payload({ events: [{ created_at: '2026-01-01T10:00:00Z' }, { created_at: '2026-01-01T10:00:00+00:00' }] }));
    expect(later.rank > first.rank).toBe(true);
    expect(sameTimeMore.rank > first.rank).toBe(true);
    expect(later.rank > sameTimeMore.rank).toBe(true);
    // Same time and count, different content: a deterministic order; same content: the same rank.
    const cancelled = read(payload({ status: 'cancelled', events: [{ created_at: '2026-01-01T10:00:00Z' }] }));
    expect(cancelled.rank).not.toBe(first.rank);
    expect(read(payload({ events: [{ created_at: '2026-01-01T10:00:00.000Z' }] })).rank).toBe(first.rank);
  });

  it('answers the contract fields, and says which statuses are active', () => {
    const appointment = read(payload());
    expect(toAppointmentAnswer(appointment)).toEqual({ id: appointment.id, start_at: appointment.start_at, end_at: appointment.end_at, status: 'confirmed', type: 'patient_service_center', provider: 'quest' });
    expect(Object.keys(toAppointmentAnswer(appointment)!)).toEqual(['id', 'start_at', 'end_at', 'status', 'type', 'provider']);
    expect(toAppointmentAnswer(null)).toBeNull();
    expect(['pending', 'reserved', 'confirmed', 'in_progress', 'completed', 'cancelled', 'other'].filter((status) => isActiveAppointment({ status }))).toEqual(['pending', 'reserved', 'confirmed']);
  });
});
