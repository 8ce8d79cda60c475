/**
 * An alarm can only fire on a metric somebody emits under exactly its name and
 * dimensions. Every alarm on the tracker's own namespace in the synthesized
 * template must name a metric of functions/shared/metric-names.ts under the
 * service that emits it (and, for Webhooks, a result the webhook records); and
 * every alarm has its entry in docs/deploy.md's runbook.
 */
import { readFileSync } from 'node:fs';
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  BACKFILL_METRICS,
  BOOKING_METRICS,
  FHIR_METRICS,
  MISSING_RESULTS_METRICS,
  RECONCILE_METRICS,
  SERVICES,
  SMOKE_WEBHOOKS_METRIC,
  SWEEP_METRICS,
  SYNC_METRICS,
  TRANSACTION_METRICS,
  WEBHOOK_RESULTS,
  WEBHOOKS_METRIC,
  type ServiceName,
} from '../../functions/shared/metric-names';
import { METRICS_NAMESPACE } from '../../functions/shared/observability';
import { PROJECT_ROOT } from '../../lib/table-bound-function';
import { testApp } from '../support/test-assemblies';
import { fhirOn, sharedStack } from './stack';

/** Which service emits which metric (metric-names.ts groups them by emitter). */
const EMITTED: Record<ServiceName, ReadonlySet<string>> = {
  [SERVICES.webhook]: new Set([WEBHOOKS_METRIC, SMOKE_WEBHOOKS_METRIC]),
  [SERVICES.transactionStatus]: new Set(Object.values(TRANSACTION_METRICS)),
  // With `fhir`, the sweep's catch-up emits the FHIR metrics too (CONTRACT §13).
  [SERVICES.staleRedrawSweep]: new Set([...Object.values(SWEEP_METRICS), ...Object.values(RECONCILE_METRICS), ...Object.values(SYNC_METRICS), ...Object.values(MISSING_RESULTS_METRICS), ...Object.values(FHIR_METRICS)]),
  [SERVICES.query]: new Set(),
  // The booking (CONTRACT §14).
  [SERVICES.followUpActions]: new Set(Object.values(BOOKING_METRICS)),
  [SERVICES.chatButton]: new Set(),
  [SERVICES.backfill]: new Set(Object.values(BACKFILL_METRICS)),
  [SERVICES.weeklyDigest]: new Set(),
  // The writer: every FHIR metric but the sweep's own (the pending gauge, a catch-up that failed as a whole).
  [SERVICES.fhirWriter]: new Set(Object.values(FHIR_METRICS).filter((name) => name !== FHIR_METRICS.behind && name !== FHIR_METRICS.catchUpFailed)),
  // The notifications route (issue 71): what it refused and what it queued.
  [SERVICES.fhirNotifications]: new Set([FHIR_METRICS.notificationsRefused, FHIR_METRICS.notificationsUnqueued, FHIR_METRICS.noticesQueued]),
};

interface WatchedMetric {
  alarm: string;
  metricName: string;
  dimensions: Record<string, string>;
}

type Dimension = { Name: string; Value: unknown };
type AlarmProperties = {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dimension[];
  Metrics?: Array<{ MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: Dimension[] } } }>;
};

/** Every metric of the tracker's namespace that an alarm of the template watches, directly or in metric math. */
function watchedMetrics(template: Template): WatchedMetric[] {
  const watched: WatchedMetric[] = [];
  const dims = (dimensions: Dimension[] | undefined) => Object.fromEntries((dimensions ?? []).map(({ Name, Value }) => [Name, String(Value)]));
  for (const [alarm, resource] of Object.entries(template.findResources('AWS::CloudWatch::Alarm'))) {
    const properties = resource['Properties'] as AlarmProperties;
    if (properties.Namespace === METRICS_NAMESPACE && properties.MetricName) {
      watched.push({ alarm, metricName: properties.MetricName, dimensions: dims(properties.Dimensions) });
    }
    for (const query of properties.Metrics ?? []) {
      const metric = query.MetricStat?.Metric;
      if (metric?.Namespace === METRICS_NAMESPACE) watched.push({ alarm, metricName: metric.MetricName, dimensions: dims(metric.Dimensions) });
    }
  }
  return watched;
}

/** What is wrong with one watched metric, or null: its service emits it, under exactly the dimensions it emits. */
function problemOf({ alarm, metricName, dimensions }: WatchedMetric): string | null {
  const { service, ...rest } = dimensions;
  if (service === undefined || !(service in EMITTED)) return `${alarm}: ${metricName} has no known service dimension (${String(service)})`;
  if (!EMITTED[service as ServiceName].has(metricName)) return `${alarm}: ${service} emits no metric named ${metricName}`;
  const extra = Object.keys(rest);
  if (metricName === WEBHOOKS_METRIC) {
    if (extra.join() !== 'result') return `${alarm}: Webhooks is emitted with the dimensions service and result, not ${Object.keys(dimensions).join(', ')}`;
    if (!(WEBHOOK_RESULTS as readonly string[]).includes(rest['result']!)) return `${alarm}: the webhook records no result ${rest['result']}`;
  } else if (extra.length > 0) {
    return `${alarm}: ${metricName} is emitted with the service dimension alone, not ${extra.join(', ')}`;
  }
  return null;
}

