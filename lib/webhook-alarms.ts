/**
 * The alarms that watch webhooks coming in (issue 24, items 5 and 9): a 5xx rate Svix would retry, deliveries
 * rejected for their signature (a rotated secret nobody copied), bodies quarantined, no order webhook for hours, and
 * deliveries API Gateway throttled. Whatever stops webhooks being accepted raises one of them.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { WEBHOOKS_METRIC, type WebhookResult } from '../functions/shared/metric-names';
import { aboveZero, serviceMetric } from './alarms';
import { Grouping } from './grouping';

/** Share of webhook deliveries (percent, per 5 minutes) answered with a 5xx that raises the alarm. */
export const WEBHOOK_5XX_RATE_THRESHOLD = 5;

/** Share (percent) of webhook deliveries rejected for their signature or timestamp, in 15 minutes, that raises the alarm... */
export const WEBHOOK_REJECTED_RATE_THRESHOLD = 20;
/** ... when at least this many deliveries reached the function in those 15 minutes (stray requests to a public URL are not an outage). */
export const WEBHOOK_REJECTED_MIN_DELIVERIES = 5;
export const WEBHOOK_REJECTED_PERIOD = Duration.minutes(15);

/** The `result`s of an order webhook that was verified, read and compared with the store: the pipe works. */
export const ACCEPTED_WEBHOOK_RESULTS = ['applied', 'duplicate', 'stale'] as const satisfies readonly WebhookResult[];
/** The `result`s the function answers with a 4xx itself (the rest of the route's 4xx are API Gateway's, 429 throttling). */
export const REJECTED_WEBHOOK_RESULTS = ['invalid_signature', 'timestamp_out_of_range', 'payload_too_large'] as const satisfies readonly WebhookResult[];

/** The webhook route's per-route API Gateway metrics (detailed metrics are on for it). */
export interface WebhookRouteMetrics {
  readonly apiId: string;
  readonly stage: string;
  readonly method: string;
  readonly resource: string;
}

export interface WebhookAlarmsProps {
  readonly webhook: IFunction;
  readonly webhookRoute: WebhookRouteMetrics;
  /** Hours without an accepted order webhook that raise NoOrderWebhooks; 0: no such alarm. */
  readonly noWebhookAlarmHours: number;
  readonly add: (alarm: Alarm) => void;
}

const webhooks = (result: WebhookResult, period: Duration) => serviceMetric('webhook', WEBHOOKS_METRIC, { extraDimensions: { result }, period });

/**
 * The webhook route's 5xx rate (percent, per 5 minutes). A 5xx to Junction is either handled (the function answers
 * 500 and records result=error) or a failed invocation (crash, timeout: Lambda Errors, no EMF), or a throttle.
 * Counting all three over the webhook's invocations gives the route's 5xx rate without per-route API metrics.
 */
export function webhook5xxRate(webhook: IFunction): MathExpression {
  const period = Duration.minutes(5);
  return new MathExpression({
    label: 'webhook 5xx rate (%)',
    expression:
      'IF(FILL(invocations, 0) + FILL(throttled, 0) > 0, 100 * (FILL(handled, 0) + FILL(failed, 0) + FILL(throttled, 0)) / (FILL(invocations, 0) + FILL(throttled, 0)), 0)',
    usingMetrics: {
      handled: webhooks('error', period),
      failed: webhook.metricErrors({ statistic: 'Sum', period }),
      throttled: webhook.metricThrottles({ statistic: 'Sum', period }),
      invocations: webhook.metricInvocations({ statistic: 'Sum', period }),
    },
    period,
  });
}

