/**
 * Structured logs and metrics (Powertools). One namespace for every function;
 * each function names its service. Never log a payload: it carries PHI.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';

/** What app code needs of a Powertools Logger: a narrow seam, so tests can pass a silent or recording one. */
export type LogSink = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** What app code needs of Powertools Metrics to record a value (tests pass a recorder). */
export interface MetricSink {
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
}

/** A MetricSink that also flushes, for entries that publish at the end of an invocation. */
export interface FlushingMetricSink extends MetricSink {
  publishStoredMetrics(): unknown;
}

export const METRICS_NAMESPACE = 'RedrawTracker';

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export function createMetrics(serviceName: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
}

/**
 * What a log may say of an error: a network error's code (`ECONNRESET`, which
 * the SDK throws as a TimeoutError), else its class name
 * (`ThrottlingException`, `TimeoutError`). Never its message: messages of SDK
 * errors can quote request data.
 */
export function errorName(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : error.name;
}
