/**
 * The two parts most alarms of the stack are made of (lib/monitoring.ts, lib/fhir-alarms.ts): a custom metric of
 * one function, and an alarm on anything above zero.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { ServiceName } from '../functions/shared/metric-names';
import { METRICS_NAMESPACE } from '../functions/shared/observability';

/**
 * An alarm on anything above zero: `metric` > 0 in `evaluationPeriods` periods
 * (default 1; `datapointsToAlarm` of them when given), missing data not breaching
 * (a function that did not run reported nothing wrong). Most of the stack's alarms.
 */
export function aboveZero(
  scope: Construct,
  id: string,
  alarmDescription: string,
  metric: IMetric,
  options: { evaluationPeriods?: number; datapointsToAlarm?: number } = {},
): Alarm {
  return new Alarm(scope, id, {
    alarmDescription,
    metric,
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: options.evaluationPeriods ?? 1,
    ...(options.datapointsToAlarm === undefined ? {} : { datapointsToAlarm: options.datapointsToAlarm }),
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/** A custom metric of one function (Powertools' EMF: namespace RedrawTracker, dimension `service`). */
export function serviceMetric(
  service: ServiceName,
  metricName: string,
  options: { statistic?: string; period?: Duration; extraDimensions?: Record<string, string> } = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service, ...options.extraDimensions },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(5),
  });
}
