/**
 * The weekly digest against SNS (issue 27 item 3): the real SDK client, as the
 * handler builds it, pointed at the AWS stand-in. Accepted: one message per
 * protocol under the digest's subject, with `kind` = `weekly_digest` for
 * subscription filters. Refused or failing: the invocation fails (the
 * schedule retries, the Errors alarm says it), logged by step and error type.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIGEST_KIND } from '../../functions/core/digest';
import { digestChat, digestEmail } from '../../functions/core/digest-render';
import type { OverdueFollowUp } from '../../functions/core/digest-lists';
import type { RedrawReport } from '../../functions/core/report';
import { SNS_CLIENT_CONFIG } from '../../functions/notices/config';
import { createDigestHandler, DigestError, type DigestReads } from '../../functions/weekly-digest/app';
import { createSnsDigestPublisher, KIND_ATTRIBUTE } from '../../functions/weekly-digest/publisher';
import { startAwsStandin, STANDIN_CLIENT_CONFIG, type AwsStandin } from '../support/aws-standin';
import { quietReport } from '../support/redraw-report';
import { recordingLogger } from '../support/recording-logs';

const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:notifications';
const NOW = new Date('2026-11-23T07:00:01Z');

const REPORT: RedrawReport = quietReport({
  from: '2026-11-15T23:00:00.000000Z', to: '2026-11-22T23:00:00.000000Z',
  opened: 3, closed: 2, by_disposition: { redraw_completed: 1, patient_declined: 1 }, closed_by_people: 1, closed_by_tracker: 1,
  open_now: 4, stale_now: 1, unassigned_now: 2, aging_now: { '0_7': 2, '8_14': 1, '15_30': 0, over_30: 1 },
  time_to_redraw_order_hours: { n: 1, p50: 30, p90: 30 }, time_to_acknowledge_hours: { n: 2, p50: 2, p90: 5 }, time_to_close_hours: { n: 2, p50: 80, p90: 120 },
  walk_in_completed: 10, with_redraw: 1, ended_missing: { results_still_missing: 1, no_redraw: 2, redraw_failed: 0 },
  by_lab: [
    { lab: 'quest', method: 'walk_in_test', completed: 20, with_redraw: 1, redraw_rate: 5, ended_missing: 1, time_to_redraw_results_hours: { n: 1, p50: 50, p90: 50 }, failure_types: { internal_lab_failure: 1 } },
    { lab: 'unknown', method: 'testkit', completed: 0, with_redraw: 0, redraw_rate: null, ended_missing: 2, time_to_redraw_results_hours: { n: 0, p50: null, p90: null }, failure_types: { quantity_not_sufficient_failure: 2 } },
  ],
  // Issue 85: the redraws booked in the week (first bookings), 50.4 hours from the offer at the median.
  first_bookings: { n: 2, p50: 50.4, p90: 70 },
});
/** What the store answers: the report with its bookings by lab (one lab of 19 redraws, which the digest never names). */
const ANSWERED: RedrawReport = {
  ...REPORT,
  bookings_by_lab: [
    { lab: 'sonora_quest', redraws: 19, booked: 2, booked_here: 2, booked_then_drawn: 1, appointment_missed: 0, time_to_booking_hours: { n: 2, p50: 50.4, p90: 70 } },
    { lab: null, redraws: 19, booked: 2, booked_here: 2, booked_then_drawn: 1, appointment_missed: 0, time_to_booking_hours: { n: 2, p50: 50.4, p90: 70 } },
  ],
};
const OVERDUE: OverdueFollowUp[] = [{ id: 'tx-1', owner: 'j.doe', state: 'acknowledged', due_at: '2026-11-20T07:00:00.000000Z', opened_at: '2026-11-10T07:00:00.000000Z' }];