export class WebhookAlarms extends Grouping {
  constructor(scope: Construct, id: string, props: WebhookAlarmsProps) {
    super(scope, id);
    const { add } = props;
    add(
      new Alarm(this, 'Webhook5xxRate', {
        alarmDescription: `More than ${WEBHOOK_5XX_RATE_THRESHOLD}% of webhook deliveries got a 5xx in two consecutive 5-minute periods (Svix retries them)`,
        metric: webhook5xxRate(props.webhook),
        threshold: WEBHOOK_5XX_RATE_THRESHOLD,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(this.signaturesRejected(props.webhook));
    // A field Junction started sending differently: the webhook quarantines (202, so Svix stops).
    add(
      aboveZero(this, 'WebhooksQuarantined', 'A verified webhook body could not be read and was quarantined (answered 202, Svix will not retry it): Junction may send a field differently; fix, then `npx redraw-tracker quarantine replay` (docs/deploy.md, runbook)', webhooks('quarantined', Duration.minutes(5))),
    );
    if (props.noWebhookAlarmHours > 0) add(this.noOrderWebhooks(props.noWebhookAlarmHours));
    add(this.throttled(props.webhookRoute));
  }

  /**
   * A rotated secret nobody copied: every delivery 401. A rate over a minimum count, so that stray unsigned requests
   * to the public URL alone raise nothing.
   */
  private signaturesRejected(webhook: IFunction): Alarm {
    const period = WEBHOOK_REJECTED_PERIOD;
    return new Alarm(this, 'WebhookSignaturesRejected', {
      alarmDescription: `More than ${WEBHOOK_REJECTED_RATE_THRESHOLD}% of at least ${WEBHOOK_REJECTED_MIN_DELIVERIES} webhook deliveries in ${period.toMinutes()} minutes were rejected for their signature or timestamp: the Junction signing secret was probably rotated without copying it into the WebhookSecret (docs/deploy.md, runbook)`,
      metric: new MathExpression({
        label: 'webhooks rejected for signature or timestamp (%)',
        expression: `IF(FILL(deliveries, 0) >= ${WEBHOOK_REJECTED_MIN_DELIVERIES}, 100 * (FILL(signature, 0) + FILL(timestamp, 0)) / deliveries, 0)`,
        usingMetrics: {
          signature: webhooks('invalid_signature', period),
          timestamp: webhooks('timestamp_out_of_range', period),
          deliveries: webhook.metricInvocations({ statistic: 'Sum', period }),
        },
        period,
      }),
      threshold: WEBHOOK_REJECTED_RATE_THRESHOLD,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * No order webhook accepted for hours: an endpoint Svix disabled, a secret nobody copied, a function that cannot
   * start. Missing data is breaching: silence is the symptom. Smoke orders (`npx redraw-tracker smoke`) are counted
   * as SmokeWebhooks, never here: a smoke test is not Junction sending.
   */
  private noOrderWebhooks(hours: number): Alarm {
    const hourly = Duration.hours(1);
    const accepted = Object.fromEntries(ACCEPTED_WEBHOOK_RESULTS.map((result) => [result, webhooks(result, hourly)]));
    return new Alarm(this, 'NoOrderWebhooks', {
      alarmDescription: `No order webhook was accepted (applied, duplicate or stale) for ${hours} h: Junction's endpoint may be disabled, the signing secret rotated, or the function failing; a team without orders for that long can raise noWebhookAlarmHours or set it to 0 (docs/deploy.md, runbook)`,
      metric: new MathExpression({
        label: 'order webhooks accepted',
        expression: ACCEPTED_WEBHOOK_RESULTS.map((result) => `FILL(${result}, 0)`).join(' + '),
        usingMetrics: accepted,
        period: hourly,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: hours,
      datapointsToAlarm: hours,
      treatMissingData: TreatMissingData.BREACHING,
    });
  }

  /**
   * Throttling of the webhook route (429, a 4xx to API Gateway): the route's 4xx less the 4xx the function answered
   * itself. Two periods in a row, so that a count falling on either side of a period boundary in the two metrics
   * cannot raise it alone.
   */
  private throttled(route: WebhookRouteMetrics): Alarm {
    const period = Duration.minutes(5);
    const route4xx = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: '4xx',
      dimensionsMap: { ApiId: route.apiId, Stage: route.stage, Method: route.method, Resource: route.resource },
      statistic: 'Sum',
      period,
    });
    const functionRejections = Object.fromEntries(REJECTED_WEBHOOK_RESULTS.map((result) => [result, webhooks(result, period)]));
    const unexplained = `FILL(route4xx, 0) - ${REJECTED_WEBHOOK_RESULTS.map((result) => `FILL(${result}, 0)`).join(' - ')}`;
    return new Alarm(this, 'WebhookThrottled', {
      alarmDescription: "API Gateway answered webhook deliveries with 4xx the function did not send (429: the route's throttling) in two 5-minute periods in a row; Svix retries them later, but a Recover may need higher webhookRateLimit/webhookBurstLimit (docs/deploy.md, runbook)",
      metric: new MathExpression({
        label: 'webhook deliveries throttled by API Gateway',
        expression: `IF(${unexplained} > 0, ${unexplained}, 0)`,
        usingMetrics: { route4xx, ...functionRejections },
        period,
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
