/**
 * One text per reason for what to do next (functions/core/next-steps.ts): the
 * notifications, the CLI and the deploy runbook all give it, and none of them
 * tells anyone to create a redraw order (Junction creates it; DOMAIN.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nextStep } from '../../cli/views';
import { ATTENTIONS } from '../../functions/core/attention';
import { BOOKED_TIME, NEXT_STEPS, nextStepFor, OPERATOR_STEPS, operatorStepFor } from '../../functions/core/next-steps';
import type { NotificationReason, StaleReason } from '../../functions/core/staleness';
import { chatNotification, emailText, snsMessage } from '../../functions/notices/formats';
import { createInMemoryNotifier } from '../../functions/notices/notifier';

const REASONS = Object.keys(NEXT_STEPS) as NotificationReason[];
/** The reasons an order is flagged for (the CLI shows a flag's next step; not_acknowledged and the attentions are follow-ups' notices, no flag). */
const STALE_REASONS = REASONS.filter((reason): reason is StaleReason => reason !== 'not_acknowledged' && !(ATTENTIONS as readonly string[]).includes(reason));
/** Markdown wraps lines: compare text with whitespace runs as one space. */
const flat = (text: string) => text.replace(/\s+/g, ' ');
const deployMd = flat(readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8'));

describe('what to do next about a stale redraw', () => {
  it("covers both reasons of CONTRACT §4, appointment_missed of §10, and the not_acknowledged reminder and every attention's notice of §9", () => {
    expect([...REASONS].sort()).toEqual(['appointment_missed', 'no_progress', 'no_redraw', 'not_acknowledged', 'redraw_failed', 'redraw_not_created', 'results_still_missing']);
    expect([...STALE_REASONS].sort()).toEqual(['appointment_missed', 'no_progress', 'redraw_not_created']);
  });

  it('names the booked time and that the patient did not come for appointment_missed', () => {
    const appointment = { start_at: '2026-03-05T14:00:00.123456Z' };
    expect(nextStepFor('appointment_missed', appointment)).toMatch(/^The patient had an appointment at 2026-03-05 14:00 UTC and did not come: /);
    expect(nextStepFor('appointment_missed', { start_at: null })).toMatch(/^The patient had an appointment at its booked time and did not come: /);
    expect(nextStepFor('appointment_missed')).not.toContain(BOOKED_TIME);
    expect(nextStepFor('appointment_missed', appointment)).toBe(NEXT_STEPS.appointment_missed.replace(BOOKED_TIME, '2026-03-05 14:00 UTC'));
    // The other texts name no time.
    for (const reason of REASONS.filter((r) => r !== 'appointment_missed')) expect(nextStepFor(reason, appointment)).toBe(NEXT_STEPS[reason]);
  });

  it.each(REASONS)('docs/deploy.md quotes the next step for %s word for word, the operator\'s where there is one', (reason) => {
    expect(deployMd).toContain(flat(NEXT_STEPS[reason]));
    const operator = operatorStepFor(reason);
    if (operator !== null) expect(deployMd).toContain(flat(operator));
  });

  it("splits the team's step from the tracker operator's: the engineering task (webhook deliveries) is the operator's alone", () => {
    expect(Object.keys(OPERATOR_STEPS)).toEqual(['redraw_not_created']);
    expect(operatorStepFor('redraw_not_created')).toMatch(/deliveries in Junction's webhook settings/);
    expect(NEXT_STEPS.redraw_not_created).not.toMatch(/webhook settings|deliveries/);
    expect(NEXT_STEPS.redraw_not_created).toMatch(/tell whoever runs the tracker/);
    for (const reason of REASONS.filter((r) => r !== 'redraw_not_created')) expect(operatorStepFor(reason)).toBeNull();
  });

  it.each(REASONS)('the e-mail, chat and JSON texts for %s carry it', async (reason) => {
    const notifier = createInMemoryNotifier();
    await notifier.notify({
      order_id: 'order-1',
      transaction_id: 'txn-1',
      reason,
      status: 'collecting_sample',
      low_level_status: 'redraw_available',
      days_waiting: 2,
      since: '2026-03-05T10:00:00.000000Z',
      status_time: '2026-03-03T09:00:00.000000Z',
      follow_up: { id: 'txn-1', state: 'new', owner: null, contact_attempts: 0, opened_at: '2026-03-03T09:00:00.000000Z' },
      appointment: { id: 'appt-1', start_at: '2026-03-01T15:30:00.000000Z', status: 'confirmed' },
    });
    const sent = notifier.notifications[0]!;
    const text = nextStepFor(reason, { start_at: '2026-03-01T15:30:00.000000Z' });
    const operator = operatorStepFor(reason);
    expect(sent.next_step).toBe(text);
    expect(sent.next_step_operator).toBe(operator);
    expect(emailText(sent)).toContain(`For the team: ${text}`);
    expect(chatNotification(sent).content.nextSteps).toContain(`For the team: ${text}`);
    const json = JSON.parse(String(JSON.parse(snsMessage(sent)).default));
    expect(json.next_step).toBe(text);
    expect(json.next_step_operator).toBe(operator);
    if (operator === null) {
      expect(emailText(sent)).not.toContain('For whoever runs the tracker');
    } else {
      expect(emailText(sent)).toContain(`For whoever runs the tracker: ${operator}`);
      expect(chatNotification(sent).content.nextSteps).toContain(`For whoever runs the tracker: ${operator}`);
    }
  });

  it.each(STALE_REASONS)('the CLI text for a flag of %s carries it', (reason) => {
    const cli = nextStep(
      {
        id: 'order-1',
        transaction_id: 'txn-1',
        origin: reason === 'no_progress' ? 'redraw' : 'initial',
        collection_method: 'walk_in_test',
        status: 'collecting_sample',
        low_level_status: 'redraw_available',
        last_event: { id: 1, created_at: '2026-03-03T09:00:00Z', status: 'collecting_sample.redraw_available' },
        created_at: '2026-03-01T09:00:00Z',
        updated_at: '2026-03-03T09:00:00Z',
        has_missing_results: null,
        source: 'webhook',
        stale: { since: '2026-03-05T10:00:00Z', reason },
        appointment: reason === 'appointment_missed' ? { id: 'a-1', start_at: '2026-03-03T10:00:00.000000Z', end_at: null, status: 'confirmed', type: null, provider: 'quest' } : null,
      },
      new Date('2026-03-05T11:00:00Z'),
    );
    expect(cli).toContain(nextStepFor(reason, { start_at: '2026-03-03T10:00:00.000000Z' }));
  });

  it('never tells anyone to create a redraw order: not in the texts, the notifier, the CLI or the runbook', () => {
    const sources = ['../../functions/core/next-steps.ts', '../../functions/notices/formats.ts', '../../cli/views.ts', '../../docs/deploy.md'];
    for (const source of sources) {
      const text = flat(readFileSync(new URL(source, import.meta.url), 'utf8'));
      expect(text, source).not.toMatch(/\bcreate the redraw order\b/i);
    }
    expect(NEXT_STEPS.redraw_not_created).toMatch(/ask Junction support: Junction creates the redraw order itself, so do not create one/);
  });

  it('tells a person with an attention the two ways on: a new order through Junction closed as reordered, or a close with another disposition; never a redraw order', () => {
    for (const attention of ATTENTIONS) {
      expect(NEXT_STEPS[attention]).toMatch(
        /order a new test for the patient through Junction \(a new order, with its own transaction\) and close this follow-up as reordered \(the new order's id as its reference\)/,
      );
      expect(NEXT_STEPS[attention]).toMatch(/or close it with another disposition \(.*clinician_accepted_partial_results/);
      expect(NEXT_STEPS[attention]).not.toMatch(/another disposition \([^)]*reordered/);
    }
  });
});