let aws: AwsStandin;
let sns: SNSClient;
beforeAll(async () => {
  aws = await startAwsStandin();
  sns = new SNSClient({ ...SNS_CLIENT_CONFIG, ...STANDIN_CLIENT_CONFIG, endpoint: aws.endpoint });
});
afterAll(async () => {
  sns?.destroy();
  await aws?.close();
});
beforeEach(() => {
  aws.plan.sns = () => 'serve';
  aws.messages.length = 0;
});

/** What the reads asked for, and a report answered from a fixed value (the store is tested on its own). */
function fixedReads() {
  const asked: { from: string; to: string }[] = [];
  const reads: DigestReads = {
    report: async ({ from, to }) => {
      asked.push({ from: from.toISOString(), to: to.toISOString() });
      return ANSWERED;
    },
    overdue: async ({ limit }) => OVERDUE.slice(0, limit),
    problems: async () => ({ attention: { total: 0, items: [] }, stuck: { total: 0, items: [] }, unowned: { total: 0, items: [] } }),
  };
  return { reads, asked };
}

function handlerWith(reads: DigestReads, logger = recordingLogger().logger) {
  return createDigestHandler({
    reads,
    publisher: createSnsDigestPublisher(sns, TOPIC),
    logger,
    timeZone: 'Europe/Berlin',
    environment: 'prod',
    deployed: { stack: 'RedrawTracker', region: 'eu-central-1' },
    clock: () => NOW,
  });
}