describe('alarms on the tracker\'s own metrics', () => {
  it('each watch a metric that functions/shared/metric-names.ts names, under the service that emits it', () => {
    const watched = watchedMetrics(sharedStack().template);
    // The stack alarms on metrics of every emitting function (a sanity check on the walk itself).
    expect(new Set(watched.map((metric) => metric.dimensions['service']))).toEqual(new Set(['webhook', 'transaction-status', 'stale-redraw-sweep', 'follow-up-actions']));
    expect(watched.length).toBeGreaterThanOrEqual(20);
    expect(watched.map(problemOf).filter((problem) => problem !== null)).toEqual([]);
    // A smoke test proves the pipe, it is not Junction sending: no alarm (NoOrderWebhooks above all) counts its answers.
    expect(watched.filter((metric) => metric.metricName === SMOKE_WEBHOOKS_METRIC)).toEqual([]);
    expect(watched.filter((metric) => metric.alarm.startsWith('MonitoringNoOrderWebhooks')).map((metric) => metric.metricName)).toEqual(['Webhooks', 'Webhooks', 'Webhooks']);
  }, 120_000);

  it('with FHIR Tasks on, each watch a FHIR metric under the writer or the sweep, which both emit them (CONTRACT §13), or the notifications route\'s refusals', () => {
    const watched = watchedMetrics(sharedStack(fhirOn()).template);
    expect(watched.map(problemOf).filter((problem) => problem !== null)).toEqual([]);
    const fhir = watched.filter((metric) => metric.metricName.startsWith('Fhir'));
    expect(new Set(fhir.map((metric) => `${metric.dimensions['service']} ${metric.metricName}`))).toEqual(
      new Set([
        ...[FHIR_METRICS.refused, FHIR_METRICS.changedInEhr, FHIR_METRICS.deletedInEhr, FHIR_METRICS.unauthorized, FHIR_METRICS.baseUrlNotFound, FHIR_METRICS.ehrHeld, FHIR_METRICS.ehrConflict].flatMap((name) => [
          `fhir-writer ${name}`,
          `stale-redraw-sweep ${name}`,
        ]),
        `stale-redraw-sweep ${FHIR_METRICS.behind}`,
        `stale-redraw-sweep ${FHIR_METRICS.catchUpFailed}`,
        // The poll is the writer's alone.
        `fhir-writer ${FHIR_METRICS.pollFailed}`,
        // The notifications route's refusals (issue 71: fhirOn() names a notify secret).
        `fhir-notifications ${FHIR_METRICS.notificationsRefused}`,
        `fhir-notifications ${FHIR_METRICS.notificationsUnqueued}`,
      ]),
    );
  }, 120_000);

  it('catches an alarm on a misspelt metric, on a metric under another service, and on a result the webhook never records', () => {
    const app = testApp();
    const stack = new Stack(app, 'Probe');
    const metric = (metricName: string, dimensionsMap: Record<string, string>) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap, period: Duration.minutes(5) });
    const alarm = (id: string, watched: Metric) => new Alarm(stack, id, { metric: watched, threshold: 0, evaluationPeriods: 1 });
    alarm('Misspelt', metric('StaleNotificationFailure', { service: 'stale-redraw-sweep' }));
    alarm('WrongService', metric(TRANSACTION_METRICS.parked, { service: 'stale-redraw-sweep' }));
    alarm('UnknownResult', metric(WEBHOOKS_METRIC, { service: 'webhook', result: 'rejected' }));
    alarm('Fine', metric(SWEEP_METRICS.notificationFailures, { service: 'stale-redraw-sweep' }));
    const problems = watchedMetrics(Template.fromStack(stack)).map(problemOf);
    expect(problems.filter((problem) => problem !== null).map((problem) => problem!.split(':')[0]).sort()).toEqual([
      expect.stringMatching(/^Misspelt/),
      expect.stringMatching(/^UnknownResult/),
      expect.stringMatching(/^WrongService/),
    ]);
  });
});

describe('the runbook', () => {
  it.each([
    ['as cdk.json builds it', {}],
    ['with FHIR Tasks on', fhirOn()],
  ])('has an entry in docs/deploy.md for every alarm of the stack, by its name (%s)', (_name, settings) => {
    const { stack } = sharedStack(settings);
    const runbook = readFileSync(`${PROJECT_ROOT}docs/deploy.md`, 'utf8').split('## Runbook')[1]?.split('\n## ')[0] ?? '';
    const names = stack.node.findAll().filter((construct): construct is Alarm => construct instanceof Alarm).map((alarm) => alarm.node.id);
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names.filter((name) => !runbook.includes(`**\`${name}\`**`))).toEqual([]);
  }, 120_000);
});
