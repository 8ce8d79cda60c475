/**
 * Every format a stale-redraw notification goes out in (issue 26): the e-mail's
 * subject and text, the chat notification Amazon Q Developer renders in Slack,
 * and the JSON every other protocol gets. Each must let a person act in ten
 * seconds: which order, how bad, whose, what to do next, where to find it; and
 * none may carry anything but ids, statuses, handles and times.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { agoWords, humanTime, stuckWords } from '../../functions/core/alert-time';
import { NEXT_STEPS, OPERATOR_STEPS, TAKE_IT_NOTE } from '../../functions/core/next-steps';
import type { NotificationReason } from '../../functions/core/staleness';
import { parseEnv } from '../../functions/shared/config';
import { AlertEnv, alertSettingsOf } from '../../functions/notices/config';
import { sentNotification, subjectLine, SUBJECT_MAX, type StaleRedrawNotification } from '../../functions/notices/notification';
import { chatNotification, emailText, renderNotification, snsMessage } from '../../functions/notices/formats';
import { createInMemoryNotifier, createSnsNotifier } from '../../functions/notices/notifier';
import { CustomNotification } from '../support/chat-notification';

const ORDER = '0b1e7d4c-8a52-4f0e-9c11-00000000e001';
const TRANSACTION = '0b1e7d4c-8a52-4f0e-9c11-00000000a001';
const FLAGGED = '2026-11-20T10:00:02.123456Z';
const SENT_AT = new Date('2026-11-20T10:00:03.000Z');

const stuck: StaleRedrawNotification = {
  order_id: ORDER,
  transaction_id: TRANSACTION,
  reason: 'no_progress',
  status: 'collecting_sample',
  low_level_status: 'requisition_created',
  days_waiting: 262,
  since: FLAGGED,
  status_time: '2026-03-03T09:00:41.654321Z',
  follow_up: { id: TRANSACTION, state: 'acknowledged', owner: 'j.doe', contact_attempts: 2, opened_at: '2026-03-01T08:15:00.000000Z', version: 4 },
};
const sent = sentNotification(stuck, { deployed: { region: 'us-east-1' }, environment: 'prod', now: SENT_AT });

/** Whether SNS accepts it as a Subject: printable ASCII, at most 100 characters, no line break. */
const snsSubject = (subject: string) => subject.length >= 1 && subject.length <= 100 && /^[\x20-\x7E]+$/.test(subject);

describe('human times', () => {
  it('says a time in UTC to the whole minute, and optionally in an IANA zone too', () => {
    expect(humanTime('2026-03-03T09:00:41.654321Z')).toBe('2026-03-03 09:00 UTC');
    expect(humanTime('2026-03-03T09:00:41.654321Z', 'America/New_York')).toBe('2026-03-03 09:00 UTC (2026-03-03 04:00 America/New_York)');
    expect(humanTime('2026-07-01T23:30:00Z', 'Europe/Berlin')).toBe('2026-07-01 23:30 UTC (2026-07-02 01:30 Europe/Berlin)');
    expect(humanTime('2026-03-03T09:00:00Z', 'UTC')).toBe('2026-03-03 09:00 UTC');
  });

  it('says ages in words, "just now" for a fresh flag', () => {
    const now = new Date('2026-11-20T10:00:03Z');
    expect(agoWords('2026-11-20T10:00:02.123456Z', now)).toBe('just now');
    expect(agoWords('2026-11-20T09:48:00Z', now)).toBe('12 min ago');
    expect(agoWords('2026-11-19T10:00:00Z', now)).toBe('24 h ago');
    expect(agoWords('2026-11-10T10:00:00Z', now)).toBe('10 days ago');
    expect(stuckWords('2026-03-03T09:00:00Z', '2026-11-20T10:00:02Z', now)).toBe('stuck 262 days, flagged just now');
  });
});