describe('the weekly digest on SNS', () => {
  it('publishes last week (cut in DIGEST_TIMEZONE) once, per protocol, with kind=weekly_digest for filters', async () => {
    const { reads, asked } = fixedReads();
    const { logger, lines } = recordingLogger();
    const result = await handlerWith(reads, logger)({ 'detail-type': 'Scheduled Event' });

    // Monday 08:00 in Berlin: last week is Mon 2026-11-16 00:00 to Mon 2026-11-23 00:00 CET.
    // Last week, and the week before it (beside each headline number).
    expect(asked).toEqual([
      { from: '2026-11-15T23:00:00.000Z', to: '2026-11-22T23:00:00.000Z' },
      { from: '2026-11-08T23:00:00.000Z', to: '2026-11-15T23:00:00.000Z' },
    ]);
    expect(result).toEqual({ outcome: 'sent', week_start: '2026-11-15T23:00:00.000000Z', week_end: '2026-11-22T23:00:00.000000Z', subject: 'Weekly redraw review: 3 opened, 2 closed, 4 open (1 stuck) - prod', overdue: 1 });
    expect(aws.messages).toHaveLength(1);
    const [message] = aws.messages;
    expect(message?.topicArn).toBe(TOPIC);
    expect(message?.subject).toBe('Weekly redraw review: 3 opened, 2 closed, 4 open (1 stuck) - prod');
    expect(message?.messageStructure).toBe('json');
    expect(message?.attributes).toEqual({ [KIND_ATTRIBUTE]: DIGEST_KIND });
    const json = JSON.parse(message?.message ?? '{}');
    expect(json).toMatchObject({ kind: DIGEST_KIND, environment: 'prod', time_zone: 'Europe/Berlin', report: REPORT, overdue: OVERDUE });
    expect(message?.protocols?.email).toBe(digestEmail(json));
    expect(message?.protocols?.email).toContain('Last week 3 redraws opened (week before 3) and 2 closed (week before 2). People closed 1 (week before 1): 1 patient declined; the tracker closed 1 (week before 1): 1 completed.');
    expect(message?.protocols?.email).toContain('tx-1 (owner j.doe, due to be flagged 3 days ago, acknowledged)');
    // Issue 48: how many ended without all their results, and the highest redraw rate by lab and method, each beside the week before (the same report here).
    expect(message?.protocols?.email).toContain('3 transactions ended without all their results (week before 3): 1 incomplete after a redraw, 2 with no redraw possible.');
    expect(message?.protocols?.email).toContain('Highest redraw rate (20 or more completed): quest walk_in_test, 5.0 per 100 (1 of 20; week before 5.0 per 100, 1 of 20).');
    expect(json.highest_redraw_rate).toEqual({ lab: 'quest', method: 'walk_in_test', completed: 20, with_redraw: 1, redraw_rate: 5, week_before: { completed: 20, with_redraw: 1, redraw_rate: 5 } });
    expect(json.week_before?.ended_missing).toEqual({ results_still_missing: 1, no_redraw: 2, redraw_failed: 0 });
    // Issue 85: the redraws booked, beside the week before (the same report here); no lab named, in no format.
    expect(message?.protocols?.email).toContain('\nLast week 2 redraws were booked (week before 2), median 2.1 days from the redraw offer to a booking.\n');
    expect(json.bookings).toEqual({ booked: 2, median_days: 2.1, week_before: 2 });
    expect(json.report).not.toHaveProperty('bookings_by_lab');
    for (const text of [message?.message, message?.protocols?.email, message?.protocols?.https]) expect(text).not.toMatch(/sonora|Sonora/);
    expect(message?.protocols?.email).toContain('npx redraw-tracker follow-ups --stack RedrawTracker --region eu-central-1');
    expect(JSON.parse(message?.protocols?.https ?? '{}')).toEqual(digestChat(json));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'weekly digest sent', fields: expect.objectContaining({ opened: 3, overdue: 1 }) }));
  });

  it.each([
    ['refuses it (authorization)', { status: 403, code: 'AuthorizationError' }, 'AuthorizationErrorException'],
    ['keeps failing (an outage, after the SDK retries)', { status: 500, code: 'InternalError' }, 'InternalErrorException'],
  ] as const)('fails the invocation when SNS %s, logging the step and the error type only', async (_what, answer, errorType) => {
    aws.plan.sns = () => answer;
    const { reads } = fixedReads();
    const { logger, lines } = recordingLogger();
    const failure = await handlerWith(reads, logger)().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DigestError);
    expect((failure as DigestError).step).toBe('publish');
    expect(aws.messages).toHaveLength(0);
    expect(lines.filter((line) => line.level === 'error')).toEqual([
      { level: 'error', message: 'weekly digest not sent: the topic did not accept it', fields: { step: 'publish', error: errorType } },
    ]);
    // The schedule's retry, once SNS is back, sends it.
    aws.plan.sns = () => 'serve';
    await handlerWith(reads, logger)();
    expect(aws.messages).toHaveLength(1);
  });

  it('fails the invocation, instead of waiting out the function, when SNS never answers (the shared connection timeouts)', async () => {
    aws.plan.sns = () => 'hang';
    const { reads } = fixedReads();
    const { logger, lines } = recordingLogger();
    try {
      const failure = await handlerWith(reads, logger)().catch((error: unknown) => error);
      expect((failure as DigestError).step).toBe('publish');
      expect(aws.calls.sns).toBeGreaterThan(0);
      expect(aws.messages).toHaveLength(0);
      expect(lines.filter((line) => line.level === 'error').map((line) => line.fields.step)).toEqual(['publish']);
    } finally {
      aws.releaseHanging();
    }
  }, 60_000);

  it('fails before publishing anything when the report cannot be read', async () => {
    const { logger, lines } = recordingLogger();
    const reads: DigestReads = {
      report: () => Promise.reject(Object.assign(new Error('secret-looking message'), { name: 'ProvisionedThroughputExceededException' })),
      overdue: async () => [],
      problems: async () => ({ attention: { total: 0, items: [] }, stuck: { total: 0, items: [] }, unowned: { total: 0, items: [] } }),
    };
    const callsBefore = aws.calls.sns;
    const failure = await handlerWith(reads, logger)().catch((error: unknown) => error);
    expect((failure as DigestError).step).toBe('read');
    expect(aws.calls.sns).toBe(callsBefore);
    expect(aws.messages).toHaveLength(0);
    expect(JSON.stringify(lines)).not.toContain('secret-looking');
    expect(lines).toContainEqual({ level: 'error', message: 'weekly digest not sent: reading the report failed', fields: { step: 'read', error: 'ProvisionedThroughputExceededException' } });
  });
});