describe('the subject that triages', () => {
  it('gives the reason in words, the age in days, the owner and the environment', () => {
    expect(sent.subject).toBe('Redraw stuck 262 days (no progress) - owner: j.doe - prod');
    expect(subjectLine({ ...stuck, days_waiting: 1, reason: 'redraw_not_created', follow_up: null }, 'local')).toBe('Redraw stuck 1 day (redraw not created) - no owner - local');
    expect(subjectLine({ ...stuck, reason: 'not_acknowledged' }, 'prod')).toBe('Redraw stuck 262 days (follow-up not acknowledged) - owner: j.doe - prod');
    // A reason the sweep learns later (CONTRACT §10) still reads as words.
    expect(subjectLine({ ...stuck, reason: 'appointment_missed' as NotificationReason, days_waiting: 9 }, 'prod')).toBe('Redraw stuck 9 days (appointment missed) - owner: j.doe - prod');
  });

  it('stays within what SNS accepts as a Subject, shortening a long owner but never the reason or the environment', () => {
    const long = subjectLine({ ...stuck, follow_up: { ...stuck.follow_up!, owner: `team.${'x'.repeat(200)}` } }, 'production-eu-west-1');
    expect(long.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(snsSubject(long)).toBe(true);
    expect(long).toMatch(/^Redraw stuck 262 days \(no progress\) - owner: team\.x+\.\.\. - production-eu-west-1$/);
    expect(snsSubject(subjectLine({ ...stuck, follow_up: { ...stuck.follow_up!, owner: 'jörg@lab' } }, 'prod'))).toBe(true);
  });

  it('is the SNS Subject the notifier publishes under', async () => {
    const published: { Subject?: string; Message?: string }[] = [];
    const sns = new SNSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    // Captured before any request is built: nothing leaves the process.
    sns.middlewareStack.add(
      () => async (args) => {
        published.push(args.input as (typeof published)[number]);
        return { output: { MessageId: 'm-1', $metadata: {} }, response: {} };
      },
      { step: 'initialize', name: 'capture' },
    );
    await createSnsNotifier(sns, 'arn:aws:sns:us-east-1:123456789012:t', { environment: 'prod', timeZone: 'America/New_York' }, () => SENT_AT).notify(stuck);
    expect(published[0]?.Subject).toBe('Redraw stuck 262 days (no progress) - owner: j.doe - prod');
    const byProtocol = JSON.parse(published[0]!.Message!) as { default: string; email: string; https: string };
    expect(byProtocol.email).toBe(emailText(sent, { timeZone: 'America/New_York' }));
    expect(byProtocol.email).toContain('2026-03-03 09:00 UTC (2026-03-03 04:00 America/New_York)');
    expect(JSON.parse(byProtocol.https)).toEqual(chatNotification(sent, { region: 'us-east-1', timeZone: 'America/New_York' }));
    expect(JSON.parse(byProtocol.default)).toEqual(sent);
  });
});

describe('the e-mail', () => {
  it('reads top to bottom: what is wrong and whose (never the subject again), each id once, the facts, the next step, the commands', () => {
    expect(emailText(sent).split('\n')).toEqual([
      'The redraw order has not moved on for 262 days: requisition created, waiting for the patient. j.doe has it (2 contact attempts).',
      '',
      `Redraw order:  ${ORDER}`,
      `Transaction:   ${TRANSACTION} (also its follow-up's id)`,
      'Where it is:   requisition created, waiting for the patient (collecting_sample / requisition_created) since 2026-03-03 09:00 UTC, 262 days ago',
      'Flagged:       2026-11-20 10:00 UTC, just now',
      'Follow-up:     acknowledged, owner j.doe, 2 contact attempts',
      'Environment:   prod',
      '',
      `For the team: ${NEXT_STEPS.no_progress}`,
      '',
      "Record on the follow-up what happened (other values: the command's --help):",
      `  a call:        npx redraw-tracker contact ${TRANSACTION} --channel phone --outcome reached --stack RedrawTracker --region us-east-1`,
      `  a snooze:      npx redraw-tracker snooze ${TRANSACTION} --for 2d --reason patient_requested --stack RedrawTracker --region us-east-1`,
      `  the outcome:   npx redraw-tracker close ${TRANSACTION} --disposition patient_declined --stack RedrawTracker --region us-east-1`,
      `In Junction:     paste the order id ${ORDER} into the order search of Junction's dashboard`,
      `Look it up:      npx redraw-tracker order ${ORDER} --stack RedrawTracker --region us-east-1`,
      '',
      '(Sent once per stale episode by redraw-tracker. It carries ids, statuses, handles and times only; the patient is in Junction.)',
    ]);
    // Each id once in the facts: the transaction (the follow-up's id too) is not repeated on the follow-up line.
    const facts = emailText(sent).split('\n').slice(0, 9).join('\n');
    expect(facts.split(TRANSACTION)).toHaveLength(2);
    expect(facts.split(ORDER)).toHaveLength(2);
    expect(emailText(sent).split('\n')[0]).not.toBe(sent.subject);
  });

  it('shows what the team already recorded: the last contact, a snooze and the reference, and nothing when none is set', () => {
    const recorded = sentNotification(
      {
        ...stuck,
        follow_up: {
          ...stuck.follow_up!,
          reference: 'JIRA-123',
          last_contact: { at: '2026-11-18T15:04:00.000000Z', channel: 'phone', outcome: 'no_answer' },
          snoozed_until: '2026-11-19T09:00:00.000000Z',
          snooze_reason: 'patient_requested',
        },
      },
      { environment: 'prod', now: SENT_AT },
    );
    const text = emailText(recorded);
    expect(text).toContain('Last contact:  2026-11-18 15:04 UTC by phone: no answer');
    expect(text).toContain('Snoozed:       until 2026-11-19 09:00 UTC (ended), patient requested');
    expect(text).toContain('Reference:     JIRA-123');
    expect(chatNotification(recorded).content.description).toContain('*Last contact:* 2026-11-18 15:04 UTC by phone: no answer');
    expect(recorded.follow_up).toMatchObject({ reference: 'JIRA-123', last_contact: { channel: 'phone', outcome: 'no_answer' }, snooze_reason: 'patient_requested' });
    for (const label of ['Last contact:', 'Snoozed:', 'Reference:']) expect(emailText(sent)).not.toContain(label);
  });

  it('splits the next step for the team from the one for whoever runs the tracker (redraw_not_created)', () => {
    const missing = sentNotification({ ...stuck, reason: 'redraw_not_created', low_level_status: 'redraw_available' }, { environment: 'prod', now: SENT_AT });
    const text = emailText(missing);
    expect(text).toContain(`\nFor the team: ${NEXT_STEPS.redraw_not_created}\n\nFor whoever runs the tracker: ${OPERATOR_STEPS.redraw_not_created}\n`);
    expect(text).toContain(`Initial order: ${ORDER}`);
    expect(text.split('\n')[0]).toBe('The lab could not return every result and offered a redraw 262 days ago, and the tracker knows no redraw order yet. j.doe has it (2 contact attempts).');
  });

  it('never shows a raw instant, and never "stale for" a few seconds beside a long age', () => {
    // What a person reads (the chat notification's id and thread are machine keys, never shown).
    for (const text of [emailText(sent), JSON.stringify(chatNotification(sent).content)]) {
      expect(text).not.toMatch(/\d{2}:\d{2}:\d{2}/);
      expect(text).not.toMatch(/stale for/);
    }
  });

  it('says how long ago a flag was sent later than it was set (a notification a failed sweep left pending)', () => {
    const late = sentNotification(stuck, { environment: 'prod', now: new Date('2026-11-20T13:05:00Z') });
    expect(emailText(late)).toContain('Flagged:       2026-11-20 10:00 UTC, 3 h ago');
  });

  it('says whose it is, and how to take it when nobody has it: a command that runs as printed', () => {
    const withoutOwner = sentNotification({ ...stuck, follow_up: { ...stuck.follow_up!, state: 'new', owner: null, contact_attempts: 0 } }, { now: SENT_AT });
    const text = emailText(withoutOwner);
    expect(text.split('\n')[0]).toMatch(/ Nobody has taken it yet\.$/);
    expect(text).toContain('Follow-up:     new, no owner, 0 contact attempts');
    expect(text).toContain(`Take it:         npx redraw-tracker ack ${TRANSACTION}\n                 ${TAKE_IT_NOTE}`);
    expect(withoutOwner.commands?.take_it).toBe(`npx redraw-tracker ack ${TRANSACTION}`);
    expect(withoutOwner.subject).toBe('Redraw stuck 262 days (no progress) - no owner - local');
    // Owned: no "take it" line.
    expect(emailText(sent)).not.toContain('Take it:');
    const none = sentNotification({ ...stuck, follow_up: null }, { now: SENT_AT });
    expect(emailText(none).split('\n')[0]).toMatch(/The tracker knows no follow-up for it\.$/);
    expect(none.commands).toBeNull();
    expect(emailText(none)).not.toContain('Record on the follow-up');
  });

  it('takes it from the chat button when the alert has one, and from the command either way', () => {
    const unowned = sentNotification({ ...stuck, follow_up: { ...stuck.follow_up!, state: 'new', owner: null } }, { deployed: { region: 'us-east-1' }, environment: 'prod', now: SENT_AT });
    const steps = chatNotification(unowned, { region: 'us-east-1' }).content.nextSteps;
    expect(steps).toContain(`Take it: the Acknowledge button below, or \`npx redraw-tracker ack ${TRANSACTION} --stack RedrawTracker --region us-east-1\` (${TAKE_IT_NOTE})`);
    const buttonless = sentNotification({ ...stuck, follow_up: { ...stuck.follow_up!, state: 'new', owner: null, version: undefined } }, { now: SENT_AT });
    expect(chatNotification(buttonless).content.nextSteps.find((step) => step.startsWith('Take it:'))).toBe(`Take it: \`npx redraw-tracker ack ${TRANSACTION}\` (${TAKE_IT_NOTE})`);
  });

  it('gives the booked time of a missed appointment and that the patient did not come', () => {
    const missed = sentNotification(
      { ...stuck, reason: 'appointment_missed' as NotificationReason, days_waiting: 9, appointment: { id: 'appt-1', start_at: '2026-11-16T14:30:00.000000Z', status: 'confirmed' } },
      { environment: 'prod', now: SENT_AT },
    );
    const text = emailText(missed, { timeZone: 'America/Chicago' });
    expect(missed.subject).toBe('Redraw stuck 9 days (appointment missed) - owner: j.doe - prod');
    expect(text.split('\n')[0]).toBe("The patient's redraw appointment has passed and the redraw order has not moved on for 9 days: requisition created, waiting for the patient. j.doe has it (2 contact attempts).");
    expect(text).toContain('Appointment:   2026-11-16 14:30 UTC (2026-11-16 08:30 America/Chicago), confirmed (appointment appt-1); the patient did not come');
    expect(chatNotification(missed).content.description).toContain('*Appointment:* 2026-11-16 14:30 UTC, confirmed (appointment appt-1); the patient did not come');
    expect(JSON.parse(snsMessage(missed)).default).toContain('"appointment":{"id":"appt-1","start_at":"2026-11-16T14:30:00.000000Z","status":"confirmed"}');
  });

  it('renders the not_acknowledged reminder as a reminder', () => {
    const reminder = sentNotification({ ...stuck, reason: 'not_acknowledged', follow_up: { ...stuck.follow_up!, state: 'new', owner: null } }, { environment: 'prod', now: SENT_AT });
    const text = emailText(reminder);
    expect(reminder.subject).toBe('Redraw stuck 262 days (follow-up not acknowledged) - no owner - prod');
    expect(text.split('\n')[0]).toBe("Nobody has acknowledged this redraw's follow-up since it opened 2026-03-01 08:15 UTC, 264 days ago. Nobody has taken it yet.");
    expect(text).toContain('Reminded:      2026-11-20 10:00 UTC, just now');
    expect(text).toContain(`For the team: ${NEXT_STEPS.not_acknowledged}`);
    expect(text).toContain(`Take it:         npx redraw-tracker ack ${TRANSACTION}`);
    expect(text).toContain('(Sent once per follow-up by redraw-tracker.');
    const chat = CustomNotification.parse(chatNotification(reminder));
    expect(chat.id).toBe(`not-acknowledged-${TRANSACTION}`);
    expect(chat.content.title).toBe(':bell: Redraw stuck 262 days (follow-up not acknowledged) - no owner - prod');
    expect(chat.metadata).toMatchObject({ threadId: `redraw-tracker-order-${ORDER}`, eventType: 'follow_up.not_acknowledged' });
  });

  it('renders the redraw_failed notice: what failed in words, one redraw per transaction, the choices', () => {
    const failed = sentNotification(
      { ...stuck, reason: 'redraw_failed', status: 'failed', low_level_status: 'sample_error', status_time: '2026-11-20T07:00:00.000000Z', days_waiting: 0 },
      { environment: 'prod', now: SENT_AT },
    );
    const text = emailText(failed);
    expect(failed.subject).toBe('Redraw failed (sample error) - owner: j.doe - prod');
    expect(text.split('\n')[0]).toBe(
      'The redraw failed: the order ended 3 h ago with a sample error (the lab could not test the sample), and Junction supports one redraw per transaction. j.doe has it (2 contact attempts).',
    );
    expect(text).toContain('Where it is:   a sample error (the lab could not test the sample) (failed / sample_error) since 2026-11-20 07:00 UTC, 3 h ago');
    expect(text).toContain(`For the team: ${NEXT_STEPS.redraw_failed}`);
    expect(NEXT_STEPS.redraw_failed).toMatch(/a new order, with its own transaction/);
    expect(NEXT_STEPS.redraw_failed).toMatch(/patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere or other/);
    expect(text).toContain(`  the outcome:   npx redraw-tracker close ${TRANSACTION} --disposition patient_declined`);
    expect(text).toContain('(Sent once per failed redraw by redraw-tracker.');
  });

  it('renders the results_still_missing notice: how many markers and why, in words, partial results offered when all are non_failure', () => {
    const missing = { order_id: ORDER, status: 'completed', status_detail: null, markers: 3, failure_types: { non_failure: 3 } };
    const incomplete = sentNotification(
      { ...stuck, reason: 'results_still_missing', status: 'completed', low_level_status: 'completed', status_time: '2026-11-20T07:00:00.000000Z', days_waiting: 0, missing },
      { environment: 'prod', now: SENT_AT },
    );
    const text = emailText(incomplete);
    expect(incomplete.subject).toBe('Incomplete redraw (3 markers missing) - owner: j.doe - prod');
    expect(text.split('\n')[0]).toBe(
      'The redraw came back incomplete: the order completed 3 h ago with results still missing, and Junction supports one redraw per transaction. j.doe has it (2 contact attempts).',
    );
    expect(text).toContain('Where it is:   completed, with results still missing (completed / completed)');
    expect(text).toContain('Missing:       3 markers\n');
    expect(text).toContain('Failure types: 3 should not affect the patient (non_failure); all non_failure: the clinician may accept partial results');
    expect(text).toContain(`For the team: ${NEXT_STEPS.results_still_missing}`);
    expect(text).toContain(`  the outcome:   npx redraw-tracker close ${TRANSACTION} --disposition clinician_accepted_partial_results`);
    expect(text).toContain('(Sent once per incomplete redraw by redraw-tracker.');
    expect(incomplete.missing).toEqual(missing);
    const chat = chatNotification(incomplete);
    expect(CustomNotification.safeParse(chat).success).toBe(true);
    expect(chat.metadata.eventType).toBe('follow_up.results_still_missing');
    expect(chat.content.description).toContain('*Failure types:* 3 should not affect the patient (non_failure)');
  });

  it('renders the no_redraw notice: the status detail in words, counts "not known yet" before Junction was read', () => {
    const kit = sentNotification(
      {
        ...stuck,
        reason: 'no_redraw',
        status: 'failed',
        low_level_status: 'sample_error',
        status_time: '2026-11-20T07:00:00.000000Z',
        days_waiting: 0,
        missing: { order_id: ORDER, status: 'sample_error', status_detail: 'sample_quantity_not_sufficient', markers: null, failure_types: null },
      },
      { environment: 'prod', now: SENT_AT },
    );
    const text = emailText(kit);
    expect(kit.subject).toBe('Results missing, no redraw (sample error) - owner: j.doe - prod');
    expect(text.split('\n')[0]).toMatch(/^Results are missing and no redraw will come: the order ended 3 h ago with a sample error/);
    expect(text).toContain('Missing:       results; how many is not known yet');
    expect(text).toContain('Why:           a sample error (the lab could not test the sample); not enough sample');
    expect(text).toContain('Failure types: not known yet');
    expect(text).toContain(`  the outcome:   npx redraw-tracker close ${TRANSACTION} --disposition patient_declined`);
    expect(chatNotification(kit).metadata.eventType).toBe('follow_up.no_redraw');
  });

  it('says no missing lines in a stale flag, even one handed a `missing`', () => {
    const text = emailText(sentNotification({ ...stuck, missing: { order_id: ORDER, status: 'sample_error', status_detail: null, markers: 1, failure_types: null } }, { environment: 'prod', now: SENT_AT }));
    expect(text).not.toMatch(/^Failure types:/m);
  });
});

describe('the chat notification (Slack, through Amazon Q Developer)', () => {
  it('is a custom notification the service accepts, titled by the subject, one thread per order', () => {
    const chat = CustomNotification.parse(chatNotification(sent, { region: 'us-east-1' }));
    expect(chat.content.title).toBe(':warning: Redraw stuck 262 days (no progress) - owner: j.doe - prod');
    expect(chat.content.description.split('\n')).toEqual([
      'The redraw order has not moved on for 262 days: requisition created, waiting for the patient. j.doe has it (2 contact attempts).',
      `*Redraw order:* ${ORDER}`,
      `*Transaction:* ${TRANSACTION} (also its follow-up's id)`,
      '*Where it is:* requisition created, waiting for the patient (collecting_sample / requisition_created) since 2026-03-03 09:00 UTC, 262 days ago',
      '*Flagged:* 2026-11-20 10:00 UTC, just now',
      '*Follow-up:* acknowledged, owner j.doe, 2 contact attempts',
    ]);
    const flags = ' --stack RedrawTracker --region us-east-1';
    expect(chat.content.nextSteps).toEqual([
      `For the team: ${NEXT_STEPS.no_progress}`,
      `Record what happened: \`npx redraw-tracker contact ${TRANSACTION} --channel phone --outcome reached${flags}\`, \`npx redraw-tracker snooze ${TRANSACTION} --for 2d --reason patient_requested${flags}\`, \`npx redraw-tracker close ${TRANSACTION} --disposition patient_declined${flags}\` (other values: each command's --help)`,
      `In Junction: paste the order id ${ORDER} into the order search of Junction's dashboard`,
      `Look it up: \`npx redraw-tracker order ${ORDER} --stack RedrawTracker --region us-east-1\``,
    ]);
    expect(chat.content.keywords).toEqual(['redraw-tracker', 'no_progress', 'prod', 'j.doe']);
    expect(chat.metadata?.threadId).toBe(`redraw-tracker-order-${ORDER}`);
    expect(chatNotification({ ...sent, since: '2027-01-01T00:00:00.000000Z' }).metadata.threadId).toBe(chat.metadata?.threadId);
  });

  it('keeps what the follow-up buttons read (lib/chat-actions.ts): the follow-up, its version in this alert, the chat button function, the region', () => {
    expect(chatNotification(sent, { region: 'us-east-1' }).metadata.additionalContext).toEqual({
      follow_up_id: TRANSACTION,
      follow_up_version: '4',
      button_function: 'RedrawTracker-chat-button',
      region: 'us-east-1',
    });
    // Without a follow-up's version there is nothing a button could check: no version, so no buttons.
    const unversioned = sentNotification({ ...stuck, follow_up: { ...stuck.follow_up!, version: undefined } }, { now: SENT_AT });
    expect(chatNotification(unversioned, { region: 'us-east-1' }).metadata.additionalContext).not.toHaveProperty('follow_up_version');
    expect(chatNotification(sent, { region: 'us-east-1' }).metadata.enableCustomActions).toBe(true);
  });
});

describe('the JSON every other protocol gets', () => {
  it('is the notification with its subject, environment, send time, next step and where to find it', () => {
    expect(JSON.parse(JSON.parse(snsMessage(sent)).default)).toEqual({
      ...stuck,
      follow_up: { ...stuck.follow_up, reference: null, last_contact: null, snoozed_until: null, snooze_reason: null },
      look_up: `npx redraw-tracker order ${ORDER} --stack RedrawTracker --region us-east-1`,
      next_step: NEXT_STEPS.no_progress,
      next_step_operator: null,
      status_words: 'requisition created, waiting for the patient',
      commands: {
        take_it: `npx redraw-tracker ack ${TRANSACTION} --stack RedrawTracker --region us-east-1`,
        contact: `npx redraw-tracker contact ${TRANSACTION} --channel phone --outcome reached --stack RedrawTracker --region us-east-1`,
        snooze: `npx redraw-tracker snooze ${TRANSACTION} --for 2d --reason patient_requested --stack RedrawTracker --region us-east-1`,
        close: `npx redraw-tracker close ${TRANSACTION} --disposition patient_declined --stack RedrawTracker --region us-east-1`,
      },
      // Without CONSOLE_URL (no console): no link (test/unit/console-links.test.ts has it with one).
      console_link: null,
      subject: 'Redraw stuck 262 days (no progress) - owner: j.doe - prod',
      environment: 'prod',
      sent_at: '2026-11-20T10:00:03.000000Z',
      in_junction: `paste the order id ${ORDER} into the order search of Junction's dashboard`,
    });
  });
});

describe('PHI never reaches a subscriber', () => {
  const CANARIES = { patient_name: 'CANARY-NAME-Zq81', dob: 'CANARY-DOB-1901-02-03', address: 'CANARY-ADDRESS-12 Elm', phone: 'CANARY-PHONE-5550199', email: 'canary-email@phi.example', notes: 'CANARY-NOTES-x7' };

  it.each(['no_progress', 'redraw_not_created', 'not_acknowledged', 'appointment_missed', 'redraw_failed', 'results_still_missing', 'no_redraw'])('drops whatever else the object handed in carries, in every format (%s)', async (reason) => {
    // An object wider than the type (a record with PHI, passed by mistake): only the named fields go out.
    const wide = {
      ...stuck,
      ...CANARIES,
      reason: reason as NotificationReason,
      follow_up: { ...stuck.follow_up!, ...CANARIES },
      appointment: { id: 'appt-1', start_at: '2026-11-16T14:30:00.000000Z', status: 'confirmed', location: CANARIES.address, user_id: CANARIES.patient_name, appointment_notes: CANARIES.notes },
      // What a results answer carries beside the counts (marker names, notes): never past the named fields.
      missing: { order_id: ORDER, status: 'completed', status_detail: null, markers: 1, failure_types: { non_failure: 1 }, names: [CANARIES.patient_name], note: CANARIES.notes },
    };
    const notifier = createInMemoryNotifier(undefined, { environment: 'prod', timeZone: 'Europe/London' }, () => SENT_AT);
    await notifier.notify(wide);
    const rendered = notifier.rendered[0]!;
    const everything = [rendered.subject, rendered.email, JSON.stringify(rendered.chat), JSON.stringify(rendered.json), JSON.stringify(notifier.notifications), snsMessage(notifier.notifications[0]!)].join('\n');
    for (const canary of Object.values(CANARIES)) expect(everything).not.toContain(canary);
    expect(everything).not.toMatch(/CANARY/i);
  });
});

describe('the in-memory notifier (npm start)', () => {
  it('keeps each notification as JSON and as each subscriber gets it', async () => {
    const notifier = createInMemoryNotifier(undefined, { environment: 'local', timeZone: null }, () => SENT_AT);
    await notifier.notify(stuck);
    const local = sentNotification(stuck, { now: SENT_AT });
    expect(notifier.notifications).toEqual([local]);
    expect(notifier.rendered).toEqual([renderNotification(local)]);
    expect(notifier.rendered[0]!.subject).toBe('Redraw stuck 262 days (no progress) - owner: j.doe - local');
    expect(notifier.rendered[0]!.email.split('\n')[0]).not.toBe(notifier.rendered[0]!.subject);
  });
});

describe('ENVIRONMENT_NAME and ALERT_TIMEZONE', () => {
  it('default to the given environment (the stack name, or local) and UTC only', () => {
    expect(alertSettingsOf(parseEnv(AlertEnv, {}), 'RedrawTracker')).toEqual({ environment: 'RedrawTracker', timeZone: null, consoleUrl: null });
    expect(alertSettingsOf(parseEnv(AlertEnv, { ENVIRONMENT_NAME: ' ', ALERT_TIMEZONE: '' }), 'local')).toEqual({ environment: 'local', timeZone: null, consoleUrl: null });
  });

  it('read a name and an IANA zone', () => {
    expect(alertSettingsOf(parseEnv(AlertEnv, { ENVIRONMENT_NAME: 'prod', ALERT_TIMEZONE: 'America/New_York' }), 'x')).toEqual({ environment: 'prod', timeZone: 'America/New_York', consoleUrl: null });
  });

  it.each([
    ['ALERT_TIMEZONE', 'Mars/Olympus'],
    ['ALERT_TIMEZONE', 'EST5EDT!'],
    ['ENVIRONMENT_NAME', 'prod env'],
    ['ENVIRONMENT_NAME', 'x'.repeat(41)],
  ])('fail loudly, naming the setting, on %s=%j', (name, value) => {
    expect(() => parseEnv(AlertEnv, { [name]: value })).toThrow(new RegExp(name));
  });
});
